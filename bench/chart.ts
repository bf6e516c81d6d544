/**
 * A hand-written SVG with two panels: recipient latency percentiles per scenario (log scale, since a
 * saturated crowd is seconds while an idle direct chat is milliseconds), and DynamoDB capacity units per
 * message against connected users, ours and the Scan baseline.
 */
import type { FanOutCurve } from './fan-out-curve.ts';
import type { LatencySummary } from './stats.ts';

const width = 960;
const height = 420;
const panel = { top: 50, bottom: 320, left: 70, width: 360 };
const secondLeft = 560;
const colors = { p50: '#4c78a8', p95: '#f58518', p99: '#e45756' };
const lineColors = ['#4c78a8', '#72b7b2', '#e45756', '#f58518'];

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const text = (x: number, y: number, content: string, extra = '') =>
  `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${extra}>${escapeXml(content)}</text>`;

function latencyPanel(scenarios: { name: string; latency: LatencySummary }[]): string[] {
  const values = scenarios
    .flatMap(({ latency }) => [latency.p50, latency.p95, latency.p99])
    .filter((v) => v > 0);
  const low = 10 ** Math.floor(Math.log10(Math.min(...values, 10)));
  const high = 10 ** Math.ceil(Math.log10(Math.max(...values, 100)));
  const y = (value: number) =>
    panel.bottom -
    ((Math.log10(Math.max(value, low)) - Math.log10(low)) / Math.log10(high / low)) *
      (panel.bottom - panel.top);
  const parts = [
    text(panel.left, 30, 'Recipient latency (send → message.new), ms, log scale', 'font-weight="bold"'),
  ];
  for (let tick = low; tick <= high; tick *= 10) {
    parts.push(
      `<line x1="${panel.left}" x2="${panel.left + panel.width}" y1="${y(tick)}" y2="${y(tick)}" stroke="#ddd"/>`,
      text(panel.left - 8, y(tick) + 4, String(tick), 'text-anchor="end"'),
    );
  }
  const groupWidth = panel.width / scenarios.length;
  const barWidth = groupWidth / 4;
  scenarios.forEach(({ name, latency }, index) => {
    const x0 = panel.left + index * groupWidth + barWidth / 2;
    (['p50', 'p95', 'p99'] as const).forEach((key, bar) => {
      const top = y(latency[key]);
      parts.push(
        `<rect x="${(x0 + bar * barWidth).toFixed(1)}" y="${top.toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${(panel.bottom - top).toFixed(1)}" fill="${colors[key]}"><title>${escapeXml(`${name} ${key}: ${latency[key]} ms`)}</title></rect>`,
      );
    });
    parts.push(text(x0 + barWidth * 1.5, panel.bottom + 18, name, 'text-anchor="middle"'));
  });
  (['p50', 'p95', 'p99'] as const).forEach((key, index) => {
    parts.push(
      `<rect x="${panel.left + index * 70}" y="${panel.bottom + 34}" width="12" height="12" fill="${colors[key]}"/>`,
      text(panel.left + index * 70 + 16, panel.bottom + 45, key),
    );
  });
  return parts;
}

/** The smallest 1, 2 or 5 × 10^k at or above `value`, so axis ticks are round numbers. */
function niceCeiling(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].find((step) => step * power >= value) ?? 10) * power;
}

function capacityPanel(curves: FanOutCurve[]): string[] {
  const series = curves.flatMap((curve) =>
    (['direct', 'group'] as const).map((kind) => ({
      label: `${curve.system} ${kind}`,
      points: curve[kind].map((p) => ({ x: p.connectedUsers, y: p.capacityUnitsPerMessage })),
    })),
  );
  const all = series.flatMap((s) => s.points);
  const maxX = Math.max(...all.map((p) => p.x), 1);
  const maxY = niceCeiling(Math.max(...all.map((p) => p.y), 1) * 1.1);
  const x = (value: number) => secondLeft + (value / maxX) * panel.width;
  const y = (value: number) => panel.bottom - (value / maxY) * (panel.bottom - panel.top);
  const parts = [
    text(secondLeft, 30, 'Capacity units per message vs connected users', 'font-weight="bold"'),
    `<line x1="${secondLeft}" x2="${secondLeft + panel.width}" y1="${panel.bottom}" y2="${panel.bottom}" stroke="#999"/>`,
    `<line x1="${secondLeft}" x2="${secondLeft}" y1="${panel.top}" y2="${panel.bottom}" stroke="#999"/>`,
  ];
  for (let step = 0; step <= 4; step++) {
    const value = (maxY * step) / 4;
    parts.push(text(secondLeft - 8, y(value) + 4, String(value), 'text-anchor="end"'));
  }
  for (const value of [...new Set(all.map((p) => p.x))]) {
    parts.push(text(x(value), panel.bottom + 18, String(value), 'text-anchor="middle"'));
  }
  series.forEach((s, index) => {
    const color = lineColors[index % lineColors.length];
    const dash = s.label.startsWith(curves[0]?.system ?? '') ? '' : ' stroke-dasharray="6 4"';
    const path = s.points
      .map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`)
      .join(' ');
    parts.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`);
    for (const p of s.points) {
      parts.push(
        `<circle cx="${x(p.x).toFixed(1)}" cy="${y(p.y).toFixed(1)}" r="3" fill="${color}"><title>${escapeXml(`${s.label}, ${p.x} users: ${p.y}`)}</title></circle>`,
      );
    }
    parts.push(
      `<line x1="${secondLeft + (index % 2) * 190}" x2="${secondLeft + (index % 2) * 190 + 20}" y1="${panel.bottom + 40 + Math.floor(index / 2) * 16}" y2="${panel.bottom + 40 + Math.floor(index / 2) * 16}" stroke="${color}" stroke-width="2"${dash}/>`,
      text(secondLeft + (index % 2) * 190 + 26, panel.bottom + 44 + Math.floor(index / 2) * 16, s.label),
    );
  });
  return parts;
}

export function chartSvg(
  scenarios: { name: string; latency: LatencySummary }[],
  curves: FanOutCurve[],
): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    ...latencyPanel(scenarios),
    ...capacityPanel(curves),
    '</svg>',
    '',
  ].join('\n');
}
