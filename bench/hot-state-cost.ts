/**
 * A month of the workload the issue names on each hot-state backend, priced from the per-operation counts the
 * hot-state section measured and from `prices.json`.
 */
import type { PriceTable } from './cost.ts';
import type { BackendResult, HotStateMeasures } from './hot-state.ts';

/** The month the issue names: 10,000 users connected all month with the default heartbeats, 1M messages a day. */
const workload = {
  connectedUsers: 10_000,
  messagesPerDay: 1_000_000,
  days: 30,
  reconnectEverySeconds: 7_200,
};

interface CostLine {
  line: string;
  dynamodb: number;
  valkey: number;
  detail: string;
}

export interface HotStateMonth {
  workload: typeof workload & { heartbeatIntervalSeconds: number };
  lines: CostLine[];
  total: { dynamodb: number; valkey: number };
}

const dollars = (value: number) => Number(value.toFixed(2));
export const count = (value: number) => Math.round(value).toLocaleString('en-US');

export function hotStateMonth(measures: HotStateMeasures, prices: PriceTable): HotStateMonth {
  const { aws } = prices;
  const interval = measures.heartbeatIntervalSeconds;
  const monthSeconds = workload.days * 86_400;
  const heartbeats = (workload.connectedUsers * monthSeconds) / interval;
  const reconnects = (workload.connectedUsers * monthSeconds) / workload.reconnectEverySeconds;
  const messages = workload.messagesPerDay * workload.days;
  const connectionMinutes = (workload.connectedUsers * monthSeconds) / 60;
  const of = (backend: BackendResult['backend']) => {
    const result = measures.backends.find((b) => b.backend === backend);
    if (!result) throw new Error(`No measures of the ${backend} backend`);
    const { heartbeat, reconnect, send } = result;
    const month = (pick: (per: typeof heartbeat.perRequest) => number) =>
      heartbeats * pick(heartbeat.perRequest) +
      reconnects * pick(reconnect.perRequest) +
      messages * pick(send.result.perMessage);
    // A default heartbeat has no reply: one inbound frame. A reconnect's frames: its heartbeat and what it posts.
    const apiMessages =
      heartbeats +
      reconnects * (1 + reconnect.perRequest.posts) +
      messages * send.result.apiGatewayMessagesPerMessage;
    const ecpus =
      (backend === 'dynamodb' ? 0 : 1) *
      (heartbeats * result.valkey.heartbeat.ecpus +
        reconnects * result.valkey.reconnect.ecpus +
        messages * result.valkey.message.ecpus);
    const cache = aws.elastiCacheServerlessValkey;
    return {
      apiMessages,
      invocations: month((p) => p.invocations),
      gbSeconds: (month((p) => p.invocationMs) / 1000) * (prices.assumptions.lambdaMemoryMb / 1024),
      writeUnits: month((p) => p.writeUnits),
      readUnits: month((p) => p.readUnits),
      ecpus,
      storage: backend === 'valkey' ? ((cache.minimumGb * monthSeconds) / 3600) * cache.perGbHour : 0,
    };
  };
  const d = of('dynamodb');
  const v = of('valkey');
  const both = (
    line: string,
    pick: (m: typeof d) => number,
    price: number,
    detail: (m: typeof d) => string,
  ) => ({
    line,
    dynamodb: dollars(pick(d) * price),
    valkey: dollars(pick(v) * price),
    detail: `${detail(d)} / ${detail(v)}`,
  });
  const perMillion = (value: number) => value / 1e6;
  const lines: CostLine[] = [
    {
      line: 'API Gateway connection-minutes',
      dynamodb: dollars(perMillion(connectionMinutes) * aws.apiGatewayWebSocket.perMillionConnectionMinutes),
      valkey: dollars(perMillion(connectionMinutes) * aws.apiGatewayWebSocket.perMillionConnectionMinutes),
      detail: `${count(connectionMinutes)} minutes`,
    },
    both(
      'API Gateway messages',
      (m) => perMillion(m.apiMessages),
      aws.apiGatewayWebSocket.perMillionMessages,
      (m) => count(m.apiMessages),
    ),
    both(
      'Lambda requests',
      (m) => perMillion(m.invocations),
      aws.lambda.perMillionRequests,
      (m) => count(m.invocations),
    ),
    both(
      'Lambda duration (local wall time)',
      (m) => m.gbSeconds,
      aws.lambda.perGbSecondArm64,
      (m) => `${count(m.gbSeconds)} GB-s`,
    ),
    both(
      'DynamoDB writes',
      (m) => perMillion(m.writeUnits),
      aws.dynamoDbOnDemand.perMillionWriteRequestUnits,
      (m) => `${count(m.writeUnits)} WCU`,
    ),
    both(
      'DynamoDB reads',
      (m) => perMillion(m.readUnits),
      aws.dynamoDbOnDemand.perMillionReadRequestUnits,
      (m) => `${count(m.readUnits)} RCU`,
    ),
    {
      line: 'ElastiCache data stored (the 100 MB minimum)',
      dynamodb: 0,
      valkey: dollars(v.storage),
      detail: `— / ${aws.elastiCacheServerlessValkey.minimumGb} GB × 720 h`,
    },
    both(
      'ElastiCache ECPUs',
      (m) => perMillion(m.ecpus),
      aws.elastiCacheServerlessValkey.perMillionEcpus,
      (m) => `${count(m.ecpus)} ECPU`,
    ),
    {
      line: 'VPC endpoints',
      dynamodb: 0,
      valkey: 0,
      detail:
        'none: the functions stay outside any VPC, the cache is reached on its public IAM-only endpoint',
    },
  ];
  const total = (pick: (l: CostLine) => number) => dollars(lines.reduce((sum, l) => sum + pick(l), 0));
  return {
    workload: { ...workload, heartbeatIntervalSeconds: interval },
    lines,
    total: { dynamodb: total((l) => l.dynamodb), valkey: total((l) => l.valkey) },
  };
}
