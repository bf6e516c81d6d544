/** Configuration read from the environment once per container; a missing required variable fails loudly. */

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`Missing required environment variable ${name}`);
  return value;
}

function numberEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0)
    throw new Error(`Environment variable ${name} must be a number >= 0`);
  return value;
}

/** Tunables of the live state and limits; the stack sets them from its configuration, defaults match. */
export interface ChatSettings {
  /** Days a message is kept before DynamoDB expires it; 0 keeps messages forever. */
  messageRetentionDays: number;
  /**
   * Seconds a connection counts as online without a heartbeat: only the backstop for a connection that vanished
   * without `$disconnect`, so it spans two heartbeat intervals and a margin.
   */
  presenceTtlSeconds: number;
  /**
   * Seconds between a client's heartbeats, told to clients in every `pong`. API Gateway closes a socket after
   * 10 minutes without a frame from the client; a heartbeat only has to come before that.
   */
  heartbeatIntervalSeconds: number;
  /** Seconds a typing signal lasts unless renewed. */
  typingTtlSeconds: number;
  /** Repeated typing signals within this many seconds are not broadcast again. */
  typingCoalesceSeconds: number;
  /** Messages one user may send per minute, over HTTP and WebSocket together. */
  sendRatePerMinute: number;
  /** Typing signals one user may send per minute. */
  typingRatePerMinute: number;
  /** Per-user limits per minute of the other routes that write or fan out (see `rateBuckets` in routes.ts). */
  editRatePerMinute: number;
  deleteRatePerMinute: number;
  conversationRatePerMinute: number;
  /** Member adds and removals together. */
  memberChangeRatePerMinute: number;
  /** Read marks over HTTP and WebSocket together. */
  markReadRatePerMinute: number;
  presenceQueryRatePerMinute: number;
  /** Heartbeats of all the user's sockets together; each SDK socket sends one every 9 minutes and on checks. */
  heartbeatRatePerMinute: number;
  /** Frames naming no known action (or not JSON) that reach `$default`. */
  unknownFrameRatePerMinute: number;
  /** Live connections one user may hold; a new one closes the user's least recently renewed one past this. */
  maxConnectionsPerUser: number;
  /** Online/offline changes of one user pushed to their contacts per minute; past it they are recorded only. */
  presenceChangeRatePerMinute: number;
  /**
   * The send function delivers a new message itself when the conversation has at most this many live
   * connections (the sender's own excluded); larger ones go through the stream fan-out. 0: always the stream.
   */
  directDeliveryMaxConnections: number;
  /** Device registrations and removals, mutes and unmutes, per minute together. */
  pushSettingRatePerMinute: number;
  /** 1: pushes carry a generic line instead of the message text (lock screens show no content). */
  pushPrivatePayloads: number;
  /** Message reports one user may file per minute. */
  reportRatePerMinute: number;
  /** Moderator actions (removals, suspensions, resolutions) one moderator may take per minute. */
  moderationRatePerMinute: number;
  /** Reactions added or removed by one user per minute. */
  reactionRatePerMinute: number;
  /** Largest attachment upload, in bytes. */
  attachmentMaxBytes: number;
  /** Attachment uploads one user may start per minute. */
  attachmentRatePerMinute: number;
}

export const defaultSettings: ChatSettings = {
  messageRetentionDays: 0,
  presenceTtlSeconds: 1_200,
  heartbeatIntervalSeconds: 540,
  typingTtlSeconds: 6,
  typingCoalesceSeconds: 3,
  sendRatePerMinute: 120,
  typingRatePerMinute: 120,
  editRatePerMinute: 60,
  deleteRatePerMinute: 60,
  conversationRatePerMinute: 30,
  memberChangeRatePerMinute: 60,
  markReadRatePerMinute: 240,
  presenceQueryRatePerMinute: 120,
  heartbeatRatePerMinute: 20,
  unknownFrameRatePerMinute: 30,
  maxConnectionsPerUser: 10,
  presenceChangeRatePerMinute: 20,
  directDeliveryMaxConnections: 100,
  pushSettingRatePerMinute: 30,
  pushPrivatePayloads: 0,
  reportRatePerMinute: 10,
  moderationRatePerMinute: 120,
  reactionRatePerMinute: 120,
  attachmentMaxBytes: 25 * 1024 * 1024,
  attachmentRatePerMinute: 60,
};

/** Environment variable of each setting, shared by the stack (which sets them) and the functions. */
export const settingsEnv: Record<keyof ChatSettings, string> = {
  messageRetentionDays: 'MESSAGE_RETENTION_DAYS',
  presenceTtlSeconds: 'PRESENCE_TTL_SECONDS',
  heartbeatIntervalSeconds: 'HEARTBEAT_INTERVAL_SECONDS',
  typingTtlSeconds: 'TYPING_TTL_SECONDS',
  typingCoalesceSeconds: 'TYPING_COALESCE_SECONDS',
  sendRatePerMinute: 'SEND_RATE_PER_MINUTE',
  typingRatePerMinute: 'TYPING_RATE_PER_MINUTE',
  editRatePerMinute: 'EDIT_RATE_PER_MINUTE',
  deleteRatePerMinute: 'DELETE_RATE_PER_MINUTE',
  conversationRatePerMinute: 'CONVERSATION_RATE_PER_MINUTE',
  memberChangeRatePerMinute: 'MEMBER_CHANGE_RATE_PER_MINUTE',
  markReadRatePerMinute: 'MARK_READ_RATE_PER_MINUTE',
  presenceQueryRatePerMinute: 'PRESENCE_QUERY_RATE_PER_MINUTE',
  heartbeatRatePerMinute: 'HEARTBEAT_RATE_PER_MINUTE',
  unknownFrameRatePerMinute: 'UNKNOWN_FRAME_RATE_PER_MINUTE',
  maxConnectionsPerUser: 'MAX_CONNECTIONS_PER_USER',
  presenceChangeRatePerMinute: 'PRESENCE_CHANGE_RATE_PER_MINUTE',
  directDeliveryMaxConnections: 'DIRECT_DELIVERY_MAX_CONNECTIONS',
  pushSettingRatePerMinute: 'PUSH_SETTING_RATE_PER_MINUTE',
  pushPrivatePayloads: 'PUSH_PRIVATE_PAYLOADS',
  reportRatePerMinute: 'REPORT_RATE_PER_MINUTE',
  moderationRatePerMinute: 'MODERATION_RATE_PER_MINUTE',
  reactionRatePerMinute: 'REACTION_RATE_PER_MINUTE',
  attachmentMaxBytes: 'ATTACHMENT_MAX_BYTES',
  attachmentRatePerMinute: 'ATTACHMENT_RATE_PER_MINUTE',
};

export function readSettings(): ChatSettings {
  const entries = Object.entries(settingsEnv).map(([key, envName]) => [
    key,
    numberEnv(envName, defaultSettings[key as keyof ChatSettings]),
  ]);
  return Object.fromEntries(entries) as ChatSettings;
}
