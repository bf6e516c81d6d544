/**
 * `npm run bench -- --only rich` (issue 21): runs the measurements of bench/rich-messages.ts and the cost
 * section's plain scenarios on one runtime, then its costs and Markdown: each operation per million from its measured counts and
 * `prices.json` (HTTP API requests, `@connections` posts, Lambda, DynamoDB, S3 requests), and the plain direct
 * and group messages priced by the cost section's own model beside its figures from before issue 21.
 */
import { loadavg } from 'node:os';
import { thumbnailMaker } from '../shared/shape/routes.ts';
import { type CostPerMillion, costPerMillion, loadPrices, type PriceTable } from './cost.ts';
import { describe, dollars, ms, table } from './markdown.ts';
import { withLocalSystem } from './measured-runtime.ts';
import {
  attachments,
  closeGroup,
  countS3Requests,
  reactions,
  richParameters,
  richSettings,
  type S3Requests,
  setUpGroup,
  type ThumbnailResult,
  type TimedRequests,
  thumbnails,
  warmUp,
} from './rich-messages.ts';
import { directChat, groupChat } from './scenarios.ts';
import type { LatencySummary } from './stats.ts';
import type { UsagePerUnit } from './usage.ts';

/** The request prices this section adds to the table (`aws.apiGatewayHttp`, `aws.s3Standard`). */
interface RequestPrices {
  apiGatewayHttp: { perMillionRequests: number };
  s3Standard: { perThousandPutPostRequests: number; perThousandGetRequests: number };
}
const prices = () => loadPrices() as PriceTable & { aws: PriceTable['aws'] & RequestPrices };

/** How S3 bills an operation: GET and HEAD as reads, DELETE free, the others (POST, PUT, tagging) as writes. */
const s3Tier = (operation: string) =>
  /^(Get|Head)/.test(operation) ? 'read' : operation.startsWith('Delete') ? 'free' : 'write';

interface OperationCost {
  apiGateway: number;
  lambda: number;
  dynamoDb: number;
  s3: number;
  total: number;
}

/** Per million operations like the measured ones; `httpRequests`: HTTP API requests each one is. */
function perMillion(result: TimedRequests, httpRequests: number): OperationCost {
  const { aws, assumptions } = prices();
  const usage: UsagePerUnit = result.perRequest;
  const gbSeconds = (usage.invocationMs / 1000) * (assumptions.lambdaMemoryMb / 1024);
  const s3PerThousand = {
    write: aws.s3Standard.perThousandPutPostRequests,
    read: aws.s3Standard.perThousandGetRequests,
    free: 0,
  };
  const cost = {
    apiGateway:
      httpRequests * aws.apiGatewayHttp.perMillionRequests +
      usage.posts * aws.apiGatewayWebSocket.perMillionMessages,
    lambda: usage.invocations * aws.lambda.perMillionRequests + gbSeconds * aws.lambda.perGbSecondArm64 * 1e6,
    dynamoDb:
      usage.writeUnits * aws.dynamoDbOnDemand.perMillionWriteRequestUnits +
      usage.readUnits * aws.dynamoDbOnDemand.perMillionReadRequestUnits,
    s3: Object.entries(result.s3PerRequest).reduce(
      (sum, [operation, count]) => sum + count * s3PerThousand[s3Tier(operation)] * 1000,
      0,
    ),
  };
  return { ...cost, total: cost.apiGateway + cost.lambda + cost.dynamoDb + cost.s3 };
}

const costParts = ['apiGateway', 'lambda', 'dynamoDb', 's3', 'total'] as const;
/** A sum of costs, each with its sign. */
const combine = (parts: [OperationCost, 1 | -1][]) =>
  Object.fromEntries(
    costParts.map((part) => [part, parts.reduce((sum, [cost, sign]) => sum + cost[part] * sign, 0)]),
  ) as unknown as OperationCost;

/**
 * The plain scenarios' figures before issue 21: the cost section's run of 2026-12-01T13:03:49Z (committed in
 * 2a5bc27, `bench/results/cost.json`), the last before its first commit; same scenarios, same cost model.
 */
