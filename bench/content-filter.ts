/**
 * What the content filter adds to a send. The word list: its review time per 4 KB body with a 200-entry list
 * (in process, as the send function runs it), and the DynamoDB capacity of a send without and with that list
 * (the direct scenario on a runtime of its own for each, in a child process started with its environment).
 * Comprehend, when on: its price per million messages from `prices.json`, for short and long bodies.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { limits } from '../shared/domain/limits.ts';
import { contentFilterFor } from '../shared/moderation/content-filter.ts';
import { defaultContentFilter } from '../shared/moderation/filter-config.ts';
import { childFlag, reportToParent, runChild } from './child-run.ts';
import { loadPrices, type PriceTable } from './cost.ts';
import { describe, dollars, ms, table } from './markdown.ts';
import { withLocalSystem } from './measured-runtime.ts';
import { directChat } from './scenarios.ts';
import type { UsagePerUnit } from './usage.ts';

const listEntries = 200;
const bodies = 10_000;
const directMessages = 100;
const comprehendBodyCharacters = [100, 1_000];

/** 200 made-up entries, a quarter of them two-word phrases; none occurs in the bodies below. */
const wordList = Array.from({ length: listEntries }, (_, i) =>
  i % 4 === 0 ? `blocked${i} phrase${i}` : `blocked${i}`,
);

/** Bodies of `maxMessageBodyBytes` of ordinary words, none listed: each is read to its end, the worst case. */
function cleanBodies(count: number): string[] {
  const vocabulary = [
    'hello',
    'café',
    'meeting',
    'tomorrow',
    'Straße',
    'ok',
    'see',
    'you',
    'at',
    'noon',
    '🙂',
  ];
  return Array.from({ length: count }, (_, n) => {
    const words: string[] = [];
    let bytes = 0;
    for (let i = n; bytes < limits.maxMessageBodyBytes - 16; i++) {
      const word = vocabulary[(i * 7) % vocabulary.length] as string;
      words.push(word);
      bytes += Buffer.byteLength(word) + 1;
    }
    return words.join(' ');
  });
}

interface ReviewTiming {
  p50Us: number;
  p99Us: number;
  maxUs: number;
  meanUs: number;
}

/** Nearest-rank percentiles of the review times, in microseconds. */
async function reviewTiming(): Promise<ReviewTiming> {
  const filter = contentFilterFor({ ...defaultContentFilter, words: wordList });
  const texts = cleanBodies(bodies);
  for (const text of texts.slice(0, 200)) await filter.review(text); // warm-up
  const samples: number[] = [];
  for (const text of texts) {
    const started = performance.now();
    const verdict = await filter.review(text);
    samples.push((performance.now() - started) * 1000);
    if (!verdict.allowed) throw new Error('a clean body was refused');
  }
  samples.sort((a, b) => a - b);
  const rank = (p: number) => samples[Math.min(samples.length - 1, Math.ceil(p * samples.length) - 1)] ?? 0;
  const round = (us: number) => Math.round(us * 10) / 10;
  return {
    p50Us: round(rank(0.5)),
    p99Us: round(rank(0.99)),
    maxUs: round(samples[samples.length - 1] ?? 0),
    meanUs: round(samples.reduce((sum, us) => sum + us, 0) / samples.length),
  };
}

/** In the child: the direct scenario on a runtime with the environment the parent gave. */
async function child(): Promise<void> {
  const scenario = await withLocalSystem((system) => directChat(system, directMessages));
  if (scenario.result.errors > 0) throw new Error(`${scenario.result.errors} sends failed`);
  const { usage, perMessage } = scenario.result;
  const { WsSendMessage: send, ...consumers } = usage.invocationsByFunction;
  reportToParent({
    ...perMessage,
    sendMeanMs: send?.meanMs ?? 0,
    consumerInvocations: Object.values(consumers).reduce((total, f) => total + f.count, 0),
  } satisfies SendUsage);
}

