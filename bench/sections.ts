/**
 * Parts of `latest.md` that `npm run bench -- --only <section>` measures and replaces alone: each sits between
 * its own markers, and its newest result is kept in `results/<section>.json`, which the Goals section reads.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';

const resultsDirectory = new URL('./results/', import.meta.url);

const sectionStart = (name: string) => `<!-- ${name} section: start -->`;
const sectionEnd = (name: string) => `<!-- ${name} section: end -->`;

/** The section's Markdown between its markers. */
export const wrapSection = (name: string, markdown: string) =>
  `${sectionStart(name)}\n${markdown.trim()}\n${sectionEnd(name)}`;

/** The page with the section replaced, or appended when the page does not have it yet. */
function replaceSection(page: string, name: string, markdown: string): string {
  const start = page.indexOf(sectionStart(name));
  const end = page.indexOf(sectionEnd(name));
  const section = wrapSection(name, markdown);
  return start >= 0 && end > start
    ? `${page.slice(0, start)}${section}${page.slice(end + sectionEnd(name).length)}`
    : `${page.trimEnd()}\n\n${section}\n`;
}

/** Replaces sections of `latest.md` in place. */
export async function updateLatest(sections: Record<string, string>): Promise<void> {
  await mkdir(resultsDirectory, { recursive: true });
  const latest = new URL('latest.md', resultsDirectory);
  let page = await readFile(latest, 'utf8').catch(() => '# Benchmark results\n');
  for (const [name, markdown] of Object.entries(sections)) page = replaceSection(page, name, markdown);
  await writeFile(latest, page);
}

export async function saveSectionResult(name: string, result: unknown): Promise<void> {
  await mkdir(resultsDirectory, { recursive: true });
  await writeFile(new URL(`${name}.json`, resultsDirectory), `${JSON.stringify(result, null, 2)}\n`);
}

export async function loadSectionResult<T>(name: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(new URL(`${name}.json`, resultsDirectory), 'utf8')) as T;
  } catch {
    return undefined;
  }
}
