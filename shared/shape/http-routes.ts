/** The HTTP API's routes: which function serves each, with what access and rate limit (see routes.ts). */
import { type FunctionAccess, type HttpRoute, membershipAccess, messageSender } from './routes.ts';

const conversationReader: FunctionAccess = { table: { conversations: 'read' }, connections: false };
/** Creating and adding check who blocks whom (a blocked user may not bring in the one who blocked them). */
const membershipCheckingBlocks: FunctionAccess = {
  ...membershipAccess,
  table: { ...membershipAccess.table, blocks: 'read' },
};
/** A block is also noted on the pair's direct conversation (`blockedSenders`), through the block adapter. */
const blockWriter: FunctionAccess = { table: { blocks: 'readWrite' }, connections: false };
const messageWriter: FunctionAccess = {
  table: { conversations: 'read', messages: 'readWrite' },
  connections: false,
};
/** A deletion deletes its message's attachments too (objects and records). */
const messageDeleter: FunctionAccess = {
  ...messageWriter,
  table: { ...messageWriter.table, attachments: 'write' },
  attachments: 'delete',
};
/** A reaction is counted and announced to the members' connections at once; a direct one checks blocks. */
const reactionWriter: FunctionAccess = {
  table: {
    conversations: 'read',
    messages: 'read',
    reactions: 'readWrite',
    sessions: 'read',
    blocks: 'read',
  },
  connections: true,
};
/** A suspension is audited, and tells the user's sockets and closes them. */
const suspensionWriter: FunctionAccess = {
  table: { suspensions: 'write', audit: 'write', sessions: 'read' },
  connections: true,
  closesConnections: true,
};

