/**
 * Push notifications of a 50-member group with 40 members offline (one device each) and 10 online: push jobs
 * and pushes per message, the time from the send's request to each push handed to the push sender (the local
 * runtime's recording one, where SNS would be), what a second message within the collapse window pushes, and
 * the cost per million such messages with SQS and SNS. Each first message goes to a group of its own, so no
 * push collapses; the second ones go to the same groups at once, so every push collapses.
 */
import { randomBytes } from 'node:crypto';
import { forEachBounded } from '../shared/async.ts';
import { pushesOf } from '../shared/push/recording-sender.ts';
import { pushWorker } from '../shared/shape/routes.ts';
import type { LocalChatSystem } from './chat-system.ts';
import { loadPrices } from './cost.ts';
import { describe, dollars, percentiles, table } from './markdown.ts';
import { withLocalSystem } from './measured-runtime.ts';
import { type LatencySummary, summarize } from './stats.ts';
import { type UsagePerUnit, usageBetween, usagePer } from './usage.ts';

const members = 50;
const online = 10;
const groups = process.env.BENCH_QUICK ? 4 : 10;
/** How long a push may take before the run gives up on it (and says so). */
const pushTimeoutMs = 30_000;

interface Group {
  conversationId: string;
  senderId: string;
  offlineIds: string[];
}

async function setUpGroup(system: LocalChatSystem, run: string, index: number): Promise<Group> {
  const ids = Array.from({ length: members }, (_, i) => `push-${run}-g${index}-m${i}`);
  const [senderId, ...others] = ids as [string, ...string[]];
  // The first ten have a live connection (recorded as `$connect` records it): they get no push.
  await system.addIdleUsers(ids.slice(0, online));
  const offlineIds = ids.slice(online);
  await forEachBounded(offlineIds, 8, (userId) =>
    system.call(userId, 'POST', '/devices', { platform: 'fcm', token: `bench-${userId}` }),
  );
  return { conversationId: await system.createConversation(senderId, others), senderId, offlineIds };
}

