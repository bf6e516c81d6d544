/**
 * Recipient latency with an AWS-like stream delay (`STREAM_DELAY_MS=200`), for the send's own delivery (the
 * default threshold) and for the stream fan-out (`DIRECT_DELIVERY_MAX_CONNECTIONS=0`). Each variant is its own
 * local runtime in a child process started with that environment, since the functions read their settings once.
 */
import { fileURLToPath } from 'node:url';
import { childFlag, reportToParent, runChild } from './child-run.ts';
import { describe, ms, percentiles, table } from './markdown.ts';
import { withLocalSystem } from './measured-runtime.ts';
import { directChat, groupChat, type ScenarioResult } from './scenarios.ts';

const streamDelayMs = 200;

const variants = [
  { name: 'direct path (threshold default)', env: {} },
  { name: 'stream path (DIRECT_DELIVERY_MAX_CONNECTIONS=0)', env: { DIRECT_DELIVERY_MAX_CONNECTIONS: '0' } },
] as const;

interface StreamDelayRow {
  variant: string;
  scenario: ScenarioResult;
}

export interface StreamDelayResult {
  parameters: Record<string, number | string>;
  rows: StreamDelayRow[];
}

const directMessages = 40;
const groupMessages = 20;

/** In the child: both scenarios on a runtime with the delay; the results on one line of stdout. */
async function child(): Promise<void> {
  const scenarios = await withLocalSystem(
    async (system) => [
      await directChat(system, directMessages),
      await groupChat(system, 50, 10, groupMessages),
    ],
    { streamDelayMs },
  );
  reportToParent(scenarios);
}

export async function streamDelayRows(log: (line: string) => void): Promise<StreamDelayResult> {
  const rows: StreamDelayRow[] = [];
  for (const variant of variants) {
    const env = { ...variant.env, STREAM_DELAY_MS: String(streamDelayMs) };
    for (const scenario of await runChild<ScenarioResult[]>(fileURLToPath(import.meta.url), env)) {
      log(`${variant.name}, ${scenario.name}: recipient p50 ${scenario.result.recipientLatencyMs.p50} ms`);
      rows.push({ variant: variant.name, scenario });
    }
  }
  return {
    parameters: {
      STREAM_DELAY_MS: streamDelayMs,
      directMessages,
      groupMessages,
      groupMembers: 50,
      groupConnections: 60,
      runtime: 'one local runtime per variant, in a child process started with its environment',
    },
    rows,
  };
}

export function streamDelayMarkdown(result: StreamDelayResult, note = ''): string {
  return `## Recipient latency with an AWS-like stream delay

${note}${describe(result.parameters)}. The local stream holds each record ${streamDelayMs} ms, about the DynamoDB Streams → Lambda hop's p50 in AWS; one message in flight at a time.

${table(
  [
    'path',
    'conversation',
    'sent',
    'lost',
    'errors',
    'recipient p50 / p95 / p99 / max',
    'ack p50',
    'posts/msg',
    'Lambda inv./msg',
  ],
  result.rows.map(({ variant, scenario: { name, result: r } }) => [
    variant,
    name,
    r.sent,
    r.lost,
    r.errors,
    percentiles(r.recipientLatencyMs),
    ms(r.ackLatencyMs.p50),
    r.perMessage.posts,
    r.perMessage.invocations,
  ]),
)}`;
}

if (process.argv.includes(childFlag)) await child();
