/**
 * `npm run bench -- --only <section>`: one part of the benchmark on its own runtime, its result kept in
 * `results/<section>.json` and its part of `latest.md` replaced (the Goals section is rebuilt from what is kept).
 */
import { inboxScale, inboxScaleMarkdown } from './inbox-scale.ts';
import { machine, withLocalSystem } from './measured-runtime.ts';
import { saveSectionResult, updateLatest } from './sections.ts';

type Log = (line: string) => void;

interface SectionSpec<T> {
  run(log: Log): Promise<T>;
  markdown(result: T, note: string): string;
}

const sizes = (full: number[], quick: number[]) => (process.env.BENCH_QUICK ? quick : full);

export const sections = {
  unread: {
    run: (log) => withLocalSystem((system) => inboxScale(system, sizes([1000, 10_000], [1000]), 20, log)),
    markdown: inboxScaleMarkdown,
  } satisfies SectionSpec<Awaited<ReturnType<typeof inboxScale>>>,
};

export type SectionName = keyof typeof sections;
export const isSectionName = (name: string): name is SectionName => name in sections;

export async function runSection(name: SectionName, log: Log): Promise<void> {
  const startedAt = new Date();
  const spec = sections[name] as SectionSpec<unknown>;
  const result = await spec.run(log);
  const durationSeconds = Math.round((Date.now() - startedAt.getTime()) / 1000);
  const m = machine();
  await saveSectionResult(name, { startedAt: startedAt.toISOString(), durationSeconds, machine: m, result });
  const note = `From \`npm run bench -- --only ${name}\` at ${startedAt.toISOString()}, ${durationSeconds} s, on ${m.cpus} × ${m.cpuModel}, Node ${m.node}. `;
  await updateLatest({ [name]: spec.markdown(result, note) });
  log(`${name} done in ${durationSeconds} s; see bench/results/${name}.json and latest.md`);
}
