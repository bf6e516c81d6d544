import type { TokenProvider } from './connection.ts';
import type {
  ConversationWithMembers,
  InboxPage,
  Message,
  MessagePage,
  Presence,
  ReadPosition,
  UnreadSummary,
} from './protocol.ts';

/** The part of the platform `fetch` the client uses. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

export interface ChatApiOptions {
  httpUrl: string;
  getToken: TokenProvider;
  fetch?: FetchLike;
}

/** An HTTP answer other than 2xx, with the protocol's error code (`not_member`, `rate_limited`, ...). */
export class ChatApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ChatApiError';
    this.status = status;
    this.code = code;
  }
}

type Query = Record<string, string | number | undefined>;

/** The HTTP API of PROTOCOL.md, one method per route. */
export class ChatApi {
  private readonly httpUrl: string;
  private readonly getToken: TokenProvider;
  private readonly fetch: FetchLike;

  constructor(options: ChatApiOptions) {
    this.httpUrl = options.httpUrl.replace(/\/+$/, '');
    this.getToken = options.getToken;
    // Browsers refuse a detached `fetch` ("Illegal invocation"), hence the bind.
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  createDirectConversation(otherUserId: string): Promise<ConversationWithMembers> {
    return this.request('POST', '/conversations', { body: { type: 'direct', memberIds: [otherUserId] } });
  }

  createGroupConversation(name: string, memberIds: string[]): Promise<ConversationWithMembers> {
    return this.request('POST', '/conversations', { body: { type: 'group', name, memberIds } });
  }

  /** The inbox, most recent activity first. */
  listConversations(page: { limit?: number; cursor?: string } = {}): Promise<InboxPage> {
    return this.request('GET', '/conversations', { query: page });
  }

  getConversation(conversationId: string): Promise<ConversationWithMembers> {
    return this.request('GET', `/conversations/${encodeURIComponent(conversationId)}`);
  }

  addMembers(conversationId: string, userIds: string[]): Promise<ConversationWithMembers> {
    return this.request('POST', `/conversations/${encodeURIComponent(conversationId)}/members`, {
      body: { userIds },
    });
  }

  removeMember(conversationId: string, userId: string): Promise<void> {
    const path = `/conversations/${encodeURIComponent(conversationId)}/members/${encodeURIComponent(userId)}`;
    return this.request('DELETE', path);
  }

  /** Newest first with `before` (or neither), oldest first with `after`. */
  listMessages(
    conversationId: string,
    page: { limit?: number; before?: number; after?: number } = {},
  ): Promise<MessagePage> {
    return this.request('GET', `/conversations/${encodeURIComponent(conversationId)}/messages`, {
      query: page,
    });
  }

  editMessage(conversationId: string, messageId: string, body: string): Promise<Message> {
    const path = `/conversations/${encodeURIComponent(conversationId)}/messages/${encodeURIComponent(messageId)}`;
    return this.request('PATCH', path, { body: { body } });
  }

  deleteMessage(conversationId: string, messageId: string): Promise<void> {
    const path = `/conversations/${encodeURIComponent(conversationId)}/messages/${encodeURIComponent(messageId)}`;
    return this.request('DELETE', path);
  }

  markRead(conversationId: string, seq: number): Promise<ReadPosition> {
    return this.request('POST', `/conversations/${encodeURIComponent(conversationId)}/read`, {
      body: { seq },
    });
  }

  getUnread(): Promise<UnreadSummary> {
    return this.request('GET', '/unread');
  }

  async getPresence(userIds: string[]): Promise<Presence[]> {
    const answer = await this.request<{ users: Presence[] }>('GET', '/presence', {
      query: { userIds: userIds.join(',') },
    });
    return answer.users;
  }

  private async request<T>(
    method: string,
    path: string,
    options: { query?: Query; body?: unknown } = {},
  ): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${await this.getToken()}` };
    const init: Parameters<FetchLike>[1] = { method, headers };
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(options.body);
    }
    const response = await this.fetch(`${this.httpUrl}${path}${queryString(options.query)}`, init);
    // 204 and non-JSON error pages have no JSON body.
    const payload = await response.json().catch(() => undefined);
    if (!response.ok) {
      const error = (payload as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new ChatApiError(
        response.status,
        error?.code ?? 'http_error',
        error?.message ?? `HTTP ${response.status}`,
      );
    }
    return payload as T;
  }
}

// Built by hand rather than with URLSearchParams, which React Native only partly implements.
function queryString(query: Query = {}): string {
  const parts = Object.entries(query)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${encodeURIComponent(String(value))}`);
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}
