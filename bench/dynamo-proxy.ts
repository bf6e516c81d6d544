/**
 * A counting HTTP proxy on loopback between the functions and DynamoDB Local. It counts calls per operation,
 * asks for `ReturnConsumedCapacity: TOTAL` on every call that supports it (DynamoDB Local ignores signatures,
 * so rewriting the body is safe here) and sums the capacity the answers report. The product code is unchanged.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, request } from 'node:http';
import { performance } from 'node:perf_hooks';

/** Operations that accept `ReturnConsumedCapacity`, and whether they consume reads or writes. */
const capacityKind: Record<string, 'read' | 'write'> = {
  GetItem: 'read',
  BatchGetItem: 'read',
  Query: 'read',
  Scan: 'read',
  TransactGetItems: 'read',
  PutItem: 'write',
  UpdateItem: 'write',
  DeleteItem: 'write',
  BatchWriteItem: 'write',
  TransactWriteItems: 'write',
};

interface OperationCounts {
  calls: number;
  /** Answers other than 200: failed conditions, cancelled transactions, throttling. */
  failed: number;
  readUnits: number;
  writeUnits: number;
  /** Summed time DynamoDB Local took to answer, in milliseconds. */
  totalMs: number;
}

export type DynamoCounts = Record<string, OperationCounts>;

interface ConsumedCapacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

export interface CountingProxy {
  endpoint: string;
  /** A copy of the counts so far, per operation. */
  snapshot(): DynamoCounts;
  stop(): Promise<void>;
}

async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function withCapacityRequested(body: Buffer, operation: string): Buffer {
  if (!(operation in capacityKind) || body.length === 0) return body;
  const input = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  return Buffer.from(JSON.stringify({ ...input, ReturnConsumedCapacity: 'TOTAL' }));
}

function addConsumed(counts: OperationCounts, operation: string, answer: Buffer): void {
  let consumed: ConsumedCapacity | ConsumedCapacity[] | undefined;
  try {
    consumed = (JSON.parse(answer.toString('utf8')) as { ConsumedCapacity?: typeof consumed })
      .ConsumedCapacity;
  } catch {
    return;
  }
  // Batch and transaction answers list one entry per table.
  for (const entry of [consumed ?? []].flat()) {
    const total = entry.CapacityUnits ?? 0;
    const split = entry.ReadCapacityUnits !== undefined || entry.WriteCapacityUnits !== undefined;
    if (split) {
      counts.readUnits += entry.ReadCapacityUnits ?? 0;
      counts.writeUnits += entry.WriteCapacityUnits ?? 0;
    } else if (capacityKind[operation] === 'read') {
      counts.readUnits += total;
    } else {
      counts.writeUnits += total;
    }
  }
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const counts: DynamoCounts = {};
  const targetUrl = new URL(target);
  const server = createServer(async (req, res) => {
    try {
      const operation =
        String(req.headers['x-amz-target'] ?? 'unknown')
          .split('.')
          .pop() ?? 'unknown';
      counts[operation] ??= { calls: 0, failed: 0, readUnits: 0, writeUnits: 0, totalMs: 0 };
      const entry = counts[operation];
      entry.calls++;
      const body = withCapacityRequested(await readAll(req), operation);
      const headers = { ...req.headers, host: targetUrl.host, 'content-length': String(body.length) };
      const upstream = request({
        host: targetUrl.hostname,
        port: targetUrl.port,
        method: req.method,
        path: req.url,
        headers,
      });
      const startedAt = performance.now();
      upstream.end(body);
      const [answer] = (await once(upstream, 'response')) as [IncomingMessage];
      const answerBody = await readAll(answer);
      entry.totalMs += performance.now() - startedAt;
      if (answer.statusCode === 200) addConsumed(entry, operation, answerBody);
      else entry.failed++;
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      res.end(answerBody);
    } catch (error) {
      res.writeHead(502, { 'content-type': 'text/plain' }).end((error as Error).message);
    }
  });
  // Connections stay open between the SDK's requests, as they would to DynamoDB.
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    snapshot: () => structuredClone(counts),
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
