/** Everything a use case needs, as ports, passed in so tests can build it with fakes and their own clock. */
import type { ChatSettings } from '../config.ts';
import type { Access, MemberDirectory } from './access.ts';
import type { AttachmentObjects, AttachmentRepository, AttachmentSigner } from './attachment-ports.ts';
import type {
  AuditTrail,
  ContentFilter,
  ReportRepository,
  SuspensionRepository,
} from './moderation-ports.ts';
import type {
  BlockRepository,
  ConnectionCloser,
  ConnectionExpiryRepository,
  ConversationRepository,
  DeviceRepository,
  MessageRepository,
  MuteRepository,
  Notifier,
  PushQueue,
  PushSender,
  RateLimiter,
  SessionRepository,
  TypingRepository,
  UnreadIndex,
} from './ports.ts';
import type { MentionRepository, ReactionRepository } from './rich-ports.ts';

export interface ChatContext {
  conversations: ConversationRepository;
  messages: MessageRepository;
  sessions: SessionRepository;
  typing: TypingRepository;
  rateLimits: RateLimiter;
  /** Read positions behind unread counts: DynamoDB's, or a Valkey cache of them. */
  unread: UnreadIndex;
  blocks: BlockRepository;
  /** Push notifications: devices, mutes, the queue the deliveries hand push jobs to, and the push service. */
  devices: DeviceRepository;
  mutes: MuteRepository;
  pushQueue: PushQueue;
  pushSender: PushSender;
  directory: MemberDirectory;
  /** Who may do what in a conversation: the one place that decides. */
  access: Access;
  notifier: Notifier;
  /** When each connection's token expires, and closing the ones whose token has. */
  connectionExpiry: ConnectionExpiryRepository;
  connectionCloser: ConnectionCloser;
  /** Moderation: reports of messages, and what moderators did (appended, never changed). */
  reports: ReportRepository;
  audit: AuditTrail;
  /** Users a moderator suspended: refused everywhere until lifted or `until`. */
  suspensions: SuspensionRepository;
  /** Reviews a message's text before it is stored (sent or edited); a refusal is `content_rejected`. */
  contentFilter: ContentFilter;
  /** Reactions to messages, and which messages mention each member (README "Rich messages"). */
  reactions: ReactionRepository;
  mentions: MentionRepository;
  /** Attachments: the records of uploads, the objects (S3) and the signer of upload forms and download links. */
  attachments: AttachmentRepository;
  attachmentObjects: AttachmentObjects;
  attachmentSigner: AttachmentSigner;
  settings: ChatSettings;
  clock: () => number;
  newId: () => string;
}

export const isoNow = (ctx: Pick<ChatContext, 'clock'>) => new Date(ctx.clock()).toISOString();
