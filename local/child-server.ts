/**
 * A server the local runtime runs as a child process (DynamoDB Local's Java, the Valkey server): killed with this
 * process whatever the way it ends, waited for until it answers, and stopped gently.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface ChildServer {
  /** SIGTERM, SIGKILL after 5 s; resolves once it exited. */
  stop(): Promise<void>;
}

export interface ChildServerOptions {
  /** For messages: "DynamoDB Local". */
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Said when the command cannot be started at all ("is Java 17+ installed?"). */
  missingHint: string;
  /** Resolves once the server answers; called every 100 ms until `readyTimeoutMs`. */
  probe(): Promise<unknown>;
  readyTimeoutMs: number;
}

export const onPath = (command: string) =>
  (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, command)));

/**
 * Linux's parent-death signal, set by util-linux's `setpriv` before it runs the server: the kernel kills the
 * server when this process dies, even by SIGKILL, which no handler here sees (tsx, which runs `npm run dev`, sends
 * one to a child that is slow to acknowledge a Ctrl-C).
 */
const killedWithParent = (command: string, args: string[]) =>
  onPath('setpriv')
    ? { command: 'setpriv', args: ['--pdeathsig', 'KILL', '--', command, ...args] }
    : { command, args };

async function waitUntilAnswering(options: ChildServerOptions, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + options.readyTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${options.name} exited with code ${child.exitCode}`);
    try {
      await options.probe();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`${options.name} did not start within ${options.readyTimeoutMs} ms`);
}

export async function startChildServer(options: ChildServerOptions): Promise<ChildServer> {
  // Output goes to a bounded tail, for the error when the server does not start.
  const { command, args } = killedWithParent(options.command, options.args);
  const child = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
  let output = '';
  const keepTail = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keepTail);
  child.stderr?.on('data', keepTail);
  const spawnFailed = once(child, 'error').then(([error]) => {
    throw new Error(`Cannot start ${options.name} (${options.missingHint}): ${(error as Error).message}`);
  });
  // Never leave the server behind when this process ends, whatever the way (a test runner killing its worker
  // too); a SIGKILL skips 'exit', and there the parent-death signal does it.
  const killChild = () => child.kill('SIGKILL');
  process.once('exit', killChild);
  try {
    await Promise.race([waitUntilAnswering(options, child), spawnFailed]);
  } catch (error) {
    child.kill('SIGKILL');
    process.off('exit', killChild);
    throw new Error(`${(error as Error).message}\n${output}`);
  }
  return {
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      process.off('exit', killChild);
    },
  };
}
