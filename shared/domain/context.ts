/** Everything a use case needs, as ports, passed in so tests can build it with fakes and their own clock. */
import type { ChatSettings } from '../config.ts';
import type { Access, MemberDirectory } from './access.ts';
import type { AuditTrail } from './moderation-ports.ts';
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
} from './ports.ts';

export interface ChatContext {
  conversations: ConversationRepository;
  messages: MessageRepository;
  sessions: SessionRepository;
  typing: TypingRepository;
  rateLimits: RateLimiter;
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
  /** Moderation: what moderators did (appended, never changed). */
  audit: AuditTrail;
  settings: ChatSettings;
  clock: () => number;
  newId: () => string;
}

export const isoNow = (ctx: Pick<ChatContext, 'clock'>) => new Date(ctx.clock()).toISOString();
