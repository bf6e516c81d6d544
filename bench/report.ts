/** The results of one `npm run bench`, and their Markdown summary. */
import type { ColdStart } from './cold-start.ts';
import type { CostPerMillion } from './cost.ts';
import type { FanOutCurve, FanOutPoint } from './fan-out-curve.ts';
import type { IdleResult, MonthlyCost, OperationMeasure } from './idle.ts';
import type { LiveStateResult, RequestResult, SignalResult } from './live-state.ts';
import { describe, dollars, ms, percentiles, table } from './markdown.ts';
import type { ScenarioResult } from './scenarios.ts';
import { wrapSection } from './sections.ts';

export interface BenchRun {
  startedAt: string;
  durationSeconds: number;
  machine: { cpus: number; cpuModel: string; node: string; platform: string };
  settings: Record<string, number | string>;
  /** How the numbers were taken, in words, so the JSON explains itself. */
  method: string[];
  scenarios: ScenarioResult[];
  liveState: LiveStateResult;
  dynamoCallsPerDelivery: { directTwoMembers: number; groupFiftyMembers: number };
  costPerMillionMessages: { pricesCheckedOn: string; region: string; scenarios: CostPerMillion[] };
  baseline: { method: string; curves: FanOutCurve[] };
  coldStarts: ColdStart[];
  idle: IdleResult;
}

function scenarioTable(run: BenchRun): string {
  return table(
    [
      'scenario',
      'sent',
      'delivered',
      'lost',
      'errors',
      'ack p50 / p95 / p99 / max',
      'recipient p50 / p95 / p99 / max',
      'delivered/s',
      'DynamoDB calls/msg',
      'failed calls/msg',
      'RCU/msg',
      'WCU/msg',
      'Lambda inv./msg',
      'posts/msg',
      'API GW msgs/msg',
    ],
    run.scenarios.map(({ name, result: r }) => [
      name,
      r.sent,
      r.deliveries,
      r.lost,
      r.errors,
      percentiles(r.ackLatencyMs),
      percentiles(r.recipientLatencyMs),
      r.deliveredPerSecond,
      r.perMessage.dynamoCalls,
      r.perMessage.dynamoFailedCalls,
      r.perMessage.readUnits,
      r.perMessage.writeUnits,
      r.perMessage.invocations,
      r.perMessage.posts,
      r.apiGatewayMessagesPerMessage,
    ]),
  );
}

function latencySplit(run: BenchRun): string {
  return table(
    ['scenario', 'send function (mean)', 'fan-out invocation (mean, per batch)', 'records per fan-out batch'],
    run.scenarios.map(({ name, result: r }) => {
      const functions = r.usage.invocationsByFunction;
      const fanOut = functions.StreamFanOut;
      return [
        name,
        ms(functions.WsSendMessage?.meanMs ?? 0),
        ms(fanOut?.meanMs ?? 0),
        fanOut ? (r.sent / fanOut.count).toFixed(1) : '-',
      ];
    }),
  );
}

function liveStateTable(live: LiveStateResult): string {
  const signal = (name: string, s: SignalResult) => [
    name,
    s.signals,
    percentiles(s.latencyMs),
    `${s.lost} lost`,
    s.perSignal.dynamoCalls,
    s.perSignal.readUnits,
    s.perSignal.writeUnits,
    s.perSignal.invocations,
    s.perSignal.posts,
  ];
  const request = (name: string, r: RequestResult) => [
    name,
    r.requests,
    percentiles(r.latencyMs),
    `${r.errors} errors`,
    r.perRequest.dynamoCalls,
    r.perRequest.readUnits,
    r.perRequest.writeUnits,
    r.perRequest.invocations,
    r.perRequest.posts,
  ];
  return table(
    [
      'live state',
      'count',
      'latency p50 / p95 / p99 / max',
      'problems',
      'DynamoDB calls',
      'RCU',
      'WCU',
      'Lambda inv.',
      'posts',
    ],
    [
      signal('typing → seen by the other member', live.typing),
      signal('presence change → seen by a contact', live.presence),
      request(`GET /unread (${live.parameters.readerConversations} conversations)`, live.unread),
      request(`GET /conversations?limit=${live.parameters.inboxPageSize}`, live.inbox),
    ],
  );
}

