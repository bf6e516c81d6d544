/**
 * Idle connections: what a connected user who sends nothing costs per 30-day month. Each operation of an idle
 * connection (a heartbeat without reply, one with reply, a reconnect at API Gateway's 2-hour cut-off) is run
 * many times on real sockets, as fast as the runtime answers, and measured with the same counters as the other
 * scenarios; the month is those per-operation counts times the number of each operation a month holds. Our
 * default (the server's heartbeat interval, no reply) and the old client (a heartbeat every 30 s, each answered
 * with `pong`) are measured in the same run, on the same server.
 */
import { performance } from 'node:perf_hooks';
import { readSettings } from '../shared/config.ts';
import { type LocalChatSystem, sleep } from './chat-system.ts';
import { BenchSocket, type ServerFrame } from './client.ts';
import type { PriceTable } from './cost.ts';
import type { Usage } from './usage.ts';
import { usageBetween } from './usage.ts';

export interface IdleOptions {
  /** Heartbeats measured per kind (with and without reply) and variant. */
  heartbeats: number;
  /** Reconnects measured per variant. */
  reconnects: number;
  /** The old client's interval, the baseline. */
  baselineIntervalSeconds: number;
  /** Our interval; by default the one the server states in its `pong`. */
  intervalSeconds?: number;
}

export const defaultIdleOptions: IdleOptions = {
  heartbeats: 200,
  reconnects: 20,
  baselineIntervalSeconds: 30,
};

/** One operation of an idle connection, measured: totals over `count` runs and the means per run. */
export interface OperationMeasure {
  operation: string;
  count: number;
  /** Frames the client sent (API Gateway messages in); `$connect` and `$disconnect` are not frames. */
  framesInPerOperation: number;
  /** `@connections` posts (API Gateway messages out), and where the frames arrived. */
  postsPerOperation: number;
  framesToUserPerOperation: number;
  framesToContactsPerOperation: number;
  invocationsPerOperation: number;
  /** Local wall time of the functions per operation, the basis of the GB-second estimate. */
  invocationMsPerOperation: number;
  dynamoCallsPerOperation: number;
  readUnitsPerOperation: number;
  writeUnitsPerOperation: number;
  invocationsByFunction: Usage['invocationsByFunction'];
  dynamoByOperation: Usage['dynamoByOperation'];
  /** Operations that did not complete as expected (no `pong`, a refused connection). */
  failures: number;
}

interface MonthLine {
  line: string;
  /** Quantity per user per month, in the line's unit. */
  perMonth: number;
  unit: string;
  dollars: number;
  detail: string;
}

export interface MonthlyCost {
  design: string;
  intervalSeconds: number;
  reply: boolean;
  /** Operations per user per month (every device counted). */
  operationsPerMonth: Record<string, number>;
  lines: MonthLine[];
  perHour: { apiGatewayMessages: number; invocations: number; readUnits: number; writeUnits: number };
  totalPerUser: number;
  totalFor10kUsers: number;
}

interface IdleVariant {
  name: string;
  description: string;
  devices: number;
  onlineContacts: number;
  operations: OperationMeasure[];
  ours: MonthlyCost;
  baseline: MonthlyCost;
  /** Frames contacts received during the whole variant (heartbeats and hand-overs): presence fan-out. */
  framesToContacts: number;
}

export interface IdleResult {
  parameters: Record<string, number | string>;
  method: string[];
  variants: IdleVariant[];
  /** A reconnect done by closing first (no hand-over), with 3 online contacts: the presence flap it costs. */
  cutThenReconnect?: OperationMeasure;
  goal: { dollarsPerUserPerMonth: number; measured: number; worstVariant: string; met: boolean };
}

const monthSeconds = 30 * 24 * 3600;
const maxConnectionSeconds = 2 * 3600;
const answerTimeoutMs = 10_000;

interface Watched {
  toUser: number;
  toContacts: number;
  interval?: number;
}

/** The user's sockets and contacts' sockets, each frame they receive counted. */
class IdleUser {
  readonly counts: Watched = { toUser: 0, toContacts: 0 };
  framesIn = 0;
  failures = 0;

