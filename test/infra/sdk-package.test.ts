/**
 * The client SDK as an app developer gets it: `npm pack` in client/ (its `prepack` builds dist/ with tsup), the
 * tarball installed into a fresh app outside this repository, and that app's code type-checked against the
 * installed package (strict, under both `bundler` and `NodeNext` resolution), bundled for the browser with
 * esbuild and imported by Node. A broken `exports` map, a missing declaration or a file left out of the tarball
 * fails here. No registry is needed: the package has no dependencies, so the install runs `--offline`.
 */
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../', import.meta.url));
const clientDir = join(repo, 'client');
const tsc = join(repo, 'node_modules/typescript/bin/tsc');
const packageName = '@serverless-chat/client';

/**
 * The environment without what `npm run` puts in it (npm_config_local_prefix, npm_package_*, ...), so that
 * npm in the temporary app does not take this repository for its project.
 */
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('npm_')));

let work: string;
let app: string;
let installed: string;

/** Runs a command and fails with its output when it fails. */
async function sh(file: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await run(file, args, { cwd, env, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${file} ${args.join(' ')} failed in ${cwd}:\n${stdout}\n${stderr}`);
  }
}

/** What an app writes: the client, its events and a few of the exported types. */
const usage = `import {
  ChatApiError,
  type ChatClient,
  type ChatClientOptions,
  type ConnectionStatus,
  createChatClient,
  type Message,
  type OutgoingMessage,
  type ConversationWithMembers,
} from '${packageName}';

const options: ChatClientOptions = {
  httpUrl: 'https://api.example.com',
  wsUrl: 'wss://ws.example.com/prod',
  userId: 'user-1',
  getToken: async () => 'token',
};
export const chat: ChatClient = createChatClient(options);

const statuses: ConnectionStatus[] = [];
const received: Message[] = [];
export const unsubscribe: () => void = chat.on('message', (message) => {
  const seq: number = message.seq;
  if (seq > 0) received.push(message);
});
chat.on('status', (status) => statuses.push(status));
chat.on('outgoing', (sending: OutgoingMessage) => sending.clientMessageId);
// @ts-expect-error not an event of the SDK: proves the types are the SDK's and not \`any\`
chat.on('no-such-event', () => {});

export async function start(otherUserId: string): Promise<ConversationWithMembers | undefined> {
  try {
    const conversation = await chat.startDirectConversation(otherUserId);
    chat.send(conversation.conversationId, 'hello');
    return conversation;
  } catch (error) {
    if (error instanceof ChatApiError) return undefined;
    throw error;
  }
}
`;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'sdk-package-'));
  const packed = join(work, 'packed');
  mkdirSync(packed);
  await sh('npm', ['pack', '--pack-destination', packed], clientDir);
  const tarball = readdirSync(packed).find((name) => name.endsWith('.tgz'));
  if (tarball === undefined) throw new Error(`npm pack wrote no tarball to ${packed}`);

  app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'sdk-app', private: true, type: 'module' }),
  );
  writeFileSync(join(app, 'app.ts'), usage);
  await sh('npm', ['install', join(packed, tarball), '--no-audit', '--no-fund', '--offline'], app);
  installed = join(app, 'node_modules', packageName);
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the SDK package, installed from its tarball into a fresh app', () => {
  it('holds every file its package.json points at, and no dependencies', () => {
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(manifest.sideEffects).toBe(false);
    const targets: string[] = [manifest.main, manifest.types];
    const collect = (value: unknown): void => {
      if (typeof value === 'string') targets.push(value);
      else if (value && typeof value === 'object') Object.values(value).forEach(collect);
    };
    collect(manifest.exports);
    expect(targets.length).toBeGreaterThan(2);
    for (const target of targets) expect(existsSync(join(installed, target)), target).toBe(true);
    expect(existsSync(join(installed, 'README.md'))).toBe(true);
  });

  it.each([
    ['bundler', { module: 'ESNext', moduleResolution: 'bundler' }],
    ['NodeNext', { module: 'NodeNext', moduleResolution: 'NodeNext' }],
  ])('type-checks an app against it (strict, moduleResolution %s)', async (name, resolution) => {
    const config = join(app, `tsconfig.${name}.json`);
    writeFileSync(
      config,
      JSON.stringify({
        compilerOptions: {
          ...resolution,
          target: 'ES2022',
          lib: ['ES2022', 'DOM'],
          strict: true,
          noEmit: true,
          // The package's declarations are checked too.
          skipLibCheck: false,
          types: [],
        },
        files: ['app.ts'],
      }),
    );
    await sh(process.execPath, [tsc, '-p', config, '--pretty', 'false'], app);
  });

  it('bundles for the browser with esbuild, with the SDK code in the bundle', async () => {
    const result = await build({
      absWorkingDir: app,
      entryPoints: ['app.ts'],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain(`node_modules/${packageName}/dist/index.js`);
    const bundle = result.outputFiles[0]?.text ?? '';
    expect(bundle).toContain('function createChatClient(');
    expect(bundle).toMatch(/\bChatClient = class\b/);
    expect(bundle).not.toContain(`from "${packageName}"`);
  });

  it('costs nothing when imported and unused (sideEffects: false)', async () => {
    const result = await build({
      absWorkingDir: app,
      stdin: { contents: `import '${packageName}';`, resolveDir: app },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    expect(result.outputFiles[0]?.text.trim()).toBe('');
  });

  it('imports in Node by its package name', async () => {
    const script = `const sdk = await import('${packageName}'); console.log(typeof sdk.createChatClient, typeof sdk.ChatApiError);`;
    const stdout = await sh(process.execPath, ['--input-type=module', '-e', script], app);
    expect(stdout.trim()).toBe('function function');
  });
});
