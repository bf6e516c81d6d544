/**
 * The context of the functions that store a message's text (send, edit): the container's context with the
 * configured content filter, Comprehend's toxicity detection included when the stack turned it on. Only these
 * functions' bundles carry the Comprehend client.
 */
import { createComprehendClient } from '../clients.ts';
import type { ChatContext } from '../domain/context.ts';
import type { ContentFilter } from '../domain/moderation-ports.ts';
import { ComprehendToxicityFilter } from '../moderation/comprehend-filter.ts';
import { contentFilterFor } from '../moderation/content-filter.ts';
import { readContentFilterConfig } from '../moderation/filter-config.ts';
import { chatContext } from './composition-root.ts';

let filter: ContentFilter | undefined;

export function filteringContext(): ChatContext {
  filter ??= contentFilterFor(
    readContentFilterConfig(),
    (options) => new ComprehendToxicityFilter(createComprehendClient(), options),
  );
  return { ...chatContext(), contentFilter: filter };
}
