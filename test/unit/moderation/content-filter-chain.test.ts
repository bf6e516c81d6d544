import { describe, expect, it, vi } from 'vitest';
import type { ContentVerdict } from '../../../shared/domain/moderation-ports.ts';
import { contentFilterFor } from '../../../shared/moderation/content-filter.ts';
import { defaultContentFilter } from '../../../shared/moderation/filter-config.ts';
import { logger } from '../../../shared/observability.ts';

/** A stand-in for Comprehend that refuses everything and counts its calls. */
function fakeToxicity() {
  const calls: string[] = [];
  const options: unknown[] = [];
  const factory = (given: unknown) => {
    options.push(given);
    return {
      review: async (text: string): Promise<ContentVerdict> => {
        calls.push(text);
        return { allowed: false, rule: 'toxicity' };
      },
    };
  };
  return { calls, options, factory };
}

describe('the content filter as the send and edit functions build it', () => {
  const comprehendOn = {
    ...defaultContentFilter,
    kind: 'comprehend' as const,
    words: ['spam'],
    toxicityThreshold: 0.7,
  };

  it('asks Comprehend only about what the word list let through', async () => {
    const toxicity = fakeToxicity();
    const filter = contentFilterFor(comprehendOn, toxicity.factory);

    expect(await filter.review('spam')).toEqual({ allowed: false, rule: 'word-list' });
    expect(toxicity.calls).toEqual([]);
    expect(await filter.review('hello')).toEqual({ allowed: false, rule: 'toxicity' });
    expect(toxicity.calls).toEqual(['hello']);
    expect(toxicity.options).toEqual([{ threshold: 0.7, timeoutMs: 400, failure: 'open' }]);
  });

  it('leaves Comprehend out unless the setting turns it on', async () => {
    const toxicity = fakeToxicity();
    const filter = contentFilterFor({ ...comprehendOn, kind: 'word-list' }, toxicity.factory);
    expect(await filter.review('hello')).toEqual({ allowed: true });
    expect(toxicity.options).toEqual([]);
  });

  it('logs a refusal with its rule, never the text', async () => {
    const info = vi.spyOn(logger, 'info').mockImplementation(() => undefined);
    await contentFilterFor(comprehendOn).review('cheap spam here');
    expect(info).toHaveBeenCalledWith('Message refused by the content filter', { rule: 'word-list' });
    expect(JSON.stringify(info.mock.calls)).not.toContain('cheap');
    info.mockRestore();
  });
});
