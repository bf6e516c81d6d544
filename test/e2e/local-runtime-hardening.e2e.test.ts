import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { type IncomingMessage, request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import { freePort } from '../../local/ports.ts';
import { type DevRun, devRunToken, killDevRun, spawnDevRun } from '../support/dev-process.ts';

type Run = DevRun;

/** `npm run dev` on the given ports (free ones by default). */
const spawnRun = (ports: { http: number; ws: number } = { http: 0, ws: 0 }) =>
  spawnDevRun({ HTTP_PORT: String(ports.http), WS_PORT: String(ports.ws) });
const kill = killDevRun;
const tokenFor = devRunToken;

async function openSocket(run: Run, userId: string) {
  const socket = new WebSocket(`${run.wsUrl}?token=${encodeURIComponent(await tokenFor(run, userId))}`);
  const events: Record<string, unknown>[] = [];
  socket.on('message', (data) => events.push(JSON.parse(data.toString()) as Record<string, unknown>));
  socket.on('error', () => undefined);
  await once(socket, 'open');
  return { socket, events };
}

const newUser = (name: string) => `${name}-${Math.random().toString(36).slice(2, 10)}`;

/** The runtime still accepts a new socket and answers its heartbeat. */
async function expectServing(run: Run) {
  expect(run.child.exitCode, run.output()).toBeNull();
  const { socket, events } = await openSocket(run, newUser('after'));
  socket.send(JSON.stringify({ action: 'heartbeat', reply: true }));
  await expect.poll(() => events.map((e) => e.type), { timeout: 5_000 }).toContain('pong');
  socket.close();
}

const local = process.env.CHAT_TARGET !== 'deployed';

describe.skipIf(!local)('the local runtime against frames it refuses', () => {
  let run: Run;
  beforeAll(async () => {
    run = await spawnRun().ready;
  }, 120_000);
  afterAll(async () => {
    if (run) await kill(run.child);
  });

  it('closes a socket sending one frame over 128 KB with 1009, and keeps serving', async () => {
    const { socket } = await openSocket(run, newUser('big'));
    const closed = once(socket, 'close');
    socket.send(JSON.stringify({ action: 'sendMessage', body: 'x'.repeat(129 * 1024) }));
    const [code] = await closed;
    expect(code).toBe(1009);
    await expectServing(run);
  });

  it('closes a socket sending a text frame that is not UTF-8 with 1007, and keeps serving', async () => {
    const { socket } = await openSocket(run, newUser('utf8'));
    const closed = once(socket, 'close');
    // `ws` sends a Buffer as it is, in a text frame when not binary: a lone continuation byte, an overlong form.
    socket.send(Buffer.from([0x7b, 0x80, 0xc0, 0xaf, 0x7d]), { binary: false });
    const [code] = await closed;
    expect(code).toBe(1007);
    await expectServing(run);
  });

  it('keeps serving after many refused frames at once', async () => {
    const sockets = await Promise.all(Array.from({ length: 5 }, () => openSocket(run, newUser('many'))));
    await Promise.all(
      sockets.map(({ socket }, i) => {
        const closed = once(socket, 'close');
        if (i % 2) socket.send(Buffer.alloc(200 * 1024, 0x61));
        else socket.send(Buffer.from([0xff, 0xfe]), { binary: false });
        return closed;
      }),
    );
    await expectServing(run);
  });
});

/** The local addresses (hex, as /proc/net/tcp{,6} give them) of the sockets listening on a TCP port. */
function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6']
    .filter((file) => existsSync(file))
    .flatMap((file) => readFileSync(file, 'utf8').split('\n').slice(1))
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[3] === '0A' && fields[1]?.endsWith(`:${hexPort}`))
    .map((fields) => (fields[1] as string).split(':')[0] as string);
}

/** The command line and environment of the process whose command line has `-port <port>`, from /proc. */
function processOnPort(port: number): { args: string[]; env: string[] } | undefined {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const at = args.indexOf('-port');
      if (at >= 0 && args[at + 1] === String(port)) {
        return { args, env: readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0') };
      }
    } catch {
      // A process that ended while we looked.
    }
  }
  return undefined;
}

describe.skipIf(!local)('DynamoDB Local', () => {
  it.skipIf(!existsSync('/proc/self/environ'))(
    'runs with telemetry off',
    async () => {
      const dynamo = await startDynamoDbLocal();
      try {
        const found = processOnPort(Number(new URL(dynamo.endpoint).port));
        expect(found?.args).toContain('-disableTelemetry');
        // What the 1.25 jar reads (TelemetryUtil.checkForTelemetryFlag): anything but "0" sends telemetry.
        expect(found?.env).toContain('DDB_LOCAL_TELEMETRY=0');
      } finally {
        await dynamo.stop();
      }
    },
    60_000,
  );

  it('listens on 127.0.0.1 only', async () => {
    const dynamo = await startDynamoDbLocal();
    try {
      const port = Number(new URL(dynamo.endpoint).port);
      // Any HTTP answer (400 unsigned) on loopback.
      expect((await fetch(dynamo.endpoint, { method: 'POST' })).status).toBe(400);
      // What `ss -ltn` shows, from the kernel's tables: every listening socket on that port is loopback's.
      if (existsSync('/proc/net/tcp')) {
        expect(listeningAddresses(port)).toEqual([
          expect.stringMatching(/^(0100007F|0000000000000000FFFF00000100007F)$/),
        ]);
      }
      // And nothing answers on this machine's other addresses.
      const others = Object.values(networkInterfaces())
        .flat()
        .filter((address) => address && !address.internal && address.family === 'IPv4');
      for (const address of others) {
        const host = address?.address as string;
        await expect(fetch(`http://${host}:${port}`, { method: 'POST' })).rejects.toThrow();
      }
    } finally {
      await dynamo.stop();
    }
  }, 60_000);
});

