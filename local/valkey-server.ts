/**
 * A real Valkey server (or Redis: Debian's `redis-server`, see scripts/ensure-redis.sh) for the hot state, on a
 * free loopback port, keeping nothing on disk: hot state is short-lived by design, and a restart forgets it.
 *
 * It runs in cluster mode, one node holding every slot, because ElastiCache Serverless is only that: a cluster
 * client, and a command or script whose keys lie in two slots fails here with CROSSSLOT as it would in AWS.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onPath, startChildServer } from './child-server.ts';
import { freePort } from './ports.ts';

export interface ValkeyServer {
  /** `redis://127.0.0.1:<port>`, what `VALKEY_URL` takes. */
  url: string;
  stop(): Promise<void>;
}

/** Valkey when it is installed, else Redis (the same protocol and commands for all we use). */
const serverCommand = () => (onPath('valkey-server') ? 'valkey-server' : 'redis-server');

/** One inline command's first reply line (a loading server answers an error, which rejects). */
function inlineCommand(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(1_000, () => socket.destroy(new Error(`${command} timed out`)));
    socket.once('error', reject);
    socket.once('connect', () => socket.write(`${command}\r\n`));
    socket.once('data', (reply) => {
      socket.destroy();
      const answer = reply.toString();
      if (answer.startsWith('-')) reject(new Error(answer.trim()));
      else resolve(answer);
    });
  });
}

/** Gives the one node every slot (once), then resolves when the cluster says it is up. */
async function clusterReady(port: number): Promise<void> {
  const info = await inlineCommand(port, 'CLUSTER INFO');
  if (/cluster_slots_assigned:0\b/.test(info)) await inlineCommand(port, 'CLUSTER ADDSLOTSRANGE 0 16383');
  if (!/cluster_state:ok/.test(await inlineCommand(port, 'CLUSTER INFO')))
    throw new Error('cluster not up yet');
}

export async function startValkeyServer(): Promise<ValkeyServer> {
  const port = await freePort();
  // The node's cluster state file, which the server insists on writing; gone with the server.
  const dir = await mkdtemp(join(tmpdir(), 'chat-valkey-'));
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
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      join(dir, 'nodes.conf'),
      // The address CLUSTER SLOTS gives clients (else an empty host, which they cannot reach).
      '--cluster-announce-ip',
      '127.0.0.1',
    ],
    missingHint: 'run scripts/ensure-redis.sh, or install valkey-server or redis-server',
    probe: () => clusterReady(port),
    readyTimeoutMs: 10_000,
  }).catch(async (error: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw error;
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
