/**
 * The Goals section at the top of `latest.md`: each figure of the message-path issue beside the naive sample's
 * (where there is one) and its goal, from the newest result of each section (`results/<section>.json`).
 */
import type { ColdStart } from './cold-start.ts';
import type { FanOutCurve, FanOutPoint } from './fan-out-curve.ts';
import type { InboxScaleResult } from './inbox-scale.ts';
import { dollars, ms, table } from './markdown.ts';
import { type CostSection, scanCrossover } from './report.ts';
import type { ScenarioResult } from './scenarios.ts';
import { loadSectionResult } from './sections.ts';

/** A section's newest result as `results/<section>.json` keeps it. */
interface Kept<T> {
  startedAt: string;
  result: T;
}

export interface CostResult {
  scenarios: ScenarioResult[];
  cost: CostSection;
}

interface Goal {
  figure: string;
  today: string;
  naive: string;
  goal: string;
  met: boolean | undefined;
  from: string;
}

const capacity = (s: ScenarioResult | undefined) =>
  s ? Math.round((s.result.perMessage.readUnits + s.result.perMessage.writeUnits) * 100) / 100 : undefined;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const verdict = (met: boolean | undefined) =>
  met === undefined ? 'not measured' : met ? '**met**' : 'not met';
const stamp = (kept: Kept<unknown> | undefined, name: string) =>
  kept ? `${name}, ${kept.startedAt.slice(0, 16).replace('T', ' ')}` : `${name}: no result`;

function capacityGoals(cost: Kept<CostResult> | undefined, baseline: Kept<CurveSection> | undefined): Goal[] {
  const naiveAt = (kind: 'direct' | 'group') => {
    const naive = baseline?.result.curves[1]?.[kind] ?? [];
    return naive.length
      ? naive.map((p) => `${p.capacityUnitsPerMessage} at ${p.connectedUsers}`).join(', ')
      : '—';
  };
  return (
    [
      ['direct', 'capacity units per message, direct (2 members)', 5],
      ['group', 'capacity units per message, group (50 members, 60 connections)', 10],
    ] as const
  ).map(([kind, figure, goal]) => {
    const today = capacity(cost?.result.scenarios.find((s) => s.name === kind));
    return {
      figure,
      today: today === undefined ? '—' : String(today),
      naive: naiveAt(kind),
      goal: `≤ ${goal}`,
      met: today === undefined ? undefined : today <= goal,
      from: stamp(cost, 'cost'),
    };
  });
}

interface CurveSection {
  method: string;
  curves: FanOutCurve[];
}

function curveGoals(baseline: Kept<CurveSection> | undefined): Goal[] {
  const [ours, naive] = (baseline?.result.curves ?? []) as [FanOutCurve?, FanOutCurve?];
  const from = stamp(baseline, 'baseline');
  const crossover = (kind: 'direct' | 'group') =>
    ours && naive ? scanCrossover(ours[kind], naive[kind]) : undefined;
  const [direct, group] = [crossover('direct'), crossover('group')];
  // Below the first level the Scan is already dearer when it grows and ours is flat: no crossover to find.
  const crossoverMet =
    ours && naive ? [direct, group].every((users) => users !== undefined && users <= 500) : undefined;
  const latency = (kind: 'direct' | 'group') => {
    const [o, n] = [ours?.[kind][0], naive?.[kind][0]] as [FanOutPoint?, FanOutPoint?];
    return o && n ? { o, n, ratio: o.recipientP50Ms / Math.max(0.1, n.recipientP50Ms) } : undefined;
  };
  const [d, g] = [latency('direct'), latency('group')];
  return [
    {
      figure: 'connected users where we become cheaper than naive (capacity)',
      today: `direct ${direct ?? '—'}, group ${group ?? '—'}`,
      naive: '—',
      goal: '≤ 500 for both',
      met: crossoverMet,
      from,
    },
    {
      figure: `recipient latency p50, direct / group (local runtime, ${d?.o.connectedUsers ?? '—'} connected users)`,
      today: d && g ? `${ms(d.o.recipientP50Ms)} / ${ms(g.o.recipientP50Ms)}` : '—',
      naive:
        d && g
          ? `${ms(d.n.recipientP50Ms)} / ${ms(g.n.recipientP50Ms)} (ours ${d.ratio.toFixed(1)}× / ${g.ratio.toFixed(1)}×)`
          : '—',
      goal: '≤ 3× naive in the same run',
      met: d && g ? d.ratio <= 3 && g.ratio <= 3 : undefined,
      from,
    },
  ];
}

