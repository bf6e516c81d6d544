/** AWS's own tools from Python (cfn-lint, moto_server): required under CI, skipped with a reason elsewhere. */
import { spawnSync } from 'node:child_process';
import type { TestContext } from 'vitest';

const present = new Map<string, boolean>();

/** Skips the test, saying why, when `tool` is not on the PATH; under `CI=true` a missing tool fails it instead. */
export function requireAwsTool(ctx: TestContext, tool: string): void {
  if (!present.has(tool))
    present.set(tool, spawnSync(tool, ['--help'], { stdio: 'ignore' }).error === undefined);
  if (present.get(tool)) return;
  const why = `${tool} is not installed (pip install ${tool === 'moto_server' ? "'moto[server]'" : tool})`;
  if (process.env.CI === 'true') throw new Error(`${why}: CI needs it`);
  console.warn(`Skipped "${ctx.task.name}": ${why}.`);
  ctx.skip(why);
}