function costTable(scenarios: CostPerMillion[]): string {
  return table(
    [
      'per million messages',
      'API GW msgs/msg',
      'API Gateway',
      'Lambda requests',
      'Lambda GB-s (est.)',
      'DynamoDB',
      'EventBridge',
      '**AWS total**',
      'Ably',
      'PubNub',
      'AppSync Events',
    ],
    scenarios.map((c) => [
      `${c.scenario} (${c.subscribersPerMessage} receiving connections)`,
      c.apiGatewayMessagesPerMessage,
      dollars(c.aws.apiGateway),
      dollars(c.aws.lambdaRequests),
      dollars(c.aws.lambdaCompute),
      dollars(c.aws.dynamoDb),
      dollars(c.aws.eventBridge),
      `**${dollars(c.aws.total)}**`,
      dollars(c.hosted.ably),
      dollars(c.hosted.pubnub),
      dollars(c.hosted.appSyncEvents),
    ]),
  );
}

function baselineTable(curves: FanOutCurve[]): string {
  const [ours, naive] = curves as [FanOutCurve, FanOutCurve];
  const rows: (string | number)[][] = [];
  for (const kind of ['direct', 'group'] as const) {
    ours[kind].forEach((o: FanOutPoint, index) => {
      const n = naive[kind][index] as FanOutPoint;
      const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : '-');
      rows.push([
        kind,
        o.connectedUsers,
        `${o.capacityUnitsPerMessage} / ${n.capacityUnitsPerMessage}`,
        ratio(n.capacityUnitsPerMessage, o.capacityUnitsPerMessage),
        `${o.dynamoCallsPerMessage} / ${n.dynamoCallsPerMessage}`,
        `${ms(o.recipientP50Ms)} / ${ms(n.recipientP50Ms)}`,
        ratio(n.recipientP50Ms, o.recipientP50Ms),
        `${o.lost + o.errors} / ${n.lost + n.errors}`,
      ]);
    });
  }
  const crossovers = (['direct', 'group'] as const).map((kind) => {
    const users = scanCrossover(ours[kind], naive[kind]);
    return `${kind}: ${users === undefined ? 'no growth measured' : `about ${users} connected users`}`;
  });
  return `${table(
    [
      'conversation',
      'connected users',
      'capacity units/msg (ours / naive)',
      'naive ÷ ours capacity',
      'DynamoDB calls/msg (ours / naive)',
      'recipient p50 (ours / naive)',
      'naive ÷ ours latency',
      'lost+errors (ours / naive)',
    ],
    rows,
  )}

Extrapolating the Scan's measured growth linearly, it costs as much capacity per message as ours at ${crossovers.join('; ')}.`;
}

/** Where the naive capacity line (least squares over the levels) reaches ours at the largest level. */
export function scanCrossover(ours: FanOutPoint[], naive: FanOutPoint[]): number | undefined {
  const n = naive.length;
  const meanX = naive.reduce((t, p) => t + p.connectedUsers, 0) / n;
  const meanY = naive.reduce((t, p) => t + p.capacityUnitsPerMessage, 0) / n;
  const covariance = naive.reduce(
    (t, p) => t + (p.connectedUsers - meanX) * (p.capacityUnitsPerMessage - meanY),
    0,
  );
  const variance = naive.reduce((t, p) => t + (p.connectedUsers - meanX) ** 2, 0);
  const slope = variance > 0 ? covariance / variance : 0;
  const target = ours[ours.length - 1]?.capacityUnitsPerMessage;
  if (slope <= 0 || target === undefined) return undefined;
  return Math.round((meanX + (target - meanY) / slope) / 100) * 100;
}