/** Milliseconds from `sentAtMs` to each offline member's push of that message (missing ones left out). */
async function pushDelays(group: Group, messageId: string, sentAtMs: number): Promise<number[]> {
  const deadline = Date.now() + pushTimeoutMs;
  const delays = new Map<string, number>();
  while (delays.size < group.offlineIds.length && Date.now() < deadline) {
    for (const userId of group.offlineIds) {
      if (delays.has(userId)) continue;
      const push = pushesOf(userId).find((p) => p.messageId === messageId);
      if (push) delays.set(userId, Date.parse(push.sentAt) - sentAtMs);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return [...delays.values()];
}

/** Counts the push jobs the worker is handed (SQS records), as the queue delivers them. */
function countJobs(system: LocalChatSystem): () => number {
  const { functions } = system.runtime;
  const invoke = functions.invoke.bind(functions);
  let jobs = 0;
  functions.invoke = async (name, event) => {
    if (name === pushWorker.name) jobs += (event as { Records?: unknown[] }).Records?.length ?? 0;
    return invoke(name, event);
  };
  return () => jobs;
}

interface Round {
  messages: number;
  jobsPerMessage: number;
  pushesPerMessage: number;
  /** From the send's HTTP request to the first and to the last of a message's pushes. */
  firstPush: LatencySummary | null;
  lastPush: LatencySummary | null;
  /** The whole message: send, delivery, push jobs and the worker. */
  perMessage: UsagePerUnit;
}

/** A message from the group's sender over HTTP; answers its id. */
async function send(system: LocalChatSystem, group: Group): Promise<string> {
  const message = await system.call<{ messageId: string }>(
    group.senderId,
    'POST',
    `/conversations/${group.conversationId}/messages`,
    { clientMessageId: randomBytes(8).toString('hex'), body: 'Are you coming tonight?' },
  );
  return message.messageId;
}

/** Pushes recorded for a message, after the system went quiet. */
const pushesFor = (group: Group, messageId: string) =>
  group.offlineIds.filter((userId) => pushesOf(userId).some((push) => push.messageId === messageId)).length;

/**
 * One message to each group. `waitForPushes`: each waits for its pushes before the next is sent (their times are
 * measured); otherwise all are sent at once and their pushes counted once the system is quiet (a collapsed push
 * never comes, so waiting for it would only let the collapse window pass).
 */
async function sendRound(
  system: LocalChatSystem,
  all: Group[],
  jobs: () => number,
  waitForPushes: boolean,
): Promise<Round> {
  await system.quiesce();
  const before = system.probe.snapshot();
  const jobsBefore = jobs();
  const firsts: number[] = [];
  const lasts: number[] = [];
  const sent: [Group, string][] = [];
  for (const group of all) {
    const sentAtMs = Date.now();
    const messageId = await send(system, group);
    sent.push([group, messageId]);
    if (!waitForPushes) continue;
    const delays = await pushDelays(group, messageId, sentAtMs);
    if (delays.length > 0) {
      firsts.push(Math.min(...delays));
      lasts.push(Math.max(...delays));
    }
  }
  await system.quiesce();
  const usage = usageBetween(before, system.probe.snapshot());
  const pushes = sent.reduce((total, [group, messageId]) => total + pushesFor(group, messageId), 0);
  return {
    messages: all.length,
    jobsPerMessage: (jobs() - jobsBefore) / all.length,
    pushesPerMessage: pushes / all.length,
    firstPush: firsts.length > 0 ? summarize(firsts) : null,
    lastPush: lasts.length > 0 ? summarize(lasts) : null,
    perMessage: usagePer(usage, all.length),
  };
}

interface PushCost {
  sqs: number;
  sns: number;
  dynamoDb: number;
  lambda: number;
  total: number;
}

/** Per million messages like the first round's, from its measured counts and `prices.json`. */
function costOfRound(round: Round): PushCost {
  const { aws, assumptions } = loadPrices();
  const { perMessage } = round;
  const gbSeconds = (perMessage.invocationMs / 1000) * (assumptions.lambdaMemoryMb / 1024);
  const cost = {
    sqs: round.jobsPerMessage * aws.sqs.requestsPerJob * aws.sqs.perMillionRequests,
    sns: round.pushesPerMessage * aws.snsMobilePush.perMillionDeliveries,
    dynamoDb:
      perMessage.writeUnits * aws.dynamoDbOnDemand.perMillionWriteRequestUnits +
      perMessage.readUnits * aws.dynamoDbOnDemand.perMillionReadRequestUnits,
    lambda:
      perMessage.invocations * aws.lambda.perMillionRequests + gbSeconds * aws.lambda.perGbSecondArm64 * 1e6,
  };
  return { ...cost, total: Object.values(cost).reduce((sum, part) => sum + part, 0) };
}

export interface PushResult {
  parameters: Record<string, number | string>;
  uncollapsed: Round;
  collapsed: Round;
  costPerMillion: PushCost;
}

export function pushCost(log: (line: string) => void): Promise<PushResult> {
  return withLocalSystem(async (system) => {
    const run = randomBytes(3).toString('hex');
    const jobs = countJobs(system);
    const all: Group[] = [];
    for (let index = 0; index < groups; index++) all.push(await setUpGroup(system, run, index));
    log(`push: ${groups} groups set up`);
    const uncollapsed = await sendRound(system, all, jobs, true);
    // The same groups again at once: every device was pushed within the collapse window.
    const collapsed = await sendRound(system, all, jobs, false);
    log(
      `push: ${uncollapsed.pushesPerMessage} pushes a message, then ${collapsed.pushesPerMessage} collapsed`,
    );
    return {
      parameters: {
        members,
        online,
        offlineWithOneDevice: members - online,
        groups,
        messagesPerRound: groups,
        sentOver:
          'HTTP; first round one message at a time, the next once every push of the previous one arrived; second round all at once',
      },
      uncollapsed,
      collapsed,
      costPerMillion: costOfRound(uncollapsed),
    };
  });
}

export function pushMarkdown(result: PushResult, note = ''): string {
  const row = (name: string, round: Round) => [
    name,
    round.jobsPerMessage,
    round.pushesPerMessage,
    round.firstPush ? percentiles(round.firstPush) : '—',
    round.lastPush ? percentiles(round.lastPush) : '—',
    round.perMessage.writeUnits,
    round.perMessage.readUnits,
    round.perMessage.invocations,
  ];
  const cost = result.costPerMillion;
  return `## Push notifications

${note}${describe(result.parameters)}.

${table(
  [
    'messages',
    'push jobs / message',
    'pushes / message',
    'send → first push (p50 / p95 / p99 / max)',
    'send → last push (p50 / p95 / p99 / max)',
    'write units / message',
    'read units / message',
    'invocations / message',
  ],
  [
    row('first in each group (nothing collapses)', result.uncollapsed),
    row('second, at once (all collapse)', result.collapsed),
  ],
)}

The capacity and invocations are the whole message's: the send, its delivery to the ten online members, the push job and the worker. Per million messages like the first row (\`aws.sqs\`, \`aws.snsMobilePush\` in bench/prices.json; Lambda at ${loadPrices().assumptions.lambdaMemoryMb} MB on measured wall time):

${table(
  ['SQS', 'SNS mobile push', 'DynamoDB', 'Lambda', 'total'],
  [[dollars(cost.sqs), dollars(cost.sns), dollars(cost.dynamoDb), dollars(cost.lambda), dollars(cost.total)]],
)}

A push's time is from the send's HTTP request to the push handed to the push sender (the local recording sender, where SNS would take it), not to the phone.`;
}