const beforeIssue21: Record<
  string,
  { readUnits: number; writeUnits: number; dynamoDb: number; total: number }
> = {
  direct: { readUnits: 1.57, writeUnits: 3.093, dynamoDb: 2.13, total: 5.76 },
  group: { readUnits: 38.105, writeUnits: 6, dynamoDb: 8.51, total: 100.36 },
};

export interface RichResult {
  parameters: Record<string, number | string>;
  reaction: Awaited<ReturnType<typeof reactions>>;
  attachments: Awaited<ReturnType<typeof attachments>>;
  thumbnail: ThumbnailResult;
  costPerMillion: { reactions: OperationCost; attachmentsSent: OperationCost };
  /** The cost section's direct and group scenarios, in this run. */
  plain: {
    scenario: string;
    parameters: Record<string, number | string>;
    perMessage: UsagePerUnit;
    cost: CostPerMillion;
  }[];
}

export function richSection(log: (line: string) => void): Promise<RichResult> {
  Object.assign(process.env, richSettings);
  return withLocalSystem(async (system) => {
    const s3 = countS3Requests(system.runtime.s3.endpoint);
    // The latencies and Lambda wall times stretch on a machine whose cores other work is using.
    const loadAverageAtStart = loadavg()[0]?.toFixed(1) ?? 'unknown';
    try {
      const group = await setUpGroup(system, 'rich');
      await warmUp(system, s3, group);
      const reaction = await reactions(system, s3, group);
      log(`rich: reaction answered p50 ${reaction.answerMs.p50} ms, heard p50 ${reaction.heardMs.p50} ms`);
      const sent = await attachments(system, s3, group);
      const thumbnail = await thumbnails(system, s3, group);
      log(`rich: thumbnail ${thumbnail.measured ? `ready p50 ${thumbnail.readyMs.p50} ms` : 'not measured'}`);
      await closeGroup(group);
      const plain = [
        await directChat(system, richParameters.directMessages),
        await groupChat(system, 50, 10, richParameters.groupMessages),
      ];
      const { issue, upload, plainSend, attachmentSend } = sent;
      // An attachment sent: its issue, the client's POST of the file, and what naming it adds to a send.
      const attachmentsSent = combine([
        [perMillion(issue, 1), 1],
        [perMillion(upload, 0), 1],
        [perMillion(attachmentSend, 1), 1],
        [perMillion(plainSend, 1), -1],
      ]);
      return {
        parameters: { ...richParameters, ...richSettings, loadAverageAtStart },
        reaction,
        attachments: sent,
        thumbnail,
        costPerMillion: { reactions: perMillion(reaction, 1), attachmentsSent },
        plain: plain.map((s) => ({
          scenario: s.name,
          parameters: s.parameters,
          perMessage: s.result.perMessage,
          cost: costPerMillion(s.name, s.result, prices()),
        })),
      };
    } finally {
      s3.stop();
    }
  });
}

const p50p95 = (l: LatencySummary) => `${ms(l.p50)} / ${ms(l.p95)}`;
const s3Text = (requests: S3Requests) =>
  Object.entries(requests)
    .filter(([, count]) => count > 0)
    .map(([operation, count]) => `${operation} ${Number(count.toFixed(2))}`)
    .join(', ') || '0';

