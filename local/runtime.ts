/**
 * The whole system on one machine, no AWS account and no Docker: DynamoDB Local with the shared table, the HTTP
 * and WebSocket gateways dispatching the shared route table to the real handlers, the stream pollers feeding
 * the fan-out consumer and the domain-event publisher, and the local token issuer (or another issuer the
 * runtime is told to trust).
 */

import { once } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createTokenVerifier, jwksUriOf, type VerifierConfig } from '../shared/auth/token-verifier.ts';
import { allFunctionSpecs } from '../shared/shape/functions.ts';
import { pushWorker } from '../shared/shape/routes.ts';
import { scheduledFunctions } from '../shared/shape/scheduled.ts';
import { PresenceStore } from '../shared/store/presence-store.ts';
import { createApiDocsHandler } from './api-docs.ts';
import { newConnectionsPathPrefix } from './connections-endpoint.ts';
import { createDevIssuer, type DevIssuer, devAudience } from './dev-issuer.ts';
import { startDynamoDbLocal } from './dynamodb-local.ts';
import { createGuardedServer } from './guarded-server.ts';
import { createHttpGateway, type ExtraHandler } from './http-gateway.ts';
import { LocalFunctions } from './lambda.ts';
import { LocalPushQueue } from './push-queue.ts';
import { type LocalS3Server, startS3Server } from './s3-server.ts';
import { LocalScheduler } from './scheduler.ts';
import { createStreamConsumers } from './stream-consumers.ts';
import type { StreamPoller } from './stream-poller.ts';
import { createChatTable } from './table.ts';
import { LocalUploadNotifications } from './upload-notifications.ts';
import { startValkeyServer, type ValkeyServer } from './valkey-server.ts';
import { WebSocketGateway } from './websocket-gateway.ts';

export interface LocalRuntimeOptions {
  /** 0 picks a free port. Defaults: env `HTTP_PORT` or 3000, env `WS_PORT` or 3001. */
  httpPort?: number;
  wsPort?: number;
  /** Keep DynamoDB data in this folder across restarts; in memory when absent. */
  dataDir?: string;
  tableName?: string;
  /** Pause of the stream poller when the stream is idle. */
  streamPollIntervalMs?: number;
  /** Hold each stream record this long before a consumer gets it, like AWS's stream hop. @default 0 */
  streamDelayMs?: number;
  idleTimeoutMs?: number;
  maxConnectionMs?: number;
  /** Serve more paths on the HTTP port (the demo page), given the runtime's URLs; `/docs/` is always served. */
  extraHttpHandlers?: (urls: { httpUrl: string; wsUrl: string }) => Promise<ExtraHandler[]>;
  /**
   * Puts something between the functions and DynamoDB Local (the benchmarks' counting proxy): given DynamoDB
   * Local's endpoint, answers the endpoint the functions use. The runtime's own clients stay direct.
   */
  dynamoDbProxy?: (endpoint: string) => Promise<string>;
  /** How often the scheduled functions run (the stack runs them every minute). @default 1 s */
  scheduleIntervalMs?: number;
  /** Every function's time-out, as Lambda enforces it. @default 30 s, the deployed functions' */
  functionTimeoutMs?: number;
  /**
   * Trust this issuer (a Cognito user pool, say) instead of the local one, whose token endpoint is then off.
   */
  identity?: VerifierConfig;
  /**
   * `valkey` runs a Valkey server for the hot state (connections, presence, typing, rate limits).
   * @default env `CHAT_HOT_STATE`, else DynamoDB
   */
  hotState?: 'dynamodb' | 'valkey';
}

export interface LocalRuntime {
  httpUrl: string;
  wsUrl: string;
  /** The `@connections` endpoint the functions are given; its path holds this run's secret. */
  connectionsEndpoint: string;
  dynamoDbEndpoint: string;
  tableName: string;
  /** The Valkey server of the hot state, when it is on Valkey. */
  valkeyUrl?: string;
  /** The local S3 server holding the attachments, and its bucket. */
  s3: { endpoint: string; bucket: string };
  functions: LocalFunctions;
  websocket: WebSocketGateway;
  streamPoller: StreamPoller;
  streamPollIntervalMs: number;
  /** The push jobs' queue and its dead letters; the pushes are at `GET /_local/pushes?userId=`. */
  pushQueue: LocalPushQueue;
  /** A token from the local issuer (with those Cognito groups); fails when the runtime trusts another issuer. */
  issueToken(userId: string, groups?: readonly string[]): Promise<string>;
  stop(): Promise<void>;
}

