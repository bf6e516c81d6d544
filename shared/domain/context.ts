/** Everything a use case needs, passed in so tests can build it with their own clients and clock. */
import type { ChatSettings } from '../config.ts';
import type { Notifier } from '../realtime/notifier.ts';
import type { ConversationStore } from '../store/conversation-store.ts';
import type { EphemeralStore } from '../store/ephemeral-store.ts';
import type { MessageStore } from '../store/message-store.ts';
import type { PresenceStore } from '../store/presence-store.ts';
import type { MemberDirectory } from './access.ts';

export interface ChatContext {
  conversations: ConversationStore;
  messages: MessageStore;
  presence: PresenceStore;
  ephemeral: EphemeralStore;
  directory: MemberDirectory;
  notifier: Notifier;
  settings: ChatSettings;
  clock: () => number;
  newId: () => string;
}

export const isoNow = (ctx: ChatContext) => new Date(ctx.clock()).toISOString();
