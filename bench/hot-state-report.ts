/**
 * The hot-state section's page: the measured operations on both backends side by side, the issue's goals for
 * Valkey, and a month of a stated workload priced from those counts and `prices.json`.
 */
import { loadPrices } from './cost.ts';
import { type BackendResult, type HotStateMeasures, measureHotState } from './hot-state.ts';
import { count, type HotStateMonth, hotStateMonth } from './hot-state-cost.ts';
import { describe, ms, table } from './markdown.ts';

export interface HotStateResult extends HotStateMeasures {
  month: HotStateMonth;
}

const writeOperations = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems'];
const units = (per: { writeUnits: number; readUnits: number }) => `${per.writeUnits} / ${per.readUnits}`;
const writeCalls = (result: {
  usage: { dynamoByOperation: Record<string, { calls: number }> };
  requests: number;
}) =>
  writeOperations.reduce((sum, op) => sum + (result.usage.dynamoByOperation[op]?.calls ?? 0), 0) /
  result.requests;

function operationRows(b: BackendResult) {
  const { typing, presence, unread } = b.live;
  const send = b.send.result;
  return [
    {
      name: 'typing (start or stop until the other member sees it)',
      latency: typing.latencyMs,
      per: typing.perSignal,
    },
    {
      name: 'presence (connect or close until a contact sees it)',
      latency: presence.latencyMs,
      per: presence.perSignal,
    },
    {
      name: `\`GET /unread\`, ${b.live.parameters.readerConversations} conversations`,
      latency: unread.latencyMs,
      per: unread.perRequest,
    },
    {
      name: 'heartbeat (until its `pong`)',
      latency: b.heartbeat.latencyMs,
      per: b.heartbeat.perRequest,
      valkey: b.valkey.heartbeat,
    },
    {
      name: 'hand-over reconnect',
      latency: b.reconnect.latencyMs,
      per: b.reconnect.perRequest,
      valkey: b.valkey.reconnect,
    },
    {
      name: 'direct send (to the recipient)',
      latency: send.recipientLatencyMs,
      per: send.perMessage,
      valkey: b.valkey.message,
    },
  ];
}

/** What the Valkey server held at the end of its run: the basis of the storage line. */
const storedNote = (valkey: BackendResult) =>
  valkey.valkeyData
    ? `At the end of its run the Valkey server held ${count(valkey.valkeyData.keys)} keys in ${(valkey.valkeyData.datasetBytes / 1024).toFixed(0)} KiB of data. `
    : '';

export function hotStateMarkdown(result: HotStateResult, note = ''): string {
  const [dynamo, valkey] = result.backends as [BackendResult, BackendResult];
  const dynamoRows = operationRows(dynamo);
  const rows = operationRows(valkey).map((v, index) => {
    const d = dynamoRows[index] as (typeof dynamoRows)[number];
    return [
      v.name,
      `${ms(d.latency.p50)} / ${ms(d.latency.p95)}`,
      units(d.per),
      `${ms(v.latency.p50)} / ${ms(v.latency.p95)}`,
      units(v.per),
      v.valkey ? `${v.valkey.commands} (${v.valkey.ecpus})` : '—',
    ];
  });
  const typing = valkey.live.typing;
  const goals = [
    ['typing p50 < 5 ms', ms(typing.latencyMs.p50), typing.latencyMs.p50 < 5],
    ['presence p50 < 10 ms', ms(valkey.live.presence.latencyMs.p50), valkey.live.presence.latencyMs.p50 < 10],
    [
      '`GET /unread` p50 < 10 ms',
      ms(valkey.live.unread.latencyMs.p50),
      valkey.live.unread.latencyMs.p50 < 10,
    ],
    [
      'no DynamoDB write for a heartbeat',
      `${writeCalls(valkey.heartbeat)} write calls, ${valkey.heartbeat.perRequest.writeUnits} WCU per heartbeat`,
      writeCalls(valkey.heartbeat) === 0,
    ],
    [
      'no DynamoDB write for a typing signal',
      `${typing.perSignal.writeUnits} WCU per signal`,
      typing.perSignal.writeUnits === 0,
    ],
  ].map(([goal, measured, met]) => [goal as string, measured as string, met ? 'yes' : 'no']);
  const { month } = result;
  const w = month.workload;
  return `## Hot state: DynamoDB or Valkey

${note}${describe(result.parameters)}. Latency p50 / p95; capacity per operation as write / read units from the counting proxy; Valkey commands per operation from the server's INFO counters, with the ECPUs ElastiCache would bill in brackets (1 per command of up to 1 KB, more for a script that runs longer: a lower bound; typing, presence and \`GET /unread\` run together in the live-state scenario, so they have no count of their own). ${storedNote(valkey)}${dynamo.send.result.lost + valkey.send.result.lost} deliveries lost.

${table(['operation', 'DynamoDB', 'WCU / RCU', 'Valkey', 'WCU / RCU', 'Valkey commands (ECPUs)'], rows)}

Goals of the issue, on Valkey:

${table(['goal', 'measured', 'met'], goals)}

A month (${w.days} days) at ${count(w.connectedUsers)} connected users, a heartbeat every ${w.heartbeatIntervalSeconds} s without reply, a hand-over reconnect every 2 hours and ${count(w.messagesPerDay)} direct messages a day, from the counts above and \`prices.json\`:

${table(
  ['line', 'DynamoDB only', 'ElastiCache Serverless Valkey', 'quantity (DynamoDB / Valkey)'],
  [
    ...month.lines.map((l) => [l.line, `$${l.dynamodb.toFixed(2)}`, `$${l.valkey.toFixed(2)}`, l.detail]),
    ['**total**', `**$${month.total.dynamodb.toFixed(2)}**`, `**$${month.total.valkey.toFixed(2)}**`, ''],
  ],
)}`;
}

/** The section: both backends measured, then the month priced. */
export async function hotStateSection(log: (line: string) => void): Promise<HotStateResult> {
  const measures = await measureHotState(log);
  return { ...measures, month: hotStateMonth(measures, loadPrices()) };
}