function coldStartTable(coldStarts: ColdStart[]): string {
  return table(
    ['function', 'bundle (minified)', 'gzip', 'init median', 'runs'],
    coldStarts.map((c) => [
      c.name,
      `${(c.bundleBytes / 1024).toFixed(0)} KiB`,
      `${(c.gzipBytes / 1024).toFixed(0)} KiB`,
      c.error ? `failed: ${c.error}` : ms(c.initMsMedian),
      c.initMsRuns.join(', '),
    ]),
  );
}

/** The classic chat load test's question: do 1,000 concurrent messages finish within 10 s? */
function crowdVerdict(run: BenchRun): string {
  const crowd = run.scenarios.find((s) => s.name === 'crowd');
  if (!crowd) return '';
  const seconds = crowd.result.wallMs / 1000;
  return `**Crowd: ${crowd.result.sent} messages, all delivered in ${seconds.toFixed(1)} s — ${seconds < 10 ? 'under' : 'not under'} 10 s**, ${crowd.result.deliveredPerSecond} deliveries/s.`;
}

const count = (value: number) =>
  value >= 100
    ? Math.round(value).toLocaleString('en-US')
    : value.toLocaleString('en-US', { maximumFractionDigits: 1 });
const thousands = (value: number) =>
  `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const cost = (value: number) => (value >= 1 ? `$${value.toFixed(2)}` : `$${value.toFixed(4)}`);

function idleCostTable(ours: MonthlyCost, baseline: MonthlyCost): string {
  const total = (c: MonthlyCost) => `**${cost(c.totalPerUser)}**`;
  return table(
    ['line', 'ours per month', 'ours $', `${baseline.intervalSeconds}-s baseline per month`, 'baseline $'],
    [
      ...ours.lines.map((line, index) => {
        const old = baseline.lines[index] as MonthlyCost['lines'][number];
        return [
          line.line,
          `${count(line.perMonth)} ${line.unit} (${line.detail})`,
          cost(line.dollars),
          `${count(old.perMonth)} ${old.unit} (${old.detail})`,
          cost(old.dollars),
        ];
      }),
      ['**total per user**', '', total(ours), '', total(baseline)],
      [
        '**10,000 users**',
        '',
        `**${thousands(ours.totalFor10kUsers)}**`,
        '',
        `**${thousands(baseline.totalFor10kUsers)}**`,
      ],
    ],
  );
}

function idleOperationTable(operations: OperationMeasure[]): string {
  const fixed = (value: number, digits = 2) => value.toFixed(digits);
  return table(
    [
      'operation',
      'runs',
      'frames in',
      'posts',
      'to contacts',
      'Lambda inv.',
      'functions',
      'local wall ms',
      'DynamoDB calls',
      'RCU',
      'WCU',
      'failed',
    ],
    operations.map((o) => [
      o.operation,
      o.count,
      fixed(o.framesInPerOperation),
      fixed(o.postsPerOperation),
      fixed(o.framesToContactsPerOperation),
      fixed(o.invocationsPerOperation),
      Object.keys(o.invocationsByFunction).join(', '),
      fixed(o.invocationMsPerOperation, 1),
      fixed(o.dynamoCallsPerOperation),
      fixed(o.readUnitsPerOperation),
      fixed(o.writeUnitsPerOperation),
      o.failures,
    ]),
  );
}

export const idleStart = '<!-- idle section: start -->';
export const idleEnd = '<!-- idle section: end -->';

/** The idle section of `latest.md`, between markers so that `--only idle` can replace it alone. */
export function idleSection(idle: IdleResult, runNote = ''): string {
  const { goal, parameters: p } = idle;
  const variants = idle.variants
    .map(
      (v) => `### ${v.name}

${v.description}. Frames received by contacts during its heartbeats and hand-overs: ${v.framesToContacts}.

${idleCostTable(v.ours, v.baseline)}

Per operation (means over the runs):