const envPort = (name: string, fallback: number) =>
  process.env[name] ? Number(process.env[name]) : fallback;

async function listen(server: Server, port: number): Promise<number> {
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  return typeof address === 'object' && address ? address.port : port;
}

let started = false;

export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  // Handlers keep their clients in module scope, as in Lambda, so one process hosts one runtime.
  if (started) throw new Error('A local runtime is already running in this process');
  started = true;
  const tableName = options.tableName ?? 'chat-local';
  const streamPollIntervalMs = options.streamPollIntervalMs ?? 50;
  const dynamo = await startDynamoDbLocal(options.dataDir ? { dataDir: options.dataDir } : {});
  const http = createGuardedServer({ upgrades: false });
  const ws = createGuardedServer({ upgrades: true });
  const [httpServer, wsServer] = [http.server, ws.server];
  const hotState = options.hotState ?? (process.env.CHAT_HOT_STATE === 'valkey' ? 'valkey' : 'dynamodb');
  let valkey: ValkeyServer | undefined;
  let s3: LocalS3Server | undefined;
  try {
    if (hotState === 'valkey') valkey = await startValkeyServer();
    s3 = await startS3Server({
      accessKeyId: 'local',
      secretAccessKey: 'local',
      // With CHAT_DATA_DIR the uploads outlive a restart, as the table's records of them do.
      ...(options.dataDir ? { directory: join(options.dataDir, 's3') } : {}),
    });
    const httpUrl = `http://127.0.0.1:${await listen(httpServer, options.httpPort ?? envPort('HTTP_PORT', 3000))}`;
    const wsPort = await listen(wsServer, options.wsPort ?? envPort('WS_PORT', 3001));
    const wsUrl = `ws://127.0.0.1:${wsPort}`;
    const connectionsPathPrefix = newConnectionsPathPrefix();
    const connectionsEndpoint = `http://127.0.0.1:${wsPort}${connectionsPathPrefix}`;
    let identity = options.identity;
    let devIssuer: DevIssuer | undefined;
    if (!identity) {
      devIssuer = await createDevIssuer(httpUrl);
      identity = { issuer: devIssuer.issuer, audiences: [devAudience], jwksUri: devIssuer.jwksUri };
    }
    const functions = new LocalFunctions(
      options.functionTimeoutMs === undefined ? {} : { timeoutMs: options.functionTimeoutMs },
    );
    const pushQueue = new LocalPushQueue({ functions, consumerName: pushWorker.name });
    const uploads = new LocalUploadNotifications(functions);
    s3.onNotification((notification) => uploads.notify(notification));
    const functionsEndpoint = options.dynamoDbProxy
      ? await options.dynamoDbProxy(dynamo.endpoint)
      : dynamo.endpoint;
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL: functionsEndpoint,
      TABLE_NAME: tableName,
      CONNECTIONS_ENDPOINT: connectionsEndpoint,
      JWT_ISSUER: identity.issuer,
      JWT_AUDIENCE: identity.audiences.join(','),
      JWKS_URI: jwksUriOf(identity),
      // The functions' SQS adapter talks to the local queue; the worker records pushes instead of sending them.
      AWS_ENDPOINT_URL_SQS: `${httpUrl}${pushQueue.pathPrefix}`,
      PUSH_QUEUE_URL: `${httpUrl}${pushQueue.pathPrefix}/push-jobs`,
      PUSH_SENDER: 'recording',
      CHAT_HOT_STATE: hotState,
      ...(valkey ? { VALKEY_URL: valkey.url } : {}),
      // Attachments go to the local S3 server, path-style (it has no bucket host names).
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      S3_FORCE_PATH_STYLE: '1',
      ATTACHMENTS_BUCKET: s3.bucket,
      // Domain events are recorded for GET /_local/events instead of going to EventBridge.
      EVENT_PUBLISHER: 'recording',
      POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'ERROR',
    });
    const dynamoClient = new DynamoDBClient({ endpoint: dynamo.endpoint });
    await createChatTable(dynamoClient, tableName);
    // No socket outlives the gateway: connections an earlier run recorded (with `dataDir`) are all closed,
    // whether or not their `$disconnect` ran, so they are forgotten before the gateway accepts any. A Valkey
    // server starts empty (it keeps nothing on disk), so there is nothing to forget there.
    if (hotState === 'dynamodb') {
      await new PresenceStore({
        client: DynamoDBDocumentClient.from(dynamoClient),
        tableName,
      }).removeAllConnections();
    }
    await functions.load(allFunctionSpecs);

    const websocket = new WebSocketGateway({
      functions,
      idleTimeoutMs: options.idleTimeoutMs ?? 10 * 60_000,
      maxConnectionMs: options.maxConnectionMs ?? 2 * 3600_000,
      connectionsPathPrefix,
    });
    const serveManagement = async (req: IncomingMessage, res: ServerResponse) => {
      if (!(await websocket.handleManagement(req, res))) res.writeHead(426).end('Upgrade Required');
    };

    const gateway = createHttpGateway({
      functions,
      ...(devIssuer ? { devIssuer } : {}),
      verifyToken: createTokenVerifier(identity),
      // The API descriptions at /docs/, always; then the caller's (the demo page).
      extraHandlers: [
        pushQueue.handle,
        await createApiDocsHandler(),
        ...((await options.extraHttpHandlers?.({ httpUrl, wsUrl })) ?? []),
      ],
    });

    const table = await dynamoClient.send(new DescribeTableCommand({ TableName: tableName }));
    const { fanOut: streamPoller, events: eventPoller } = createStreamConsumers({
      endpoint: dynamo.endpoint,
      streamArn: table.Table?.LatestStreamArn ?? '',
      functions,
      pollIntervalMs: streamPollIntervalMs,
      delayMs: options.streamDelayMs ?? 0,
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    });
    streamPoller.start();
    eventPoller.start();
    pushQueue.start();
    const scheduler = new LocalScheduler(functions, scheduledFunctions, options.scheduleIntervalMs ?? 1_000);
    scheduler.start();
    http.serve(gateway);
    ws.serve(serveManagement, websocket.handleUpgrade);

    return {
      httpUrl,
      wsUrl,
      connectionsEndpoint,
      dynamoDbEndpoint: dynamo.endpoint,
      tableName,
      ...(valkey ? { valkeyUrl: valkey.url } : {}),
      s3: { endpoint: s3.endpoint, bucket: s3.bucket },
      functions,
      websocket,
      streamPoller,
      streamPollIntervalMs,
      pushQueue,
      async issueToken(userId, groups) {
        if (!devIssuer) throw new Error(`This runtime trusts ${identity.issuer}, not the local issuer`);
        return devIssuer.issue(userId, undefined, groups);
      },
      async stop() {
        await scheduler.stop();
        await websocket.close();
        await Promise.all([streamPoller.stop(), eventPoller.stop()]);
        await pushQueue.stop();
        await uploads.stop();
        await functions.drain();
        // Imported only now: a module the functions share must not load before the environment above is set
        // (the logger and metrics read POWERTOOLS_* once, when first imported).
        if (valkey) (await import('../shared/hot-state/valkey-hot-state.ts')).closeValkeyHotState();
        httpServer.closeAllConnections();
        await Promise.all([new Promise((r) => httpServer.close(r)), new Promise((r) => wsServer.close(r))]);
        dynamoClient.destroy();
        await Promise.all([dynamo.stop(), valkey?.stop(), s3?.stop()]);
        started = false;
      },
    };
  } catch (error) {
    httpServer.close();
    wsServer.close();
    await Promise.all([dynamo.stop(), valkey?.stop(), s3?.stop()]);
    started = false;
    throw error;
  }
}
