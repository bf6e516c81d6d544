/**
 * `npm run bench`: every scenario against the local runtime on loopback, the idle connections, the Scan
 * baseline, the cold starts, then `bench/results/` (a JSON file per run, `latest.md`, `latest.svg`). It measures
 * and reports; it never fails on a timing.
 *
 * `npm run bench -- --only idle` measures the idle connections alone (`idle-<time>.json`, and the idle section
 * of `latest.md` replaced). Idle options: `--heartbeats N`, `--reconnects N`, `--heartbeat-interval S` (ours;
 * by default the server's), `--baseline-interval S` (30). `--only unread | concurrency | stream-delay |
 * baseline | cost | content-filter | push | hot-state | rich` runs that section alone on its own runtime (`BENCH_QUICK=1` for fewer
 * sizes and levels), `--only goals` rebuilds the Goals section from the newest result of each (bench/only.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { environmentForChild } from '../local/lambda.ts';
import { chartSvg } from './chart.ts';
import { LocalChatSystem } from './chat-system.ts';
import { measureColdStarts } from './cold-start.ts';
import { loadPrices } from './cost.ts';
import { defaultIdleOptions, type IdleOptions, type IdleResult, idleCost } from './idle.ts';
import { type LiveStateResult, liveState } from './live-state.ts';
import {
  machine,
  benchSettings as settings,
  startMeasuredRuntime,
  streamPollIntervalMs,
} from './measured-runtime.ts';
import { baselineCurves, costOf, isSectionName, runSection, sections } from './only.ts';
import type { BenchRun } from './report.ts';
import { idleEnd, idleSection, idleStart, markdownSummary } from './report.ts';
import { crowd, directChat, groupChat, type ScenarioResult } from './scenarios.ts';
import { saveSectionResult } from './sections.ts';

const coldStartRuns = 5;

const log = (line: string) => console.log(`[bench ${(performance.now() / 1000).toFixed(1)} s] ${line}`);

const { values: flags } = parseArgs({
  options: {
    only: { type: 'string' },
    heartbeats: { type: 'string' },
    reconnects: { type: 'string' },
    'heartbeat-interval': { type: 'string' },
    'baseline-interval': { type: 'string' },
  },
});

function idleOptions(): IdleOptions {
  const number = (name: keyof typeof flags, fallback?: number) => {
    const raw = flags[name];
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
    return value;
  };
  const interval = number('heartbeat-interval');
  return {
    heartbeats: number('heartbeats', defaultIdleOptions.heartbeats) as number,
    reconnects: number('reconnects', defaultIdleOptions.reconnects) as number,
    baselineIntervalSeconds: number(
      'baseline-interval',
      defaultIdleOptions.baselineIntervalSeconds,
    ) as number,
    ...(interval === undefined ? {} : { intervalSeconds: interval }),
  };
}

/**
 * The idle connections alone, with the stack's default settings (the full run lifts the send limit and
 * lengthens presence, which an idle connection never meets).
 */
