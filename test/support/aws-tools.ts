/** AWS's own tools from Python (cfn-lint, moto_server): required under CI, skipped with a reason elsewhere. */
import { spawn, spawnSync } from 'node:child_process';
import type { TestContext } from 'vitest';
import { freePort } from '../../local/ports.ts';

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

export interface MotoServer {
  endpoint: string;
  stop(): void;
}

/** moto_server on a free loopback port, answering once it is up. */
export async function startMotoServer(): Promise<MotoServer> {
  const port = await freePort();
  const moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const server = { endpoint: `http://localhost:${port}`, stop: () => void moto.kill() };
  // `localhost`, not 127.0.0.1: moto's CloudFormation reads a template URL's bucket from the path only then.
  for (let attempt = 0; attempt < 100; attempt++) {
    if (
      await fetch(`${server.endpoint}/moto-api/`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return server;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  server.stop();
  throw new Error('moto_server did not start');
}