${idleOperationTable(v.operations)}`,
    )
    .join('\n\n');
  const cut = idle.cutThenReconnect
    ? `

A reconnect with the old connection closed first (no hand-over), 3 online contacts, for comparison (not priced):

${idleOperationTable([idle.cutThenReconnect])}`
    : '';
  return `${idleStart}
## Idle connections: cost per user per month

${runNote}Ours: a heartbeat every ${p.heartbeatIntervalSeconds} s (from ${p.intervalSource}) without reply; baseline: today's server driven as the old client does, a heartbeat every ${p.baselineIntervalSeconds} s with \`reply: true\`. Both with one reconnect per ${Number(p.maxConnectionSeconds) / 3600} hours. ${p.heartbeatsPerKind} heartbeats of each kind and ${p.reconnectsPerVariant} reconnects per variant, measured in the same run; prices of ${p.region}, checked on ${p.pricesCheckedOn}.

${idle.method.map((line) => `- ${line}`).join('\n')}

**Goal ≤ ${cost(goal.dollarsPerUserPerMonth)} per idle user per month (defaults, one device): measured ${cost(goal.measured)} (${goal.worstVariant}) — ${goal.met ? 'met' : 'not met'}.**

${variants}${cut}
${idleEnd}`;
}

export function markdownSummary(run: BenchRun, chartFile: string): string {
  const { machine, settings } = run;
  const calls = run.dynamoCallsPerDelivery;
  return `# Benchmark results

Run ${run.startedAt}, ${run.durationSeconds} s in total, on ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node} (${machine.platform}).
Everything on loopback in one process (gateway, functions, load clients), DynamoDB Local in a Java child process.
Settings: ${describe(settings)}.

${wrapSection('goals', '## Goals\n\nRebuilt at the end of the run from every section (`npm run bench -- --only goals`).')}

## Method

${run.method.map((line) => `- ${line}`).join('\n')}

## Messages

${run.scenarios.map((s) => `- **${s.name}**: ${describe(s.parameters)}`).join('\n')}

${scenarioTable(run)}

${crowdVerdict(run)}

**DynamoDB calls per delivered message: ${calls.directTwoMembers} to a 2-member conversation, ${calls.groupFiftyMembers} to a 50-member conversation** (all DynamoDB calls of the scenario, sends and fan-out, divided by the \`message.new\` frames received).

Where recipient latency goes (the stream poller waits ${settings.streamPollIntervalMs} ms between polls of an idle stream; in AWS the DynamoDB Streams → Lambda hop alone was measured at p50 213 ms / p99 552 ms by an independent study):

${latencySplit(run)}

## Live state

${describe(run.liveState.parameters)}

${liveStateTable(run.liveState)}

${wrapSection('cost', costMarkdown(run.costPerMillionMessages))}

${idleSection(run.idle)}

${wrapSection('baseline', baselineMarkdown(run.baseline))}

![recipient latency and capacity per message](${chartFile})

${wrapSection('cold-start', coldStartMarkdown(run.coldStarts))}
`;
}

export type CostSection = BenchRun['costPerMillionMessages'];

export function costMarkdown(cost: CostSection, note = ''): string {
  return `## Cost per million messages

${note}Prices of ${cost.region}, checked on ${cost.pricesCheckedOn} (\`bench/prices.json\`, each vendor's page named there). Connection-minutes excluded. Lambda GB-seconds are estimated from the functions' local wall time. Hosted services: Ably counts the publish and each delivery as messages, PubNub charges per publish and per receiving subscriber, AppSync Events counts the publish and each delivery as operations.

${costTable(cost.scenarios)}`;
}

export function baselineMarkdown(baseline: BenchRun['baseline'], note = ''): string {
  return `## Baseline: Scan-based fan-out

${note}${baseline.method}

${baselineTable(baseline.curves)}`;
}

export function coldStartMarkdown(coldStarts: ColdStart[], note = ''): string {
  return `## Cold start

${note}

${coldStartTable(coldStarts)}`;
}
