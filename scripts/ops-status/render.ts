/** The human-readable form of a stage's status: one line of verdict, the parts side by side, the problems. */
import type { StackStatus } from './stack-status.ts';

export function renderStatus(status: StackStatus): string {
  const { table, queues, cache } = status;
  const rows: string[][] = [
    ['part', 'name', 'state', 'details'],
    [
      'table',
      table.name,
      table.status,
      `${table.billingMode}, ${table.itemCount.toLocaleString('en-US')} items, ${size(table.sizeBytes)}, stream ${table.stream}`,
    ],
    ...queues.map((q) => [
      q.deadLetters ? 'dead letters' : 'queue',
      q.name,
      q.visible + q.inFlight + q.delayed === 0 ? 'empty' : `${q.visible + q.inFlight + q.delayed} messages`,
      `${q.visible} visible, ${q.inFlight} in flight, ${q.delayed} delayed (${q.output})`,
    ]),
  ];
  if (cache)
    rows.push([
      'cache',
      cache.name,
      cache.status,
      `${cache.engine} ${cache.majorVersion}, endpoint ${cache.endpoint}, data ${cache.dataStorageLimit}, ` +
        `${cache.ecpuLimit}, user group ${cache.userGroup}`,
    ]);
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  const lines = rows.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  '),
  );
  const verdict = status.healthy ? 'healthy' : 'UNHEALTHY';
  return [
    `${status.stack} (${status.region}, ${status.stackStatus}): ${verdict}`,
    ...lines,
    ...status.problems.map((problem) => `- ${problem}`),
  ].join('\n');
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}
