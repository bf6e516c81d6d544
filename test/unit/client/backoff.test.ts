import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../client/src/backoff.ts';

const options = { initialDelayMs: 1000, maxDelayMs: 30_000 };

describe('backoffDelay', () => {
  it('doubles the delay with every failed attempt until the cap', () => {
    const longest = [0, 1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, options, () => 1));

    expect(longest).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });

  it('spreads retries over the upper half of each step, never retrying at once', () => {
    const shortest = backoffDelay(3, options, () => 0);
    const middle = backoffDelay(3, options, () => 0.5);

    expect(shortest).toBe(4000);
    expect(middle).toBe(6000);
  });
});