export async function goalsMarkdown(): Promise<string> {
  const [cost, baseline, messages, concurrency, unread, coldStarts] = await Promise.all([
    loadSectionResult<Kept<CostResult>>('cost'),
    loadSectionResult<Kept<CurveSection>>('baseline'),
    loadSectionResult<Kept<ScenarioResult[]>>('crowd'),
    loadSectionResult<Kept<ScenarioResult>>('concurrency'),
    loadSectionResult<Kept<InboxScaleResult>>('unread'),
    loadSectionResult<Kept<ColdStart[]>>('cold-start'),
  ]);
  const direct = cost?.result.cost.scenarios.find((c) => c.scenario === 'direct');
  const crowd = messages?.result.find((s) => s.name === 'crowd')?.result;
  const hot = concurrency?.result.result;
  const internal = hot?.errorsByCode.internal ?? 0;
  const unreadAt1000 = unread?.result.points.find((p) => p.conversations === 1000)?.unread;
  const largest = coldStarts?.result.reduce<ColdStart | undefined>(
    (max, c) => (max && max.bundleBytes >= c.bundleBytes ? max : c),
    undefined,
  );
  const goals: Goal[] = [
    ...capacityGoals(cost, baseline),
    ...curveGoals(baseline),
    {
      figure: 'cost per 1M direct messages (bench/prices.json)',
      today: direct ? `${dollars(direct.aws.total)}, of it ${dollars(direct.aws.dynamoDb)} DynamoDB` : '—',
      naive: direct ? `Ably ${dollars(direct.hosted.ably)}` : '—',
      goal: '≤ $5',
      met: direct ? direct.aws.total <= 5 : undefined,
      from: stamp(cost, 'cost'),
    },
    {
      figure: '100 users × 10 messages at once (crowd), all delivered',
      today: crowd ? `${(crowd.wallMs / 1000).toFixed(1)} s, ${crowd.lost} lost` : '—',
      naive: '—',
      goal: '≤ 5 s',
      met: crowd ? crowd.wallMs <= 5000 && crowd.lost === 0 : undefined,
      from: stamp(messages, 'crowd'),
    },
    {
      figure: '50 senders × 5 messages in one group, all at once',
      today: hot
        ? `${hot.acked}/${hot.sent} acked, ack p95 ${ms(hot.ackLatencyMs.p95)}, ${internal} internal, ${hot.lost} lost`
        : '—',
      naive: '—',
      goal: 'every send acked, p95 ≤ 1 s, no `internal`',
      met: hot ? hot.acked === hot.sent && hot.ackLatencyMs.p95 <= 1000 && internal === 0 : undefined,
      from: stamp(concurrency, 'concurrency'),
    },
    {
      figure: 'GET /unread, a user in 1,000 conversations (p50)',
      today: unreadAt1000 ? ms(unreadAt1000.latencyMs.p50) : '—',
      naive: '—',
      goal: '≤ 50 ms',
      met: unreadAt1000 ? unreadAt1000.latencyMs.p50 <= 50 && unreadAt1000.errors === 0 : undefined,
      from: stamp(unread, 'unread'),
    },
    {
      figure: 'largest function bundle (minified)',
      today: largest ? `${kib(largest.bundleBytes)} (${largest.name})` : '—',
      naive: '—',
      goal: '≤ 300 KiB',
      met: largest ? largest.bundleBytes <= 300 * 1024 : undefined,
      from: stamp(coldStarts, 'cold-start'),
    },
  ];
  return `## Goals

The message-path issue's figures, each from the newest run of its section (\`npm run bench -- --only <section>\` re-measures one); "naive" is the Scan-based sample measured in the same run.

${table(
  ['figure', 'today', 'naive sample', 'goal', 'met', 'measured by'],
  goals.map((g) => [g.figure, g.today, g.naive, g.goal, verdict(g.met), g.from]),
)}`;
}
