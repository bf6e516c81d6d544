/**
 * A real Valkey server (or Redis: Debian's `redis-server`, see scripts/ensure-redis.sh) for the hot state, on a
 * free loopback port, keeping nothing on disk: hot state is short-lived by design, and a restart forgets it.
 */
import { connect } from 'node:net';
import { onPath, startChildServer } from './child-server.ts';
import { freePort } from './ports.ts';

export interface ValkeyServer {
  /** `redis://127.0.0.1:<port>`, what `VALKEY_URL` takes. */
  url: string;
  stop(): Promise<void>;
}

/** Valkey when it is installed, else Redis (the same protocol and commands for all we use). */
const serverCommand = () => (onPath('valkey-server') ? 'valkey-server' : 'redis-server');

/** Resolves when the server answers PING with PONG (a loading server answers an error instead). */
function ping(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(1_000, () => socket.destroy(new Error('PING timed out')));
    socket.once('error', reject);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (reply) => {
      socket.destroy();
      if (reply.toString().startsWith('+PONG')) resolve();
      else reject(new Error(reply.toString()));
    });
  });
}

export async function startValkeyServer(): Promise<ValkeyServer> {
  const port = await freePort();
  const server = await startChildServer({
    name: 'the Valkey server',
    command: serverCommand(),
    args: [
      '--port',
      String(port),
      // Loopback only, and protected mode on: no password, so nothing but this machine may talk to it.
      '--bind',
      '127.0.0.1',
      '--protected-mode',
      'yes',
      '--save',
      '',
      '--appendonly',
      'no',
    ],
    missingHint: 'run scripts/ensure-redis.sh, or install valkey-server or redis-server',
    probe: () => ping(port),
    readyTimeoutMs: 10_000,
  });
  return { url: `redis://127.0.0.1:${port}`, stop: server.stop };
}
