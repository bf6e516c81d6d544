/**
 * DynamoDB Local from the jar that `amplify-dynamodb-simulator` ships, run with the machine's Java 17+, listening on
 * 127.0.0.1 only (it has no authentication): see LoopbackDynamoDbLocal.java.
 */
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startChildServer } from './child-server.ts';
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
  const endpoint = `http://127.0.0.1:${port}`;
  const server = await startChildServer({
    name: 'DynamoDB Local',
    command: 'java',
    args: [
      `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
      ...(await mainArgs(dir)),
      '-port',
      String(port),
      ...serverArgs,
    ],
    cwd: dir,
    env: { ...process.env, DDB_LOCAL_TELEMETRY: '0' },
    missingHint: 'is Java 17+ installed?',
    // Any HTTP answer means the server is up (it answers 400 to an unsigned request).
    probe: () => fetch(endpoint, { method: 'POST' }),
    // Generous: on a loaded machine (test files starting runtimes in parallel) the JVM alone can take half a minute.
    readyTimeoutMs: 60_000,
  });
  return { endpoint, stop: server.stop };
}
