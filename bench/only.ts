/**
 * `npm run bench -- --only <section>`: one part of the benchmark on its own runtime, its result kept in
 * `results/<section>.json` and its part of `latest.md` replaced (the Goals section is rebuilt from what is kept).
 */
import type { LocalChatSystem } from './chat-system.ts';
import { type ColdStart, measureColdStarts } from './cold-start.ts';
import { type ContentFilterResult, contentFilterCost, contentFilterMarkdown } from './content-filter.ts';
import { costPerMillion, loadPrices } from './cost.ts';
import { startCountingProxy } from './dynamo-proxy.ts';
import { type FanOutCurve, fanOutCurve } from './fan-out-curve.ts';
import { type CostResult, goalsMarkdown } from './goals.ts';
import { type HotStateResult, hotStateMarkdown, hotStateSection } from './hot-state-report.ts';
import { inboxScale, inboxScaleMarkdown } from './inbox-scale.ts';
import { machine, withLocalSystem } from './measured-runtime.ts';
import { NaiveChatSystem } from './naive-baseline.ts';
import { type PushResult, pushCost, pushMarkdown } from './push.ts';
import { baselineMarkdown, type CostSection, coldStartMarkdown, costMarkdown } from './report.ts';
import { type RichResult, richMarkdown, richSection } from './rich-report.ts';
import {
  concurrencyMarkdown,
  concurrentSenders,
  crowd,
  crowdMarkdown,
  directChat,
  groupChat,
  type ScenarioResult,
} from './scenarios.ts';
import { saveSectionResult, updateLatest } from './sections.ts';
import { type StreamDelayResult, streamDelayMarkdown, streamDelayRows } from './stream-delay.ts';

type Log = (line: string) => void;

interface SectionSpec<T> {
  run(log: Log): Promise<T>;
  markdown(result: T, note: string): string;
}

const sizes = (full: number[], quick: number[]) => (process.env.BENCH_QUICK ? quick : full);

const baselineLevels = [50, 200, 500, 2000, 5000];
const baselineMethod =
  'Ours: the full local runtime. Naive (bench/naive-baseline.ts): the minimal AWS WebSocket chat sample’s fan-out on its own loopback WebSocket server and tables in the same DynamoDB Local, behind its own counting proxy, driven by the same clients: per message GetItem of the conversation’s member list, PutItem of the message, a full Scan of the connections table (filtered to members, which does not lower the capacity consumed), one post per member connection; no stream hop. At each level more users are connected (none joins the conversations): the 50 members are real sockets, the other users are connection records written straight into each system’s tables as its `$connect` writes them (ours: one presence item per user, through the presence store; naive: one item of its connections table, BatchWriteItem), so the capacity figures compare the same population; the same 2-member and 50-member conversations are measured with 30 messages each, one in flight at a time.';

/** Our curve and the naive sample's, in the same run. */
export async function baselineCurves(system: LocalChatSystem, log: Log) {
  const naiveProxy = await startCountingProxy(system.runtime.dynamoDbEndpoint);
  const naive = await NaiveChatSystem.start(system.runtime.dynamoDbEndpoint, naiveProxy);
  const curves: FanOutCurve[] = [];
  try {
    for (const target of [system, naive]) {
      curves.push(await fanOutCurve(target, sizes(baselineLevels, [50, 500]), 50, 30));
      log(`baseline curve of ${target.name} done`);
    }
  } finally {
    await naive.stop();
    await naiveProxy.stop();
  }
  return { method: baselineMethod, curves };
}

/** The direct and group scenarios and their cost per million messages. */
async function costSection(system: LocalChatSystem): Promise<CostResult> {
  const scenarios = [await directChat(system, 300), await groupChat(system, 50, 10, 100)];
  return { scenarios, cost: costOf(scenarios) };
}

export function costOf(scenarios: ScenarioResult[]): CostSection {
  const prices = loadPrices();
  return {
    pricesCheckedOn: prices.checkedOn,
    region: prices.region,
    scenarios: scenarios
      .filter((s) => s.name === 'direct' || s.name === 'group')
      .map((s) => costPerMillion(s.name, s.result, prices)),
  };
}

export const sections = {
  unread: {
    run: (log) => inboxScale(sizes([200, 1000, 10_000], [200, 1000]), 20, log),
    markdown: inboxScaleMarkdown,
  } satisfies SectionSpec<Awaited<ReturnType<typeof inboxScale>>>,
  concurrency: {
    run: () => withLocalSystem((system) => concurrentSenders(system, 50, 5)),
    markdown: concurrencyMarkdown,
  } satisfies SectionSpec<ScenarioResult>,
  'stream-delay': {
    run: streamDelayRows,
    markdown: streamDelayMarkdown,
  } satisfies SectionSpec<StreamDelayResult>,
  baseline: {
    run: (log) => withLocalSystem((system) => baselineCurves(system, log)),
    markdown: baselineMarkdown,
  } satisfies SectionSpec<Awaited<ReturnType<typeof baselineCurves>>>,
  cost: {
    run: () => withLocalSystem(costSection),
    markdown: (result, note) => costMarkdown(result.cost, note),
  } satisfies SectionSpec<CostResult>,
  crowd: {
    run: () => withLocalSystem(async (system) => [await crowd(system, 100, 10)]),
    markdown: crowdMarkdown,
  } satisfies SectionSpec<ScenarioResult[]>,
  'cold-start': {
    run: () => measureColdStarts(5),
    markdown: coldStartMarkdown,
  } satisfies SectionSpec<ColdStart[]>,
  'content-filter': {
    run: contentFilterCost,
    markdown: contentFilterMarkdown,
  } satisfies SectionSpec<ContentFilterResult>,
  push: {
    run: pushCost,
    markdown: pushMarkdown,
  } satisfies SectionSpec<PushResult>,
  'hot-state': {
    run: hotStateSection,
    markdown: hotStateMarkdown,
  } satisfies SectionSpec<HotStateResult>,
  rich: {
    run: richSection,
    markdown: richMarkdown,
  } satisfies SectionSpec<RichResult>,
  /** Only rebuilds the Goals section from what the other sections kept. */
  goals: {
    run: async () => undefined,
    markdown: () => '',
  } satisfies SectionSpec<undefined>,
};

export type SectionName = keyof typeof sections;
export const isSectionName = (name: string): name is SectionName => name in sections;

export async function runSection(name: SectionName, log: Log): Promise<void> {
  if (name === 'goals') {
    await updateLatest({ goals: await goalsMarkdown() });
    return;
  }
  const startedAt = new Date();
  const spec = sections[name] as SectionSpec<unknown>;
  const result = await spec.run(log);
  const durationSeconds = Math.round((Date.now() - startedAt.getTime()) / 1000);
  const m = machine();
  await saveSectionResult(name, { startedAt: startedAt.toISOString(), durationSeconds, machine: m, result });
  const note = `From \`npm run bench -- --only ${name}\` at ${startedAt.toISOString()}, ${durationSeconds} s, on ${m.cpus} × ${m.cpuModel}, Node ${m.node}. `;
  await updateLatest({ [name]: spec.markdown(result, note), goals: await goalsMarkdown() });
  log(`${name} done in ${durationSeconds} s; see bench/results/${name}.json and latest.md`);
}
