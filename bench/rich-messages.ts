/**
 * The rich-messages section's measurements (bench/rich-report.ts runs them), in a 10-member group with a socket
 * each: reactions, issuing and posting uploads, sends with and without an attachment, and ready thumbnails, each
 * with its usage and the S3 requests the local S3 server received (Node's `http.server.request.start` channel).
 */
import { randomBytes } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { existsSync } from 'node:fs';
import type { IncomingMessage, Server } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { repositoryRoot } from '../local/lambda.ts';
import { sleep } from '../shared/async.ts';
import { thumbnailMaker } from '../shared/shape/routes.ts';
import { type IssuedUpload, postUpload } from '../test/support/uploads.ts';
import type { LocalChatSystem } from './chat-system.ts';
import type { BenchSocket } from './client.ts';
import { measureRequests, type RequestResult } from './live-state.ts';
import { connectParticipants, type Participant } from './messaging.ts';
import { type LatencySummary, summarize } from './stats.ts';

const quick = Boolean(process.env.BENCH_QUICK);
export const richParameters = {
  groupMembers: 10,
  uploads: quick ? 8 : 20,
  pdfBytes: 100_000,
  thumbnails: quick ? 4 : 10,
  thumbnailsCounted: quick ? 2 : 5,
  imageSize: '2000×1500 JPEG of noise (sharp), about 1.1 MB',
  directMessages: quick ? 50 : 100,
  groupMessages: 100,
};
/** Reactions and uploads are limited per user a minute; the bench's users act far faster than people. */
export const richSettings = { REACTION_RATE_PER_MINUTE: '100000', ATTACHMENT_RATE_PER_MINUTE: '100000' };
const emoji = ['👍', '❤️', '😂', '🎉'];
const eventTimeoutMs = 10_000;
const thumbnailTimeoutMs = 30_000;

/** S3 requests by operation (`PostObject`: the browser form's upload). */
export type S3Requests = Record<string, number>;

/** The S3 operation of a request, by its method: `GetObject`, `PutObject`, `…Tagging` for the object's tags. */
const s3Operation = ({ method = '', url = '' }: IncomingMessage) =>
  `${method.charAt(0)}${method.slice(1).toLowerCase()}Object${/[?&]tagging(=|&|$)/.test(url) ? 'Tagging' : ''}`;

/** Counts the requests the local S3 server receives, through Node's `http.server.request.start` channel. */
export function countS3Requests(endpoint: string) {
  const port = Number(new URL(endpoint).port);
  const counts: S3Requests = {};
  const listener = (message: unknown) => {
    const { request, server } = message as { request: IncomingMessage; server: Server };
    const address = server.address();
    if (typeof address !== 'object' || address?.port !== port) return;
    const operation = s3Operation(request);
    counts[operation] = (counts[operation] ?? 0) + 1;
  };
  subscribe('http.server.request.start', listener);
  return {
    snapshot: (): S3Requests => ({ ...counts }),
    stop: () => unsubscribe('http.server.request.start', listener),
  };
}
export type S3Counter = ReturnType<typeof countS3Requests>;

export interface TimedRequests extends RequestResult {
  s3PerRequest: S3Requests;
}

/** `measureRequests` (latency and usage per request), with the S3 requests per request. */
async function timed(
  system: LocalChatSystem,
  s3: S3Counter,
  requests: number,
  request: (index: number) => Promise<boolean>,
): Promise<TimedRequests> {
  await system.quiesce();
  const before = s3.snapshot();
  let index = 0;
  const result = await measureRequests(system, requests, () => request(index++));
  const s3PerRequest = Object.fromEntries(
    Object.entries(s3.snapshot()).map(([name, count]) => [name, (count - (before[name] ?? 0)) / requests]),
  );
  return { ...result, s3PerRequest };
}

/** An HTTP call as a user, answering the response as it is (a 204, a 302 not followed). */
const request = async (system: LocalChatSystem, userId: string, method: string, path: string) =>
  fetch(`${system.runtime.httpUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${await system.token(userId)}` },
    redirect: 'manual',
  });

const issue = (system: LocalChatSystem, { author, conversationId }: Group, file: Buffer, type: string) =>
  system.call<IssuedUpload>(author.userId, 'POST', `/conversations/${conversationId}/attachments`, {
    fileName: type === 'image/jpeg' ? 'photo.jpg' : 'notes.pdf',
    contentType: type,
    size: file.length,
  });

/** The client's POST of the file to the bucket; answers whether it was stored. */
async function upload(issued: IssuedUpload, file: Buffer): Promise<boolean> {
  const answer = await postUpload(issued, file);
  await answer.arrayBuffer();
  return answer.status < 300;
}

interface Sent {
  messageId: string;
  attachments?: unknown[];
}

const send = (system: LocalChatSystem, { author, conversationId }: Group, attachmentIds?: string[]) =>
  system.call<Sent>(author.userId, 'POST', `/conversations/${conversationId}/messages`, {
    clientMessageId: randomBytes(8).toString('hex'),
    body: 'the notes from today',
    ...(attachmentIds ? { attachmentIds } : {}),
  });

const pdf = () => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(richParameters.pdfBytes - 9)]);

const reactionPath = (conversationId: string, messageId: string, reaction: string) =>
  `/conversations/${conversationId}/messages/${messageId}/reactions/${encodeURIComponent(reaction)}`;