  constructor(
    readonly system: LocalChatSystem,
    readonly userId: string,
    readonly sockets: BenchSocket[],
    readonly contacts: BenchSocket[],
  ) {
    for (const socket of sockets) this.follow(socket);
    for (const contact of contacts) contact.onFrame(() => this.counts.toContacts++);
  }

  follow(socket: BenchSocket): void {
    socket.onFrame((frame: ServerFrame) => {
      this.counts.toUser++;
      if (frame.type === 'pong' && typeof frame.heartbeatIntervalSeconds === 'number')
        this.counts.interval = frame.heartbeatIntervalSeconds;
    });
  }

  private invoked(name: string): number {
    return this.system.runtime.functions.invocations.get(name) ?? 0;
  }

  /** Resolves once `name` has been invoked more than `after` times and nothing runs any more. */
  private async untilInvoked(name: string, after: number): Promise<void> {
    const deadline = performance.now() + answerTimeoutMs;
    while (this.invoked(name) <= after) {
      if (performance.now() > deadline) {
        this.failures++;
        return;
      }
      await sleep(1);
    }
    await this.system.runtime.functions.drain();
  }

  async heartbeat(socket: BenchSocket): Promise<void> {
    const before = this.invoked('WsHeartbeat');
    this.framesIn++;
    socket.send({ action: 'heartbeat' });
    await this.untilInvoked('WsHeartbeat', before);
  }

  async heartbeatWithReply(socket: BenchSocket): Promise<void> {
    const pong = socket.next((f) => f.type === 'pong', answerTimeoutMs);
    this.framesIn++;
    socket.send({ action: 'heartbeat', reply: true });
    if ((await pong) === undefined) this.failures++;
    await this.system.runtime.functions.drain();
  }

  /**
   * The 2-hour cut-off of device `index`: with `handOver`, the next connection opens (authorizer, `$connect`),
   * asks for a `pong`, and only then the old one closes (`$disconnect`), as the SDK moves over; without it the
   * old connection is closed first.
   */
  async reconnect(index: number, handOver: boolean): Promise<void> {
    const old = this.sockets[index] as BenchSocket;
    const closeOld = async () => {
      const before = this.invoked('WsDisconnect');
      await old.close();
      await this.untilInvoked('WsDisconnect', before);
    };
    if (!handOver) await closeOld();
    let fresh: BenchSocket;
    try {
      fresh = await BenchSocket.open(await this.system.socketUrl(this.userId), `${this.userId}#${index}`);
    } catch {
      this.failures++;
      return;
    }
    this.follow(fresh);
    this.sockets[index] = fresh;
    await this.heartbeatWithReply(fresh);
    if (handOver) await closeOld();
  }
}

async function measureOperation(
  user: IdleUser,
  operation: string,
  count: number,
  step: (index: number) => Promise<void>,
): Promise<OperationMeasure> {
  const { system } = user;
  await system.quiesce();
  const before = system.probe.snapshot();
  const start = { ...user.counts, framesIn: user.framesIn, failures: user.failures };
  for (let index = 0; index < count; index++) await step(index);
  await system.quiesce();
  const usage = usageBetween(before, system.probe.snapshot());
  const per = (value: number) => value / count;
  return {
    operation,
    count,
    framesInPerOperation: per(user.framesIn - start.framesIn),
    postsPerOperation: per(usage.posts),
    framesToUserPerOperation: per(user.counts.toUser - start.toUser),
    framesToContactsPerOperation: per(user.counts.toContacts - start.toContacts),
    invocationsPerOperation: per(usage.invocations),
    invocationMsPerOperation: per(usage.invocationMs),
    dynamoCallsPerOperation: per(usage.dynamoCalls),
    readUnitsPerOperation: per(usage.readUnits),
    writeUnitsPerOperation: per(usage.writeUnits),
    invocationsByFunction: usage.invocationsByFunction,
    dynamoByOperation: usage.dynamoByOperation,
    failures: user.failures - start.failures,
  };
}

