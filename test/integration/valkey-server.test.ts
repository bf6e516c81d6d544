/**
 * The local Valkey server outlives nothing: not the process that started it, even when that process is killed
 * with SIGKILL (no handler runs then; the parent-death signal does it, see local/child-server.ts).
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { repositoryRoot } from '../../local/lambda.ts';

/** Command lines of the machine's Valkey or Redis servers on that port. */
const serversOn = (port: string) =>
  execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => /(valkey|redis)-server/.test(line) && line.includes(`:${port}`));

describe('the local Valkey server', () => {
  it('is gone soon after the process that started it is killed with SIGKILL', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(repositoryRoot, 'test/integration/fixtures/valkey-server-child.ts')],
      { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const [printed] = await once(child.stdout, 'data');
    const { port } = new URL(String(printed).trim());
    expect(serversOn(port)).toHaveLength(1);

    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;

    await vi.waitFor(() => expect(serversOn(port)).toEqual([]), { timeout: 3_000 });
  });
});
