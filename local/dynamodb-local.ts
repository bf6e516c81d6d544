/**
 * DynamoDB Local from the jar that `amplify-dynamodb-simulator` ships, run with the machine's Java 17+, listening on
 * 127.0.0.1 only (it has no authentication): see LoopbackDynamoDbLocal.java.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from './ports.ts';

export interface DynamoDbLocal {
  endpoint: string;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  port?: number;
  /** A folder to keep data in across restarts; in memory when absent. */
  dataDir?: string;
}

function emulatorDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
}

const loopbackLauncher = join(dirname(fileURLToPath(import.meta.url)), 'LoopbackDynamoDbLocal.java');

/**
 * What comes after `java` and its options: the jar's own `main` listens on every interface (the jar has no option
 * for the address), so the loopback launcher runs it when Java can compile a source file, which needs the
 * `jdk.compiler` module (Debian's JRE has it; some slimmed JREs do not, and get the jar as it is, with a warning).
 */
let launch: Promise<string[]> | undefined;
function mainArgs(dir: string): Promise<string[]> {
  launch ??= promisify(execFile)('java', ['--list-modules'])
    .then(({ stdout }) => /^jdk\.compiler@/m.test(stdout))
    // No Java at all: the spawn below says so.
    .catch(() => undefined)
    .then((canCompile) => {
      if (canCompile) return ['-cp', join(dir, 'DynamoDBLocal.jar'), loopbackLauncher];
      if (canCompile === false)
        console.warn(
          'DynamoDB Local listens on every interface: this Java has no jdk.compiler module to bind it to 127.0.0.1.',
        );
      return ['-jar', join(dir, 'DynamoDBLocal.jar')];
    });
  return launch;
}

async function waitUntilListening(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${child.exitCode}`);
    try {
      // Any HTTP answer means the server is up (it answers 400 to an unsigned request).
      await fetch(endpoint, { method: 'POST' });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`DynamoDB Local did not start within ${timeoutMs} ms`);
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const port = options.port || (await freePort());
  const dir = emulatorDir();
  // -sharedDb: one database whatever the credentials, so any tool (aws cli, tests) sees the same tables.
  // DynamoDB Local reports usage to AWS unless told not to. Its 1.25 jar parses `-disableTelemetry` but only
  // consults `DDB_LOCAL_TELEMETRY` (not "0": on), so the child gets both: the flag for newer jars, the variable for
  // this one.
  const serverArgs = [
    ...(options.dataDir ? ['-dbPath', options.dataDir] : ['-inMemory']),
    '-sharedDb',
    '-disableTelemetry',
  ];
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
      ...(await mainArgs(dir)),
      '-port',
      String(port),
      ...serverArgs,
    ],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DDB_LOCAL_TELEMETRY: '0' } },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const spawnFailed = once(child, 'error').then(([error]) => {
    throw new Error(
      `Cannot start Java for DynamoDB Local (is Java 17+ installed?): ${(error as Error).message}`,
    );
  });
  // Never leave Java behind when this process ends, whatever the way (a test runner killing its worker too).
  const killChild = () => child.kill('SIGKILL');
  process.once('exit', killChild);
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    // Generous: on a loaded machine (test files starting runtimes in parallel) the JVM alone can take half a minute.
    await Promise.race([waitUntilListening(endpoint, child, 60_000), spawnFailed]);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  return {
    endpoint,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
      process.off('exit', killChild);
    },
  };
}