const find = (operations: OperationMeasure[], name: string) => {
  const found = operations.find((o) => o.operation === name);
  if (!found) throw new Error(`No measured operation ${name}`);
  return found;
};

const round = (value: number, digits: number) => Number(value.toFixed(digits));

/**
 * A month of one design, per user: every connection heartbeats every `intervalSeconds` (with or without reply)
 * and is replaced once per 2 hours (a reconnect, its reply heartbeat included, counted on top of the interval's
 * heartbeats), for 43,200 connection-minutes each.
 */
function monthlyCost(
  design: string,
  operations: OperationMeasure[],
  devices: number,
  intervalSeconds: number,
  reply: boolean,
  prices: PriceTable,
): MonthlyCost {
  const { aws } = prices;
  const heartbeat = find(operations, reply ? 'heartbeat with reply' : 'heartbeat');
  const reconnect = find(operations, 'reconnect (hand-over)');
  const heartbeats = (monthSeconds / intervalSeconds) * devices;
  const reconnects = (monthSeconds / maxConnectionSeconds) * devices;
  const sum = (pick: (o: OperationMeasure) => number) =>
    heartbeats * pick(heartbeat) + reconnects * pick(reconnect);
  const messagesIn = sum((o) => o.framesInPerOperation);
  const messagesOut = sum((o) => o.postsPerOperation);
  const invocations = sum((o) => o.invocationsPerOperation);
  const gbSeconds =
    (sum((o) => o.invocationMsPerOperation) / 1000) * (prices.assumptions.lambdaMemoryMb / 1024);
  const writeUnits = sum((o) => o.writeUnitsPerOperation);
  const readUnits = sum((o) => o.readUnitsPerOperation);
  const connectionMinutes = (monthSeconds / 60) * devices;
  const heartbeatName = reply ? 'heartbeats with reply' : 'heartbeats';
  const lines: MonthLine[] = [
    {
      line: 'API Gateway messages',
      perMonth: messagesIn + messagesOut,
      unit: 'messages',
      dollars: ((messagesIn + messagesOut) / 1e6) * aws.apiGatewayWebSocket.perMillionMessages,
      detail: `${Math.round(messagesIn).toLocaleString('en-US')} in + ${Math.round(messagesOut).toLocaleString('en-US')} out`,
    },
    {
      line: 'connection-minutes',
      perMonth: connectionMinutes,
      unit: 'minutes',
      dollars: (connectionMinutes / 1e6) * aws.apiGatewayWebSocket.perMillionConnectionMinutes,
      detail: `${devices} connection${devices > 1 ? 's' : ''} all month`,
    },
    {
      line: 'Lambda requests',
      perMonth: invocations,
      unit: 'requests',
      dollars: (invocations / 1e6) * aws.lambda.perMillionRequests,
      detail: `${heartbeat.invocationsPerOperation.toFixed(2)} per heartbeat, ${reconnect.invocationsPerOperation.toFixed(2)} per reconnect`,
    },
    {
      line: 'Lambda duration (estimate from local wall time)',
      perMonth: gbSeconds,
      unit: 'GB-s',
      dollars: gbSeconds * aws.lambda.perGbSecondArm64,
      detail: `${heartbeat.invocationMsPerOperation.toFixed(1)} ms per heartbeat, ${reconnect.invocationMsPerOperation.toFixed(1)} ms per reconnect, ${prices.assumptions.lambdaMemoryMb} MB`,
    },
    {
      line: 'DynamoDB writes',
      perMonth: writeUnits,
      unit: 'WCU',
      dollars: (writeUnits / 1e6) * aws.dynamoDbOnDemand.perMillionWriteRequestUnits,
      detail: `${heartbeat.writeUnitsPerOperation.toFixed(2)} per heartbeat, ${reconnect.writeUnitsPerOperation.toFixed(2)} per reconnect`,
    },
    {
      line: 'DynamoDB reads',
      perMonth: readUnits,
      unit: 'RCU',
      dollars: (readUnits / 1e6) * aws.dynamoDbOnDemand.perMillionReadRequestUnits,
      detail: `${heartbeat.readUnitsPerOperation.toFixed(2)} per heartbeat, ${reconnect.readUnitsPerOperation.toFixed(2)} per reconnect`,
    },
  ].map((l) => ({ ...l, perMonth: round(l.perMonth, 1), dollars: round(l.dollars, 6) }));
  const total = lines.reduce((t, l) => t + l.dollars, 0);
  const hours = monthSeconds / 3600;
  return {
    design,
    intervalSeconds,
    reply,
    operationsPerMonth: { [heartbeatName]: heartbeats, reconnects },
    lines,
    perHour: {
      apiGatewayMessages: round((messagesIn + messagesOut) / hours, 2),
      invocations: round(invocations / hours, 2),
      readUnits: round(readUnits / hours, 2),
      writeUnits: round(writeUnits / hours, 2),
    },
    totalPerUser: round(total, 6),
    totalFor10kUsers: round(total * 10_000, 2),
  };
}