/**
 * How long a probe waits before it calls the request hung. A runtime that leaves a request unanswered leaves it
 * so for good; a starting one on a loaded two-core CI machine (other suites' Java and workers beside it) has been
 * seen to take over 3 s to answer, so the bound is generous rather than tight.
 */
const hungAfterMs = 10_000;

/** What one request to a starting runtime got: refused (not listening yet), an answer, or nothing in time. */
async function probe(url: string): Promise<'refused' | 'hung' | number> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(hungAfterMs) })).status;
  } catch (error) {
    return (error as Error).name === 'TimeoutError' ? 'hung' : 'refused';
  }
}

async function probeUpgrade(url: string): Promise<'refused' | 'hung' | number> {
  const socket = new WebSocket(url);
  const outcome = await new Promise<'refused' | 'hung' | number>((resolve) => {
    socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.on('open', () => resolve(101));
    socket.on('error', () => resolve('refused'));
    setTimeout(() => resolve('hung'), hungAfterMs);
  });
  socket.terminate();
  return outcome;
}

describe.skipIf(!local)('the local runtime while it starts', () => {
  it('answers every request, 503 until it is ready, and never leaves one hanging', async () => {
    const [http, ws] = [await freePort(), await freePort()];
    const { child, ready } = spawnRun({ http, ws });
    let started = false;
    ready.then(
      () => {
        started = true;
      },
      () => undefined,
    );
    const outcomes: Array<'refused' | 'hung' | number> = [];
    try {
      while (!started && child.exitCode === null) {
        outcomes.push(
          ...(await Promise.all([
            probe(`http://127.0.0.1:${http}/conversations`),
            probe(`http://127.0.0.1:${ws}/@connections/x`),
            probeUpgrade(`ws://127.0.0.1:${ws}`),
          ])),
        );
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const run = await ready;
      expect(outcomes).not.toContain('hung');
      // The ports listen a while before the handlers are ready (the issuer, the table, the functions).
      expect(outcomes).toContain(503);
      await expectServing(run);
    } finally {
      await kill(child);
    }
  }, 120_000);
});

/** The status of a request to `url` naming `host` in its `Host` header (an upgrade when `upgrade`). */
async function statusWithHost(url: string, host: string, upgrade = false): Promise<number> {
  const headers: Record<string, string> = { host };
  if (upgrade) {
    Object.assign(headers, {
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-version': '13',
      'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
    });
  }
  const req = request(url, { headers });
  req.end();
  const [res] = (await Promise.race([once(req, 'response'), once(req, 'upgrade')])) as [IncomingMessage];
  res.resume?.();
  req.destroy();
  return res.statusCode ?? 0;
}

describe.skipIf(!local)('the local runtime and the Host header', () => {
  let run: Run;
  beforeAll(async () => {
    run = await spawnRun().ready;
  }, 120_000);
  afterAll(async () => {
    if (run) await kill(run.child);
  });

  it('refuses a foreign Host with 421 on both ports, upgrades too, and serves its own names', async () => {
    const httpPort = new URL(run.httpUrl).port;
    const wsHttp = run.wsUrl.replace(/^ws:/, 'http:');
    const wsPort = new URL(wsHttp).port;
    for (const host of ['evil.example', `evil.example:${httpPort}`, `127.0.0.1:${wsPort}`, '127.0.0.1']) {
      expect(await statusWithHost(`${run.httpUrl}/_local/.well-known/jwks.json`, host), host).toBe(421);
    }
    for (const host of [`evil.example:${wsPort}`, `localhost:${httpPort}`]) {
      expect(await statusWithHost(`${wsHttp}/@connections/x`, host), host).toBe(421);
      expect(await statusWithHost(`${wsHttp}/?token=x`, host, true), host).toBe(421);
    }
    for (const host of [`127.0.0.1:${httpPort}`, `localhost:${httpPort}`]) {
      expect(await statusWithHost(`${run.httpUrl}/_local/.well-known/jwks.json`, host), host).toBe(200);
    }
    expect(await statusWithHost(`${wsHttp}/@connections/x`, `localhost:${wsPort}`)).toBe(403);
    await expectServing(run);
  });

  it('refuses @connections to anyone but its own functions, which still deliver', async () => {
    const wsHttp = run.wsUrl.replace(/^ws:/, 'http:');
    const { socket, events } = await openSocket(run, newUser('victim'));
    // The ids API Gateway makes, and what a client could learn of its own: none reach the connection.
    for (const path of [
      '/@connections/x',
      '/@connections/x%3D',
      '/local/@connections/x',
      '//@connections/x',
    ]) {
      for (const method of ['GET', 'POST', 'DELETE']) {
        const answer = await fetch(`${wsHttp}${path}`, {
          method,
          ...(method === 'POST' ? { body: '{"type":"error","code":"unauthorized"}' } : {}),
        });
        expect(answer.status, `${method} ${path}`).toBe(403);
      }
    }
    expect(socket.readyState).toBe(WebSocket.OPEN);
    socket.send(JSON.stringify({ action: 'heartbeat', reply: true }));
    await expect.poll(() => events.map((e) => e.type), { timeout: 5_000 }).toEqual(['pong']);
    socket.close();
  });
});
