/** The composition root: builds the use cases' context once per container from the environment. */
import { ulid } from 'ulid';
import { createDocumentClient, createManagementClient, createSqsClient } from '../clients.ts';
import { type ChatSettings, readSettings, requireEnv } from '../config.ts';
import { Access, MemberDirectory } from '../domain/access.ts';
import { noAttachmentObjects, noAttachmentSigner } from '../domain/attachment-ports.ts';
import type { ChatContext } from '../domain/context.ts';
import type { PushQueue, PushSender } from '../domain/ports.ts';
import { hotStateAdapters } from '../hot-state/hot-state-adapters.ts';
import { contentFilterFor } from '../moderation/content-filter.ts';
import { readContentFilterConfig } from '../moderation/filter-config.ts';
import { RecordingPushSender } from '../push/recording-sender.ts';
import { noPushQueue, SqsPushQueue } from '../push/sqs-push-queue.ts';
import { ManagementApiCloser } from '../realtime/connection-closer.ts';
import { ConnectionSender } from '../realtime/connection-sender.ts';
import { ConnectionNotifier } from '../realtime/notifier.ts';
import { AttachmentStore } from '../store/attachment-store.ts';
import { AuditStore } from '../store/audit-store.ts';
import { BlockStore } from '../store/block-store.ts';
import { ConversationStore } from '../store/conversation-store.ts';
import { DeviceStore } from '../store/device-store.ts';
import type { TableContext } from '../store/dynamo.ts';
import { MentionStore } from '../store/mention-store.ts';
import { MessageStore } from '../store/message-store.ts';
import { MuteStore } from '../store/mute-store.ts';
import { ReactionStore } from '../store/reaction-store.ts';
import { ReportStore } from '../store/report-store.ts';
import { SuspensionStore } from '../store/suspension-store.ts';

export interface ContextOverrides {
  table?: TableContext;
  connectionsEndpoint?: string;
  clock?: () => number;
  /** Settings a test sets beside those of the environment. */
  settings?: Partial<ChatSettings>;
  /** The push worker's sender (SNS), which only its bundle carries. */
  pushSender?: PushSender;
}

/** Functions that send no pushes; the push worker brings its own sender. */
const noPushSender: PushSender = { send: async () => ({ outcome: 'unconfigured' }) };

/** SQS when the stack gave a queue (`PUSH_QUEUE_URL`); without one, push jobs go nowhere. */
function pushQueueFromEnv(): PushQueue {
  const queueUrl = process.env.PUSH_QUEUE_URL;
  return queueUrl ? new SqsPushQueue(createSqsClient(), queueUrl) : noPushQueue;
}

/** A connection recorded this recently is not pruned on a 410: its handshake may still be completing. */
const goneGraceMs = 10_000;

export function buildChatContext(overrides: ContextOverrides = {}): ChatContext {
  const settings = { ...readSettings(), ...overrides.settings };
  const table = overrides.table ?? { client: createDocumentClient(), tableName: requireEnv('TABLE_NAME') };
  const clock = overrides.clock ?? Date.now;
  const conversations = new ConversationStore(table);
  // Connections and presence, typing, rate limits and unread positions: DynamoDB, or Valkey with
  // CHAT_HOT_STATE=valkey, which also shares the member lists across containers.
  const { memberLists, ...hotState } = hotStateAdapters(table, clock);
  // Functions without `@connections` access get no endpoint; their client is never used to send.
  const managementClient = createManagementClient(
    overrides.connectionsEndpoint ?? process.env.CONNECTIONS_ENDPOINT,
  );
  const sender = new ConnectionSender({
    client: managementClient,
    onGone: ({ userId, connectionId }) =>
      hotState.sessions.removeGoneConnection({
        userId,
        connectionId,
        renewedBeforeMs: clock() - goneGraceMs,
        ttlMs: settings.presenceTtlSeconds * 1000,
      }),
  });
  const directory = new MemberDirectory(conversations, undefined, undefined, clock, memberLists);
  return {
    conversations,
    messages: new MessageStore(table),
    ...hotState,
    blocks: new BlockStore(table),
    devices: new DeviceStore(table),
    mutes: new MuteStore(table),
    pushQueue: pushQueueFromEnv(),
    // The local runtime records pushes instead of sending them (GET /_local/pushes).
    pushSender:
      overrides.pushSender ??
      (process.env.PUSH_SENDER === 'recording' ? new RecordingPushSender(clock) : noPushSender),
    directory,
    access: new Access(conversations, directory, clock),
    notifier: new ConnectionNotifier(hotState.sessions, sender, clock),
    connectionCloser: new ManagementApiCloser(managementClient),
    reports: new ReportStore(table),
    audit: new AuditStore(table),
    suspensions: new SuspensionStore(table),
    reactions: new ReactionStore(table),
    mentions: new MentionStore(table),
    // The word list; the functions that filter messages add Comprehend (shared/handlers/filtering-context.ts).
    contentFilter: contentFilterFor(readContentFilterConfig()),
    // The records only; the functions with attachment access add S3 (shared/handlers/attachment-context.ts).
    attachments: new AttachmentStore(table),
    attachmentObjects: noAttachmentObjects,
    attachmentSigner: noAttachmentSigner,
    settings,
    clock,
    newId: ulid,
  };
}

let containerContext: ChatContext | undefined;

/** The context of this container, created on first use and reused by every invocation. */
export function chatContext(): ChatContext {
  containerContext ??= buildChatContext();
  return containerContext;
}