interface VariantSpec {
  name: string;
  description: string;
  devices: number;
  onlineContacts: number;
}

const variantSpecs: VariantSpec[] = [
  {
    name: 'one device',
    description: 'one connection; the user has 3 direct conversations whose contacts are offline',
    devices: 1,
    onlineContacts: 0,
  },
  {
    name: 'one device, 3 online contacts',
    description: 'one connection; its 3 contacts are connected and would hear any presence change',
    devices: 1,
    onlineContacts: 3,
  },
  {
    name: 'two devices',
    description:
      'two connections of one user, each heartbeating and reconnecting; the month counts both (3 offline contacts)',
    devices: 2,
    onlineContacts: 0,
  },
];

async function runVariant(
  system: LocalChatSystem,
  spec: VariantSpec,
  slug: string,
  options: IdleOptions,
  prices: PriceTable,
  log: (line: string) => void,
): Promise<{ variant: IdleVariant; interval?: number; cut?: OperationMeasure }> {
  const userId = `idle-${slug}`;
  const contactIds = [0, 1, 2].map((i) => `idle-${slug}-contact-${i}`);
  for (const contactId of contactIds) await system.createConversation(userId, [contactId]);
  const contacts = await Promise.all(
    contactIds
      .slice(0, spec.onlineContacts)
      .map(async (id) => BenchSocket.open(await system.socketUrl(id), `${id}#0`)),
  );
  const sockets: BenchSocket[] = [];
  for (let device = 0; device < spec.devices; device++)
    sockets.push(await BenchSocket.open(await system.socketUrl(userId), `${userId}#${device}`));
  const user = new IdleUser(system, userId, sockets, contacts);
  const device = (index: number) => index % spec.devices;
  // Warm-up, not counted: the first invocations of a function load and compile its code.
  for (let index = 0; index < 5; index++) {
    await user.heartbeat(user.sockets[device(index)] as BenchSocket);
    await user.heartbeatWithReply(user.sockets[device(index)] as BenchSocket);
  }
  await user.reconnect(0, true);
  const operations = [
    await measureOperation(user, 'heartbeat', options.heartbeats, (i) =>
      user.heartbeat(user.sockets[device(i)] as BenchSocket),
    ),
    await measureOperation(user, 'heartbeat with reply', options.heartbeats, (i) =>
      user.heartbeatWithReply(user.sockets[device(i)] as BenchSocket),
    ),
    await measureOperation(user, 'reconnect (hand-over)', options.reconnects, (i) =>
      user.reconnect(device(i), true),
    ),
  ];
  const cut =
    spec.onlineContacts > 0
      ? await measureOperation(user, 'reconnect (closed first)', options.reconnects, () =>
          user.reconnect(0, false),
        )
      : undefined;
  const interval = options.intervalSeconds ?? user.counts.interval;
  if (interval === undefined) throw new Error('The server stated no heartbeat interval in its pong');
  await Promise.all([...user.sockets, ...contacts].map((s) => s.close()));
  await system.quiesce();
  const framesToContacts = operations.reduce((t, o) => t + o.framesToContactsPerOperation * o.count, 0);
  const failures = operations.reduce((t, o) => t + o.failures, 0);
  log(`idle ${spec.name}: ${failures} failed operations, ${framesToContacts} frames to contacts`);
  return {
    variant: {
      ...spec,
      operations,
      ours: monthlyCost(
        `ours: heartbeat every ${interval} s without reply`,
        operations,
        spec.devices,
        interval,
        false,
        prices,
      ),
      baseline: monthlyCost(
        `old client: heartbeat every ${options.baselineIntervalSeconds} s with reply`,
        operations,
        spec.devices,
        options.baselineIntervalSeconds,
        true,
        prices,
      ),
      framesToContacts,
    },
    interval,
    ...(cut ? { cut } : {}),
  };
}

