/**
 * The hot state's Valkey client, created once per container from the environment and reused by every invocation:
 * `VALKEY_URL` locally (`redis://127.0.0.1:6380`, the local runtime's server); in AWS `VALKEY_ENDPOINT` (host:port
 * of the serverless cache), `VALKEY_CACHE_NAME` and `VALKEY_USER`, over TLS with IAM authentication.
 *
 * It is a cluster client: ElastiCache Serverless speaks only cluster mode (and the local server runs in it too),
 * so every command and script names keys of one slot, and the client sends each to the node that holds it.
 *
 * Timeouts fit a Lambda that answers a person: a command that takes over 250 ms fails (the handler answers an
 * error rather than waiting out its own time-out), a connect over 1 s too; the client reconnects with backoff,
 * and a command waiting for a connection is failed after two reconnects, so nothing queues up without bound.
 */
import { once } from 'node:events';
import { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { AbstractConnector, Cluster, type ClusterOptions, type RedisOptions } from 'iovalkey';
import { requireEnv } from '../config.ts';
import { logger } from '../observability.ts';
import { IamAuthToken } from './iam-auth-token.ts';

/** What every hot-state adapter is given: this container's one cluster client. */
export type HotStateClient = Cluster;

const connectTimeoutMs = 1_000;

const backoff = (attempt: number) => Math.min(50 * 2 ** attempt, 2_000);

/** Each node connection's options. */
const nodeOptions = {
  connectTimeout: connectTimeoutMs,
  commandTimeout: 250,
  maxRetriesPerRequest: 2,
  // The ready check (INFO) waits for a server loading its data from disk: ours keep none, so it is a round trip
  // for nothing on every cold start.
  enableReadyCheck: false,
} satisfies ClusterOptions['redisOptions'];

const clusterOptions = {
  // A connection is opened by the first command that needs it: functions that never touch the hot state never
  // connect.
  lazyConnect: true,
  clusterRetryStrategy: backoff,
  slotsRefreshTimeout: connectTimeoutMs,
  // Commands issued together (a fan-out's many users) share one write per node instead of one each.
  enableAutoPipelining: true,
  // AWS's certificate names the endpoint: nodes are reached by the names the cluster gives, not resolved first.
  dnsLookup: (address, callback) => callback(null, address),
  enableReadyCheck: false,
} satisfies ClusterOptions;

/** Where a token comes from: signed once and reused while it has minutes left (see `IamAuthToken`). */
interface TokenSource {
  token(): Promise<string>;
}

export interface IamAuthSettings {
  host: string;
  port: number;
  userId: string;
  tokens: TokenSource;
  /** Always in AWS (IAM authentication requires it); off only to test against a local server. */
  tls: boolean;
}

/** `AUTH user token` in RESP, and its answer: `+OK`, or an error line. */
async function authenticate(stream: Socket, userId: string, token: string): Promise<void> {
  const args = ['AUTH', userId, token];
  stream.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
  let reply = '';
  while (!reply.includes('\r\n')) reply += String((await once(stream, 'data'))[0]);
  if (!reply.startsWith('+OK')) throw new Error(`Valkey refused the IAM token: ${reply.trim()}`);
}

/**
 * The client's own AUTH carries a password fixed when the client is made; an IAM token lasts 15 minutes and a
 * connection at most 12 hours. So this connector authenticates each new connection itself, with a token taken
 * just then, before the client sees the connection. A failure hands the client a closed connection, which it
 * treats as a lost one: it reconnects with backoff (and a new token) instead of giving up.
 */
function iamAuthConnector(settings: IamAuthSettings) {
  return class IamAuthConnector extends AbstractConnector {
    /** The node this connection is to: the cluster gives each node's address in the options. */
    private readonly node: { host: string; port: number };

    constructor(options: unknown) {
      super(connectTimeoutMs);
      const { host, port } = options as Pick<RedisOptions, 'host' | 'port'>;
      this.node = { host: host ?? settings.host, port: port ?? settings.port };
    }

    async connect() {
      this.connecting = true;
      const { host, port } = this.node;
      const stream = settings.tls
        ? tlsConnect({ host, port, servername: host })
        : new Socket().connect({ host, port });
      this.stream = stream;
      // Recorded for the client, which reports it when it gets a closed connection; never an unhandled 'error'.
      stream.on('error', (error) => {
        this.firstError = error;
      });
      const timer = setTimeout(() => stream.destroy(new Error('connect ETIMEDOUT')), connectTimeoutMs);
      try {
        const [token] = await Promise.all([
          settings.tokens.token(),
          once(stream, settings.tls ? 'secureConnect' : 'connect'),
        ]);
        await authenticate(stream, settings.userId, token);
      } catch (error) {
        // Closed by the client meanwhile (its disconnect): a refusal, which ends it, as iovalkey's own connector does.
        if (!this.connecting) throw error;
        this.firstError = error as Error;
        stream.destroy();
      } finally {
        clearTimeout(timer);
      }
      return stream;
    }
  };
}

/** Connection failures are logged once each; the commands they fail answer for themselves. */
function logged(client: Cluster): Cluster {
  client.on('error', (error: Error) => logger.warn('Valkey connection failed', { error: error.message }));
  return client;
}

/** A client whose every connection, to any node, authenticates with a fresh IAM token. */
export function valkeyWithIamAuth(settings: IamAuthSettings): Cluster {
  return logged(
    new Cluster([{ host: settings.host, port: settings.port }], {
      ...clusterOptions,
      redisOptions: { ...nodeOptions, Connector: iamAuthConnector(settings) },
    }),
  );
}

export function createValkeyClient(): Cluster {
  const url = process.env.VALKEY_URL;
  if (url) {
    // The local server shares two cores with every function, the gateways and the tests: a pause there is the
    // machine's load, not a lost network, so local waits are longer than a Lambda's.
    const redisOptions = { ...nodeOptions, connectTimeout: 5_000, commandTimeout: 2_000 };
    return logged(new Cluster([url], { ...clusterOptions, slotsRefreshTimeout: 5_000, redisOptions }));
  }
  const [host, port] = requireEnv('VALKEY_ENDPOINT').split(':');
  const userId = requireEnv('VALKEY_USER');
  const tokens = new IamAuthToken({
    cacheName: requireEnv('VALKEY_CACHE_NAME'),
    userId,
    region: requireEnv('AWS_REGION'),
    credentials: defaultProvider(),
  });
  return valkeyWithIamAuth({ host: host ?? '', port: Number(port ?? 6379), userId, tokens, tls: true });
}
