import type { ConnectionStatus } from './connection.ts';
import type { Emitter } from './emitter.ts';
import { typedServerError } from './errors.ts';
import type { Outbox, OutgoingMessage } from './outbox.ts';
import type {
  ConversationWithMembers,
  Message,
  MessageDeletedEvent,
  MessageReactionsEvent,
  Presence,
  ReadEvent,
  ServerError,
  ServerFrame,
  TypingEvent,
  UnreadEvent,
} from './protocol.ts';
import type { MessageSequencer } from './sequencer.ts';
import type { TypingIndicators } from './typing.ts';
import type { UnreadCounts } from './unread.ts';

/** The client's events; `on(type, listener)` returns the function that unsubscribes. */
export interface ChatEvents {
  status: ConnectionStatus;
  /** Every message of every conversation this client follows, each once and in seq order, the user's own too. */
  message: Message;
  /** This device's sends: pending → sent, or failed (retry with `retry`). */
  outgoing: OutgoingMessage;
  'message.updated': Message;
  'message.deleted': MessageDeletedEvent;
  /** A message's reactions changed (all of them after the change; concurrent changes may arrive out of order). */
  'message.reactions': MessageReactionsEvent;
  /** Someone else started or stopped typing (stopping also happens by itself). */
  typing: TypingEvent;
  presence: Presence;
  /** Another member read up to `seq`. */
  read: ReadEvent;
  /** A conversation's unread count (and the total) changed. */
  unread: UnreadEvent;
  'conversation.updated': ConversationWithMembers;
  /**
   * A server error not tied to one send, or a failed recovery fetch (code `network` when unreachable). A
   * suspension is a `SuspendedError` (the client has stopped: status `offline`).
   */
  error: ServerError;
}

/** The parts of the client that server frames feed, and its events. */
export interface FrameTargets {
  outbox: Outbox;
  sequencer: MessageSequencer;
  typingIndicators: TypingIndicators;
  unreadCounts: UnreadCounts;
  events: Emitter<ChatEvents>;
}

/** Hands a server frame to the part that owns it, or passes it on as the matching event. */
export function routeFrame(frame: ServerFrame, to: FrameTargets): void {
  switch (frame.type) {
    case 'message.ack':
      to.outbox.acknowledge(frame.clientMessageId, frame.message);
      to.sequencer.receive(frame.message);
      return;
    case 'message.new':
      to.sequencer.receive(frame.message);
      return;
    case 'message.updated':
      to.events.emit('message.updated', frame.message);
      return;
    case 'message.reactions': {
      const { type: _, ...event } = frame;
      to.events.emit('message.reactions', event);
      return;
    }
    case 'message.deleted':
      to.events.emit('message.deleted', {
        conversationId: frame.conversationId,
        messageId: frame.messageId,
        seq: frame.seq,
        ...(frame.removedBy ? { removedBy: frame.removedBy } : {}),
      });
      return;
    case 'typing':
      to.typingIndicators.update(frame);
      return;
    case 'presence':
      to.events.emit('presence', {
        userId: frame.userId,
        status: frame.status,
        lastSeenAt: frame.lastSeenAt,
      });
      return;
    case 'read':
      to.events.emit('read', {
        conversationId: frame.conversationId,
        userId: frame.userId,
        seq: frame.seq,
      });
      return;
    case 'unread':
      to.unreadCounts.serverCount(frame);
      return;
    case 'conversation.updated':
      // A conversation one was just added to: messages after its lastSeq are live, even if they come out of order.
      to.sequencer.follow(frame.conversation.conversationId, frame.conversation.lastSeq);
      to.events.emit('conversation.updated', frame.conversation);
      return;
    case 'error': {
      const { type: _, ...fields } = frame;
      const error = typedServerError(fields);
      const failedSend = error.clientMessageId !== undefined && to.outbox.fail(error.clientMessageId, error);
      if (!failedSend) to.events.emit('error', error);
      return;
    }
  }
}