export function richMarkdown(result: RichResult, note = ''): string {
  const { reaction, attachments, thumbnail, costPerMillion: cost } = result;
  const row = (name: string, r: TimedRequests, answer: string, heard = '—') => [
    name,
    answer,
    heard,
    r.perRequest.readUnits,
    r.perRequest.writeUnits,
    r.perRequest.dynamoCalls,
    r.perRequest.invocations,
    s3Text(r.s3PerRequest),
    r.errors,
  ];
  const thumbnailRow = thumbnail.measured
    ? [
        row(
          `thumbnail of a ${Math.round(thumbnail.imageBytes / 1024)} KiB JPEG: its POST and the preview made (${ms(thumbnail.maker.usage.invocationsByFunction[thumbnailMaker.name]?.meanMs ?? 0)} in ${thumbnailMaker.name})`,
          thumbnail.maker,
          '—',
          `ready ${p50p95(thumbnail.readyMs)} after the POST's answer (${thumbnail.timedOut} timed out)`,
        ),
      ]
    : [['thumbnail ready', `not measured: ${thumbnail.reason}`, '—', '—', '—', '—', '—', '—', '—']];
  const costRow = (name: string, c: OperationCost) => [name, ...costParts.map((part) => dollars(c[part]))];
  const plainRows = result.plain.map(({ scenario, perMessage, cost: c }) => {
    const before = beforeIssue21[scenario];
    return [
      scenario,
      before ? `${before.readUnits} / ${before.writeUnits}` : '—',
      `${perMessage.readUnits} / ${perMessage.writeUnits}`,
      before ? `${dollars(before.dynamoDb)} of ${dollars(before.total)}` : '—',
      // The model of then priced no EventBridge: the total compared leaves it out.
      `${dollars(c.aws.dynamoDb)} of ${dollars(c.aws.total - c.aws.eventBridge)}`,
    ];
  });
  return `## Rich messages

${note}${describe(result.parameters)}.

One 10-member group, each member with a socket, after an uncounted warm-up in it. The 9 other members react to one of the author's messages with 4 emoji each, and the author's socket hears each change (\`message.reactions\` leaves from the request before it answers, so it can arrive first). The uploads are PDFs (no preview), the sends HTTP sends by the author. Per operation, p50 / p95; the capacity, calls, invocations and S3 requests (as the local S3 server received them) are everything the operation caused, its delivery included, from a quiet system to a quiet system. Every upload runs the thumbnail function, an image or not:

${table(
  [
    'operation',
    'HTTP answer',
    'another member hears it / ready',
    'RCU',
    'WCU',
    'DynamoDB calls',
    'invocations',
    'S3 requests',
    'errors',
  ],
  [
    row(
      'reaction (`PUT …/reactions/{emoji}`)',
      reaction,
      p50p95(reaction.answerMs),
      `${p50p95(reaction.heardMs)} (${reaction.requests - reaction.heardMs.count} unheard)`,
    ),
    row('issuing an upload (`POST …/attachments`)', attachments.issue, p50p95(attachments.issue.latencyMs)),
    row(
      `the client's POST of a ${result.parameters.pdfBytes}-byte PDF to the bucket`,
      attachments.upload,
      p50p95(attachments.upload.latencyMs),
    ),
    row('plain send (`POST …/messages`)', attachments.plainSend, p50p95(attachments.plainSend.latencyMs)),
    row(
      'send naming one attachment',
      attachments.attachmentSend,
      p50p95(attachments.attachmentSend.latencyMs),
    ),
    ...thumbnailRow,
  ],
)}

Per million (\`bench/prices.json\`: HTTP API requests, \`@connections\` posts, Lambda at ${prices().assumptions.lambdaMemoryMb} MB on measured wall time, DynamoDB on demand, S3 Standard requests; storage and transfer left out). An attachment sent is its issue, the client's POST and what naming it adds to a send (the send with one attachment less the plain one):

${table(['per 1M', 'API Gateway', 'Lambda', 'DynamoDB', 'S3 requests', 'total'], [costRow('reactions', cost.reactions), costRow('attachments sent', cost.attachmentsSent)])}

A plain text message: the cost section's scenarios in this run (direct with ${result.parameters.directMessages} messages here, 300 there) beside its run before issue 21 (same scenarios and cost model, \`costPerMillion\` in bench/cost.ts, without the EventBridge line it has since; Lambda's share follows the functions' wall time, so a busier machine raises the total); \`test/integration/plain-message-capacity.test.ts\` pins the send's own share, 1.5 RCU and 5 WCU for a group sender:

${table(['scenario', 'RCU / WCU per message, before issue 21', 'this run', 'per 1M: DynamoDB of total, before', 'this run'], plainRows)}`;
}