async function idleOnly(): Promise<void> {
  const startedAt = new Date();
  const { runtime, proxy } = await startMeasuredRuntime();
  log('runtime started');
  let idle: IdleResult;
  try {
    idle = await idleCost(new LocalChatSystem(runtime, proxy), loadPrices(), idleOptions(), log);
  } finally {
    await runtime.stop();
    await proxy.stop();
  }
  const durationSeconds = Math.round((Date.now() - startedAt.getTime()) / 1000);
  const directory = new URL('./results/', import.meta.url);
  await mkdir(directory, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const result = { startedAt: startedAt.toISOString(), durationSeconds, machine: machine(), idle };
  await writeFile(new URL(`idle-${stamp}.json`, directory), `${JSON.stringify(result, null, 2)}\n`);
  const m = result.machine;
  const section = idleSection(
    idle,
    `From an idle-only run (\`npm run bench -- --only idle\`) at ${result.startedAt}, ${durationSeconds} s, on ${m.cpus} × ${m.cpuModel}, Node ${m.node}; the rest of this page is from the run above. `,
  );
  const latest = new URL('latest.md', directory);
  const page = await readFile(latest, 'utf8').catch(() => '');
  const start = page.indexOf(idleStart);
  const end = page.indexOf(idleEnd);
  const updated =
    start >= 0 && end > start
      ? `${page.slice(0, start)}${section}${page.slice(end + idleEnd.length)}`
      : `${page.trimEnd()}\n\n${section}\n`;
  await writeFile(latest, updated);
  printIdle(idle);
  log(`done in ${durationSeconds} s; see bench/results/idle-${stamp}.json and latest.md`);
}

function printIdle(idle: IdleResult): void {
  for (const v of idle.variants) {
    console.log(`\n${v.name}: ${v.ours.design} vs ${v.baseline.design}`);
    console.table(
      Object.fromEntries([
        ...v.ours.lines.map((line, index) => {
          const old = v.baseline.lines[index] as (typeof v.baseline.lines)[number];
          return [
            line.line,
            {
              'ours per month': line.perMonth,
              'ours $': line.dollars,
              'baseline per month': old.perMonth,
              'baseline $': old.dollars,
            },
          ];
        }),
        ['total per user', { 'ours $': v.ours.totalPerUser, 'baseline $': v.baseline.totalPerUser }],
        ['10,000 users', { 'ours $': v.ours.totalFor10kUsers, 'baseline $': v.baseline.totalFor10kUsers }],
      ]),
    );
  }
  const { goal } = idle;
  console.log(
    `\ngoal <= $${goal.dollarsPerUserPerMonth} per idle user per month: measured $${goal.measured.toFixed(4)} (${goal.worstVariant}) — ${goal.met ? 'met' : 'NOT met'}`,
  );
}

async function main(): Promise<void> {
  const startedAt = new Date();
  Object.assign(process.env, settings);
  const { runtime, proxy } = await startMeasuredRuntime();
  const system = new LocalChatSystem(runtime, proxy);
  log('runtime started');

  const scenarios: ScenarioResult[] = [];
  let baseline: BenchRun['baseline'];
  let live: LiveStateResult;
  let idle: IdleResult;
  try {
    for (const scenario of [
      () => directChat(system, 300),
      () => groupChat(system, 50, 10, 100),
      () => crowd(system, 100, 10),
    ]) {
      const done = await scenario();
      const { result } = done;
      log(
        `${done.name}: ${result.sent} sent, ${result.deliveries} delivered, ${result.lost} lost, ${result.errors} errors, ` +
          `recipient p50 ${result.recipientLatencyMs.p50} ms, ${result.wallMs} ms`,
      );
      scenarios.push(done);
    }
    live = await liveState(system, 20, 200, 20);
    log(
      `live state: typing p50 ${live.typing.latencyMs.p50} ms, presence p50 ${live.presence.latencyMs.p50} ms`,
    );
    idle = await idleCost(system, loadPrices(), idleOptions(), log);
    log(`idle: $${idle.goal.measured.toFixed(4)} per user per month (${idle.goal.worstVariant})`);
    baseline = await baselineCurves(system, log);
  } finally {
    await runtime.stop();
    await proxy.stop();
  }

  const coldStarts = await measureColdStarts(coldStartRuns);
  log('cold starts measured');

  const byName = (name: string) => {
    const found = scenarios.find((s) => s.name === name);
    if (!found) throw new Error(`No scenario ${name}`);
    return found.result;
  };
  const run: BenchRun = {
    startedAt: startedAt.toISOString(),
    durationSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
    machine: machine(),
    settings: { streamPollIntervalMs, ...settings, lostDeliveryTimeoutMs: 30_000 },
    method: [
      'DynamoDB: a counting proxy on loopback between the functions and DynamoDB Local counts calls per operation, adds ReturnConsumedCapacity=TOTAL to every call that supports it and sums the ConsumedCapacity answered. Failed calls (conditions, cancelled transactions) are counted; their capacity is not reported by DynamoDB Local and is not included.',
      'Lambda: invocations from the runtime, wall time per invocation measured around each call. posts: `@connections` POSTs counted by the local gateway. API Gateway messages = inbound frames + posts.',
      'Latency: one clock in one process; send = the frame leaves the client, ack = `message.ack` arrives at the sender, recipient = `message.new` arrives at each other connection of each member (the sender’s other devices included).',
      'Lost delivery: an expected `message.new` that did not arrive within 30 s. Usage is a counter delta around each scenario, taken when the system is quiet (stream drained, no function running).',
    ],
    scenarios,
    liveState: live,
    dynamoCallsPerDelivery: {
      directTwoMembers: byName('direct').dynamoCallsPerDelivery,
      groupFiftyMembers: byName('group').dynamoCallsPerDelivery,
    },
    costPerMillionMessages: costOf(scenarios),
    baseline,
    coldStarts,
    idle,
  };
  await writeResults(run, scenarios);
  // What the Goals section reads, then the sections that run on runtimes of their own.
  const kept = { startedAt: run.startedAt, durationSeconds: run.durationSeconds, machine: run.machine };
  await saveSectionResult('crowd', { ...kept, result: scenarios.filter((s) => s.name === 'crowd') });
  await saveSectionResult('cost', {
    ...kept,
    result: { scenarios: scenarios.filter((s) => s.name !== 'crowd'), cost: run.costPerMillionMessages },
  });
  await saveSectionResult('baseline', { ...kept, result: run.baseline });
  await saveSectionResult('cold-start', { ...kept, result: coldStarts });
  // Each in a process of its own: the functions keep their clients (and settings) per process, so a second
  // runtime in this one would reach the first one's stopped DynamoDB Local.
  for (const name of [
    'unread',
    'concurrency',
    'stream-delay',
    'content-filter',
    'push',
    'hot-state',
    'rich',
    'goals',
  ] as const) {
    const section = spawnSync(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), '--only', name],
      { stdio: 'inherit', env: environmentForChild() },
    );
    if (section.status !== 0) throw new Error(`--only ${name} exited with ${section.status}`);
  }
  log(`done in ${Math.round((Date.now() - startedAt.getTime()) / 1000)} s; see bench/results/latest.md`);
}

async function writeResults(run: BenchRun, scenarios: ScenarioResult[]): Promise<void> {
  const directory = new URL('./results/', import.meta.url);
  await mkdir(directory, { recursive: true });
  const stamp = run.startedAt.replace(/[:.]/g, '-');
  await writeFile(new URL(`run-${stamp}.json`, directory), `${JSON.stringify(run, null, 2)}\n`);
  await writeFile(new URL('latest.md', directory), markdownSummary(run, 'latest.svg'));
  const latencies = [
    ...scenarios.map((s) => ({ name: s.name, latency: s.result.recipientLatencyMs })),
    { name: 'typing', latency: run.liveState.typing.latencyMs },
    { name: 'presence', latency: run.liveState.presence.latencyMs },
  ];
  await writeFile(new URL('latest.svg', directory), chartSvg(latencies, run.baseline.curves));
}

if (flags.only === undefined) await main();
else if (flags.only === 'idle') await idleOnly();
else if (isSectionName(flags.only)) await runSection(flags.only, log);
else throw new Error(`--only ${flags.only}: one of idle, ${Object.keys(sections).join(', ')}`);
