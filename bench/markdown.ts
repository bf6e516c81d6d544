/** Markdown pieces of the benchmark pages. */
import type { LatencySummary } from './stats.ts';

export const ms = (value: number) =>
  value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(1)} ms`;
export const percentiles = (l: LatencySummary) => `${ms(l.p50)} / ${ms(l.p95)} / ${ms(l.p99)} / ${ms(l.max)}`;
export const dollars = (value: number) => `$${value.toFixed(2)}`;
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
export const table = (header: string[], rows: (string | number)[][]) =>
  [row(header), row(header.map(() => '---')), ...rows.map(row)].join('\n');
export const describe = (parameters: Record<string, number | string>) =>
  Object.entries(parameters)
    .map(([name, value]) => `${name}=${value}`)
    .join(', ');