export async function idleCost(
  system: LocalChatSystem,
  prices: PriceTable,
  options: IdleOptions = defaultIdleOptions,
  log: (line: string) => void = () => undefined,
): Promise<IdleResult> {
  const stamp = Date.now().toString(36);
  const variants: IdleVariant[] = [];
  let interval: number | undefined;
  let cutThenReconnect: OperationMeasure | undefined;
  for (const [index, spec] of variantSpecs.entries()) {
    const done = await runVariant(system, spec, `${stamp}-${index}`, options, prices, log);
    variants.push(done.variant);
    interval ??= done.interval;
    cutThenReconnect ??= done.cut;
  }
  const goal = 0.03;
  const oneDevice = variants.filter((v) => v.devices === 1);
  const worst = oneDevice.reduce((a, b) => (b.ours.totalPerUser > a.ours.totalPerUser ? b : a));
  const settings = readSettings();
  return {
    parameters: {
      heartbeatsPerKind: options.heartbeats,
      reconnectsPerVariant: options.reconnects,
      heartbeatIntervalSeconds: interval ?? 0,
      intervalSource: options.intervalSeconds === undefined ? "the server's pong" : 'command line',
      baselineIntervalSeconds: options.baselineIntervalSeconds,
      presenceTtlSeconds: settings.presenceTtlSeconds,
      maxConnectionSeconds,
      monthDays: 30,
      lambdaMemoryMb: prices.assumptions.lambdaMemoryMb,
      pricesCheckedOn: prices.checkedOn,
      region: prices.region,
    },
    method: [
      'Each operation of an idle connection runs on real sockets against the local runtime (after an uncounted warm-up of 5 heartbeats of each kind and 1 reconnect), one at a time, as fast as it completes (a heartbeat without reply: until its function has run; with reply: until the `pong` arrived and the function returned; a reconnect: until the old connection’s `$disconnect` has run). Usage is the counter delta around all runs of one operation, taken when the system is quiet, divided by the runs.',
      'A month (30 days) per connection: 2,592,000 s ÷ interval heartbeats, plus 360 reconnects (API Gateway closes every connection after 2 hours), each reconnect = authorizer + `$connect` + one heartbeat with reply + `$disconnect` of the old connection; 43,200 connection-minutes. A 2-device user counts both connections. The same reconnects are counted for both designs.',
      'Reconnect (hand-over): the new connection opens and answers its `pong` before the old one closes, as the SDK moves over before the cut-off, so the user never goes offline. Reconnect (closed first), with 3 online contacts, shows what a reconnect costs when the old connection is gone first (offline then online announced to contacts); it is reported, not priced.',
      'API Gateway messages: frames the client sent plus `@connections` posts. `$connect` and `$disconnect` are not counted as messages (they are the handshake and the close, which connection-minutes bill). Lambda GB-seconds: local wall time of each function × memory, an estimate of billed duration (Lambda rounds each invocation up to 1 ms; not applied). DynamoDB: consumed capacity from the counting proxy.',
    ],
    variants,
    ...(cutThenReconnect ? { cutThenReconnect } : {}),
    goal: {
      dollarsPerUserPerMonth: goal,
      measured: worst.ours.totalPerUser,
      worstVariant: worst.name,
      met: worst.ours.totalPerUser <= goal,
    },
  };
}