/** A send's DynamoDB use, its function's mean wall time, and how often the stream consumers ran meanwhile. */
interface SendUsage extends UsagePerUnit {
  sendMeanMs: number;
  /** Their reads are per batch, and batches form differently in each run. */
  consumerInvocations: number;
}

interface ComprehendCost {
  bodyCharacters: number;
  unitsPerMessage: number;
  perMillionMessages: number;
}

function comprehendCosts(prices: PriceTable): ComprehendCost[] {
  const { perUnit, unitCharacters, minimumUnitsPerRequest } = prices.aws.comprehendToxicity;
  return comprehendBodyCharacters.map((bodyCharacters) => {
    // One request a message (a 4 KB body is at most 5 segments of one request).
    const unitsPerMessage = Math.max(minimumUnitsPerRequest, Math.ceil(bodyCharacters / unitCharacters));
    return { bodyCharacters, unitsPerMessage, perMillionMessages: unitsPerMessage * perUnit * 1e6 };
  });
}

export interface ContentFilterResult {
  parameters: Record<string, number | string>;
  review: ReviewTiming;
  perSend: { withoutList: SendUsage; withList: SendUsage };
  comprehend: ComprehendCost[];
}

export async function contentFilterCost(log: (line: string) => void): Promise<ContentFilterResult> {
  const loadAverage = loadavg()[0]?.toFixed(1) ?? 'unknown';
  const review = await reviewTiming();
  log(`word list review: p50 ${review.p50Us} µs, p99 ${review.p99Us} µs`);
  const module = fileURLToPath(import.meta.url);
  const withoutList = await runChild<SendUsage>(module, { CONTENT_FILTER_WORDS: '' });
  const withList = await runChild<SendUsage>(module, { CONTENT_FILTER_WORDS: wordList.join(',') });
  log(`per send: ${withoutList.writeUnits} / ${withList.writeUnits} write units without / with the list`);
  const prices = loadPrices();
  return {
    parameters: {
      listEntries,
      bodies,
      bodyBytes: limits.maxMessageBodyBytes,
      directMessages,
      // The review times are CPU-bound: a busy machine (other processes on its cores) stretches them.
      loadAverageDuringReview: loadAverage,
      runtime: 'the capacity runs: one local runtime each, in a child process started with its word list',
    },
    review,
    perSend: { withoutList, withList },
    comprehend: comprehendCosts(prices),
  };
}

export function contentFilterMarkdown(result: ContentFilterResult, note = ''): string {
  const { review, perSend, comprehend } = result;
  const usageRow = (name: string, usage: SendUsage) => [
    name,
    usage.writeUnits,
    usage.readUnits,
    usage.dynamoCalls,
    usage.consumerInvocations,
    ms(usage.sendMeanMs),
  ];
  return `## Content filter

${note}${describe(result.parameters)}.

The word list's review of one ${limits.maxMessageBodyBytes}-byte body with ${listEntries} entries, no entry in it (read to its end):

${table(
  ['p50', 'p99', 'max', 'mean'],
  [[`${review.p50Us} µs`, `${review.p99Us} µs`, `${review.maxUs} µs`, `${review.meanUs} µs`]],
)}

DynamoDB per message of the direct scenario (${directMessages} messages), without and with the ${listEntries}-entry list. The filter issues no request; reads can differ by the stream consumers' batches (they read per batch, and batches form differently in each run):

${table(
  ['word list', 'write units', 'read units', 'DynamoDB calls', 'stream consumer runs', 'send function, mean'],
  [usageRow('none', perSend.withoutList), usageRow(`${listEntries} entries`, perSend.withList)],
)}

Comprehend's toxicity detection, when on (\`aws.comprehendToxicity\` in bench/prices.json: units of 100 characters, at least 3 a request; one request per message):

${table(
  ['average body', 'units per message', 'per 1M messages'],
  comprehend.map((c) => [`${c.bodyCharacters} characters`, c.unitsPerMessage, dollars(c.perMillionMessages)]),
)}`;
}

if (process.argv.includes(childFlag)) await child();
