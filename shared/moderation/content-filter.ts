/**
 * The content filter a function is given: the word list, then Comprehend's toxicity detection when configured
 * (a listed word never costs a Comprehend call). Each refusal is logged with its rule and counted
 * (`MessagesFiltered`, by `rule`); the text itself is never logged.
 */
import type { ContentFilter, ContentVerdict } from '../domain/moderation-ports.ts';
import { countFiltered, logger } from '../observability.ts';
import type { ToxicityOptions } from './comprehend-filter.ts';
import type { ContentFilterConfig } from './filter-config.ts';
import { WordListFilter } from './word-list-filter.ts';

const allowed: ContentVerdict = { allowed: true };

/** Asks each filter in turn; the first refusal is the answer. */
class FilterChain implements ContentFilter {
  constructor(private readonly filters: readonly ContentFilter[]) {}

  async review(text: string): Promise<ContentVerdict> {
    for (const filter of this.filters) {
      const verdict = await filter.review(text);
      if (!verdict.allowed) {
        logger.info('Message refused by the content filter', { rule: verdict.rule });
        countFiltered(verdict.rule);
        return verdict;
      }
    }
    return allowed;
  }
}

/**
 * The filters `config` asks for. Comprehend's comes from `toxicity`, given only by the functions that filter
 * messages (send, edit), so that no other function's bundle carries its client; without it the word list is all.
 */
export function contentFilterFor(
  config: ContentFilterConfig,
  toxicity?: (options: ToxicityOptions) => ContentFilter,
): ContentFilter {
  const filters: ContentFilter[] = [new WordListFilter(config.words)];
  if (config.kind === 'comprehend' && toxicity) {
    const { toxicityThreshold: threshold, timeoutMs, failure } = config;
    filters.push(toxicity({ threshold, timeoutMs, failure }));
  }
  return new FilterChain(filters);
}