export async function setUpGroup(system: LocalChatSystem, prefix: string) {
  const members = richParameters.groupMembers;
  const people = Array.from({ length: members }, (_, i) => ({ userId: `${prefix}-${i}`, devices: 1 }));
  const [author, ...others] = (await connectParticipants(system, people)) as [Participant, ...Participant[]];
  const ids = others.map((p) => p.userId);
  return { conversationId: await system.createConversation(author.userId, ids), author, others };
}
type Group = Awaited<ReturnType<typeof setUpGroup>>;

export const closeGroup = (group: Group) =>
  Promise.all([group.author, ...group.others].map((p) => p.sockets[0]?.close()));

/** Not counted: DynamoDB Local and each function answer slower for their first calls (bench/hot-state.ts). */
export async function warmUp(system: LocalChatSystem, s3: S3Counter, group: Group): Promise<void> {
  await reactions(system, s3, group);
  await attachments(system, s3, group, 3);
}

/** Every other member reacts with each emoji in turn; the author's socket hears each change. */
export async function reactions(system: LocalChatSystem, s3: S3Counter, group: Group) {
  const { conversationId, author, others } = group;
  const { messageId } = await send(system, group);
  const observer = author.sockets[0] as BenchSocket;
  const [answered, heard]: [number[], number[]] = [[], []];
  const result = await timed(system, s3, others.length * emoji.length, async (index) => {
    const reactor = others[index % others.length] as Participant;
    const path = reactionPath(conversationId, messageId, emoji[Math.floor(index / others.length)] as string);
    const seen = observer.next(
      (f) => f.type === 'message.reactions' && f.messageId === messageId,
      eventTimeoutMs,
    );
    const startedAt = performance.now();
    const answer = await request(system, reactor.userId, 'PUT', path);
    answered.push(performance.now() - startedAt);
    const arrivedAt = await seen;
    if (arrivedAt !== undefined) heard.push(arrivedAt - startedAt);
    return answer.status === 204 && arrivedAt !== undefined;
  });
  return { ...result, answerMs: summarize(answered), heardMs: summarize(heard) };
}

/** Issues uploads, posts their files, then sends plain messages and messages naming one attachment each. */
export async function attachments(
  system: LocalChatSystem,
  s3: S3Counter,
  group: Group,
  count = richParameters.uploads,
) {
  const files = Array.from({ length: count }, pdf);
  const issued: IssuedUpload[] = [];
  const issuing = await timed(system, s3, count, async (index) => {
    issued.push(await issue(system, group, files[index] as Buffer, 'application/pdf'));
    return true;
  });
  const uploading = await timed(system, s3, count, (index) =>
    upload(issued[index] as IssuedUpload, files[index] as Buffer),
  );
  const plainSend = await timed(system, s3, count, async () => {
    return (await send(system, group)).attachments === undefined;
  });
  const attachmentSend = await timed(system, s3, count, async (index) => {
    const ids = [(issued[index] as IssuedUpload).attachmentId];
    return (await send(system, group, ids)).attachments?.length === 1;
  });
  return { issue: issuing, upload: uploading, plainSend, attachmentSend };
}

export type ThumbnailResult =
  | { measured: true; imageBytes: number; readyMs: LatencySummary; timedOut: number; maker: TimedRequests }
  | { measured: false; reason: string };

const noise = { type: 'gaussian', mean: 128, sigma: 30 } as const;
const photo = () =>
  sharp({ create: { width: 2000, height: 1500, channels: 3, background: '#808080', noise } })
    .jpeg()
    .toBuffer();

/** Milliseconds from the upload's answer to the thumbnail's 302, polled by the uploader every 20 ms. */
async function untilThumbnail(system: LocalChatSystem, group: Group, image: Buffer) {
  const issued = await issue(system, group, image, 'image/jpeg');
  await upload(issued, image);
  const uploadedAt = performance.now();
  const path = `/conversations/${group.conversationId}/attachments/${issued.attachmentId}?variant=thumbnail`;
  while (performance.now() - uploadedAt < thumbnailTimeoutMs) {
    const answer = await request(system, group.author.userId, 'GET', path);
    await answer.arrayBuffer();
    if (answer.status === 302) return performance.now() - uploadedAt;
    await sleep(20);
  }
  return undefined;
}

/** The time to a ready thumbnail, then the maker's work counted alone (uploads issued beforehand, not polled). */
export async function thumbnails(
  system: LocalChatSystem,
  s3: S3Counter,
  group: Group,
): Promise<ThumbnailResult> {
  if (!existsSync(join(repositoryRoot, thumbnailMaker.entry)))
    return { measured: false, reason: `${thumbnailMaker.entry} was not in the tree yet` };
  const images: Buffer[] = [];
  for (let i = 0; i < richParameters.thumbnails; i++) images.push(await photo());
  const ready: number[] = [];
  for (const image of images) {
    const ms = await untilThumbnail(system, group, image);
    if (ms !== undefined) ready.push(ms);
  }
  const issued: IssuedUpload[] = [];
  const counted = images.slice(0, richParameters.thumbnailsCounted);
  for (const image of counted) issued.push(await issue(system, group, image, 'image/jpeg'));
  // One at a time, each until the system is quiet: the maker's wall time without another's beside it.
  const maker = await timed(system, s3, counted.length, async (i) => {
    const stored = await upload(issued[i] as IssuedUpload, images[i] as Buffer);
    await system.quiesce();
    return stored;
  });
  const imageBytes = Math.round(images.reduce((sum, image) => sum + image.length, 0) / images.length);
  const timedOut = images.length - ready.length;
  return { measured: true, imageBytes, readyMs: summarize(ready), timedOut, maker };
}