export const httpRoutes: readonly HttpRoute[] = [
  {
    method: 'POST',
    path: '/conversations',
    name: 'HttpCreateConversation',
    entry: 'functions/http/create-conversation.ts',
    access: membershipCheckingBlocks,
    rateLimit: 'createConversation',
  },
  {
    method: 'GET',
    path: '/conversations',
    name: 'HttpListConversations',
    entry: 'functions/http/list-conversations.ts',
    access: conversationReader,
  },
  {
    method: 'GET',
    path: '/conversations/{conversationId}',
    name: 'HttpGetConversation',
    entry: 'functions/http/get-conversation.ts',
    access: conversationReader,
  },
  {
    method: 'POST',
    path: '/conversations/{conversationId}/members',
    name: 'HttpAddMembers',
    entry: 'functions/http/add-members.ts',
    access: membershipCheckingBlocks,
    rateLimit: 'memberChange',
  },
  {
    method: 'DELETE',
    path: '/conversations/{conversationId}/members/{userId}',
    name: 'HttpRemoveMember',
    entry: 'functions/http/remove-member.ts',
    access: membershipAccess,
    rateLimit: 'memberChange',
  },
  {
    method: 'GET',
    path: '/conversations/{conversationId}/messages',
    name: 'HttpListMessages',
    entry: 'functions/http/list-messages.ts',
    access: { table: { conversations: 'read', messages: 'read' }, connections: false },
  },
  {
    method: 'POST',
    path: '/conversations/{conversationId}/messages',
    name: 'HttpSendMessage',
    entry: 'functions/http/send-message.ts',
    access: messageSender,
    rateLimit: 'send',
  },
  {
    method: 'PATCH',
    path: '/conversations/{conversationId}/messages/{messageId}',
    name: 'HttpEditMessage',
    entry: 'functions/http/edit-message.ts',
    access: { ...messageWriter, filtersContent: true },
    rateLimit: 'edit',
  },
  {
    method: 'DELETE',
    path: '/conversations/{conversationId}/messages/{messageId}',
    name: 'HttpDeleteMessage',
    entry: 'functions/http/delete-message.ts',
    access: messageDeleter,
    rateLimit: 'delete',
  },
  {
    method: 'PUT',
    path: '/conversations/{conversationId}/messages/{messageId}/reactions/{emoji}',
    name: 'HttpAddReaction',
    entry: 'functions/http/add-reaction.ts',
    access: reactionWriter,
    rateLimit: 'reaction',
  },
  {
    method: 'DELETE',
    path: '/conversations/{conversationId}/messages/{messageId}/reactions/{emoji}',
    name: 'HttpRemoveReaction',
    entry: 'functions/http/remove-reaction.ts',
    access: reactionWriter,
    rateLimit: 'reaction',
  },
  {
    method: 'POST',
    path: '/conversations/{conversationId}/attachments',
    name: 'HttpCreateAttachment',
    entry: 'functions/http/create-attachment.ts',
    access: {
      table: { conversations: 'read', attachments: 'write' },
      connections: false,
      attachments: 'signUpload',
    },
    rateLimit: 'attachment',
  },
  {
    method: 'GET',
    path: '/conversations/{conversationId}/attachments/{attachmentId}',
    name: 'HttpDownloadAttachment',
    entry: 'functions/http/download-attachment.ts',
    access: {
      table: { conversations: 'read', attachments: 'read' },
      connections: false,
      attachments: 'signDownload',
    },
  },
  {
    method: 'POST',
    path: '/conversations/{conversationId}/read',
    name: 'HttpMarkRead',
    entry: 'functions/http/mark-read.ts',
    access: membershipAccess,
    rateLimit: 'markRead',
  },
  {
    method: 'GET',
    path: '/unread',
    name: 'HttpGetUnread',
    entry: 'functions/http/get-unread.ts',
    access: conversationReader,
  },
  {
    method: 'GET',
    path: '/presence',
    name: 'HttpGetPresence',
    entry: 'functions/http/get-presence.ts',
    access: { table: { conversations: 'read', sessions: 'read', blocks: 'read' }, connections: false },
    rateLimit: 'presenceQuery',
  },
  {
    method: 'PUT',
    path: '/blocks/{userId}',
    name: 'HttpBlockUser',
    entry: 'functions/http/block-user.ts',
    access: blockWriter,
    rateLimit: 'memberChange',
  },
  {
    method: 'DELETE',
    path: '/blocks/{userId}',
    name: 'HttpUnblockUser',
    entry: 'functions/http/unblock-user.ts',
    access: blockWriter,
    rateLimit: 'memberChange',
  },
  {
    method: 'GET',
    path: '/blocks',
    name: 'HttpListBlocks',
    entry: 'functions/http/list-blocks.ts',
    access: { table: { blocks: 'read' }, connections: false },
  },
  {
    method: 'POST',
    path: '/devices',
    name: 'HttpRegisterDevice',
    entry: 'functions/http/register-device.ts',
    access: { table: { devices: 'readWrite' }, connections: false },
    rateLimit: 'pushSetting',
  },
  {
    method: 'GET',
    path: '/devices',
    name: 'HttpListDevices',
    entry: 'functions/http/list-devices.ts',
    access: { table: { devices: 'read' }, connections: false },
  },
  {
    method: 'DELETE',
    path: '/devices/{deviceId}',
    name: 'HttpRemoveDevice',
    entry: 'functions/http/remove-device.ts',
    access: { table: { devices: 'write' }, connections: false },
    rateLimit: 'pushSetting',
  },
  {
    method: 'PUT',
    path: '/conversations/{conversationId}/mute',
    name: 'HttpMuteConversation',
    entry: 'functions/http/mute-conversation.ts',
    access: { table: { conversations: 'read', mutes: 'write' }, connections: false },
    rateLimit: 'pushSetting',
  },
  {
    method: 'DELETE',
    path: '/conversations/{conversationId}/mute',
    name: 'HttpUnmuteConversation',
    entry: 'functions/http/unmute-conversation.ts',
    access: { table: { conversations: 'read', mutes: 'write' }, connections: false },
    rateLimit: 'pushSetting',
  },
  {
    method: 'POST',
    path: '/conversations/{conversationId}/messages/{messageId}/reports',
    name: 'HttpReportMessage',
    entry: 'functions/http/report-message.ts',
    access: { table: { conversations: 'read', messages: 'read', reports: 'readWrite' }, connections: false },
    rateLimit: 'report',
  },
  {
    method: 'GET',
    path: '/moderation/reports',
    name: 'HttpListReports',
    entry: 'functions/http/list-reports.ts',
    access: { table: { reports: 'read', messages: 'read' }, connections: false },
  },
  {
    method: 'POST',
    path: '/moderation/reports/{reportId}/resolve',
    name: 'HttpResolveReport',
    entry: 'functions/http/resolve-report.ts',
    access: { table: { reports: 'write', audit: 'write' }, connections: false },
    rateLimit: 'moderation',
  },
  {
    method: 'DELETE',
    path: '/moderation/messages/{conversationId}/{messageId}',
    name: 'HttpRemoveMessage',
    entry: 'functions/http/remove-message.ts',
    // Members hear of the removal through the stream fan-out, as of a deletion; its attachments go.
    access: {
      table: { messages: 'readWrite', audit: 'write', attachments: 'write' },
      connections: false,
      attachments: 'delete',
    },
    rateLimit: 'moderation',
  },
  {
    method: 'PUT',
    path: '/moderation/suspensions/{userId}',
    name: 'HttpSuspendUser',
    entry: 'functions/http/suspend-user.ts',
    access: suspensionWriter,
    rateLimit: 'moderation',
  },
  {
    method: 'DELETE',
    path: '/moderation/suspensions/{userId}',
    name: 'HttpLiftSuspension',
    entry: 'functions/http/lift-suspension.ts',
    access: { table: { suspensions: 'write', audit: 'write' }, connections: false },
    rateLimit: 'moderation',
  },
];
