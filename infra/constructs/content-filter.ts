/**
 * The content filter's side of the stack: the functions that store a message's text (the route-table entries
 * whose access says `filtersContent`: the sends and the edit) get the filter's settings, and, only when the filter
 * uses Comprehend, `comprehend:DetectToxicContent`, which has no resource-level permission (resource `*`).
 */
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  type ContentFilterConfig,
  contentFilterContext,
  contentFilterEnvironment,
} from '../../shared/moderation/filter-config.ts';
import type { FunctionSpec } from '../../shared/shape/routes.ts';
import type { ChatFunctions } from './chat-functions.ts';

/**
 * Lambda holds at most 4 KB of environment variables per function, the settings included: a longer list belongs
 * in a filter of the team's own (the `ContentFilter` port) that loads it from elsewhere.
 */
const maxWordListBytes = 2_048;

export interface ContentFilteringProps {
  readonly functions: ChatFunctions;
  /** The entries whose functions filter. */
  readonly filterers: readonly FunctionSpec[];
  readonly config: ContentFilterConfig;
}

export function configureContentFilter({ functions, filterers, config }: ContentFilteringProps): void {
  const environment = contentFilterEnvironment(config);
  const listBytes = Buffer.byteLength(config.words.join(','));
  if (listBytes > maxWordListBytes)
    throw new Error(
      `Context ${contentFilterContext.words} is ${listBytes} bytes; a function's environment holds 4 KB in all, ` +
        `so keep the list under ${maxWordListBytes} bytes or plug in a ContentFilter that loads it`,
    );
  const names = new Set(filterers.map((spec) => spec.name));
  for (const chat of functions.all) {
    if (!names.has(chat.node.id)) continue;
    for (const [name, value] of Object.entries(environment)) chat.function.addEnvironment(name, value);
    if (config.kind === 'comprehend')
      chat.function.addToRolePolicy(
        new PolicyStatement({ actions: ['comprehend:DetectToxicContent'], resources: ['*'] }),
      );
  }
}
