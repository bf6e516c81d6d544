import type { IssuedUpload } from './attachments.ts';
import { type ChatApiError, chatApiError } from './errors.ts';
import type { FileTransport } from './file-transport.ts';
import { ModerationApi } from './moderation-api.ts';
import type {
  ConversationWithMembers,
  InboxPage,
  Message,
  MessagePage,
  NewReport,
  Presence,
  ReadPosition,
  UnreadSummary,
} from './protocol.ts';
import type { TokenProvider } from './token.ts';

/** The part of the platform `fetch` the client uses. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

export interface ChatApiOptions {
  httpUrl: string;
  getToken: TokenProvider;
  fetch?: FetchLike;
  /** Told of every error a request throws, before the caller gets it (the client watches for `suspended`). */
  onError?: (error: ChatApiError) => void;
}

type Query = Record<string, string | number | undefined>;

/** The HTTP API of PROTOCOL.md, one method per route. */
export class ChatApi {
  /** The moderators' routes; see `ModerationApi`. */
  readonly moderation: ModerationApi;
  private readonly httpUrl: string;
  private readonly getToken: TokenProvider;
  private readonly fetch: FetchLike;
  private readonly onError: ((error: ChatApiError) => void) | undefined;

  constructor(options: ChatApiOptions) {
    this.httpUrl = options.httpUrl.replace(/\/+$/, '');
    this.getToken = options.getToken;
    // Browsers refuse a detached `fetch` ("Illegal invocation"), hence the bind.
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.onError = options.onError;
    this.moderation = new ModerationApi((method, path, request) => this.request(method, path, request));
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

  /** Reports a message to the moderators (members only); reporting it again answers the same `reportId`. */
  reportMessage(conversationId: string, messageId: string, report: NewReport): Promise<{ reportId: string }> {
    const path = `/conversations/${encodeURIComponent(conversationId)}/messages/${encodeURIComponent(messageId)}`;
    return this.request('POST', `${path}/reports`, { body: report });
  }

  /** Adds the caller's reaction with one emoji (204; again changes nothing); anything but one emoji is refused. */
  react(conversationId: string, messageId: string, emoji: string): Promise<void> {
    return this.request('PUT', reactionPath(conversationId, messageId, emoji));
  }

  /** Removes the caller's reaction with the emoji (204, also when there was none). */
  unreact(conversationId: string, messageId: string, emoji: string): Promise<void> {
    return this.request('DELETE', reactionPath(conversationId, messageId, emoji));
  }

  /** Records an upload (members only): the presigned POST to send the file to, valid 15 minutes. */
  createAttachmentUpload(
    conversationId: string,
    file: { fileName: string; contentType: string; size: number },
  ): Promise<IssuedUpload> {
    return this.request('POST', `${conversationPath(conversationId)}/attachments`, { body: file });
  }

  /** A file's bytes through the API's 302 to the store, which `get` follows (members only). */
  async attachmentFile(
    conversationId: string,
    attachmentId: string,
    variant: 'thumbnail' | undefined,
    get: FileTransport['get'],
  ): Promise<Blob> {
    const path = `${conversationPath(conversationId)}/attachments/${encodeURIComponent(attachmentId)}`;
    const url = `${this.httpUrl}${path}${queryString({ variant })}`;
    const response = await this.authorized((headers) => get(url, headers));
    if (!response.ok) throw this.failed(response.status, await response.json().catch(() => undefined));
    return response.blob();
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
    const url = `${this.httpUrl}${path}${queryString(options.query)}`;
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const response = await this.authorized((headers) => {
      if (body === undefined) return this.fetch(url, { method, headers });
      return this.fetch(url, { method, headers: { ...headers, 'content-type': 'application/json' }, body });
    });
    // 204 and non-JSON error pages have no JSON body.
    const payload = await response.json().catch(() => undefined);
    if (!response.ok) throw this.failed(response.status, payload);
    return payload as T;
  }

  /** A refused token (expired, revoked): once more with a fresh one. A second refusal is the app's to handle. */
  private async authorized<R extends { status: number }>(
    call: (headers: Record<string, string>) => Promise<R>,
  ): Promise<R> {
    const response = await call({ authorization: `Bearer ${await this.getToken({ forceRefresh: false })}` });
    if (response.status !== 401) return response;
    return call({ authorization: `Bearer ${await this.getToken({ forceRefresh: true })}` });
  }

  private failed(status: number, payload: unknown): ChatApiError {
    const error = apiError(status, payload);
    this.onError?.(error);
    return error;
  }
}

/** The protocol's code for each status, for answers without our envelope (see `ChatApiError`). */
const codeByStatus: Record<number, string> = {
  400: 'validation_failed',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  429: 'rate_limited',
};

function errorCodeForStatus(status: number): string {
  return codeByStatus[status] ?? (status >= 500 ? 'internal' : 'http_error');
}

function apiError(status: number, payload: unknown): ChatApiError {
  const body = isRecord(payload) ? payload : {};
  // Ours: {"error":{"code","message"}}. API Gateway's own: {"message":"..."}.
  const envelope = isRecord(body.error) ? body.error : {};
  const code = nonEmptyString(envelope.code) ?? errorCodeForStatus(status);
  const message = nonEmptyString(envelope.message) ?? nonEmptyString(body.message) ?? `HTTP ${status}`;
  return chatApiError(status, code, message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

// Built by hand rather than with URLSearchParams, which React Native only partly implements.
function queryString(query: Query = {}): string {
  const parts = Object.entries(query)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${encodeURIComponent(String(value))}`);
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

const conversationPath = (conversationId: string) => `/conversations/${encodeURIComponent(conversationId)}`;

const reactionPath = (conversationId: string, messageId: string, emoji: string) =>
  `/conversations/${encodeURIComponent(conversationId)}/messages/${encodeURIComponent(messageId)}/reactions/${encodeURIComponent(emoji)}`;
