import { describe, expect, it } from 'vitest';
import { matchesFilter } from '../../../local/filter-pattern.ts';
import { fanOutFilterPatterns } from '../../../shared/shape/table.ts';

const [pattern] = fanOutFilterPatterns;
const record = (eventName: string, entity?: string) => ({
  eventName,
  dynamodb: { NewImage: entity ? { entity: { S: entity } } : undefined },
});

describe('the fan-out filter, as the local stream poller applies it', () => {
  it('lets inserted and modified messages through', () => {
    expect(matchesFilter(pattern, record('INSERT', 'message'))).toBe(true);
    expect(matchesFilter(pattern, record('MODIFY', 'message'))).toBe(true);
  });

  it('keeps other items and removals away from the consumer', () => {
    expect(matchesFilter(pattern, record('INSERT', 'presence'))).toBe(false);
    expect(matchesFilter(pattern, record('REMOVE', 'message'))).toBe(false);
    expect(matchesFilter(pattern, record('INSERT'))).toBe(false);
  });
});
