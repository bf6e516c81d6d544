/**
 * The DynamoDB actions each function is granted, composed from the route table (which adapters a function
 * uses, reading, writing or both) and the actions each adapter declares it issues (`shared/store`). A function
 * is granted nothing its adapters do not issue, and what they issue is checked against their code.
 */
import type {
  FunctionAccess,
  FunctionSpec,
  HttpRoute,
  TableAdapter,
  WebSocketRoute,
} from '../shared/shape/routes.ts';
import { attachmentStoreOperations } from '../shared/store/attachment-store.ts';
import { auditStoreOperations } from '../shared/store/audit-store.ts';
import { blockStoreOperations } from '../shared/store/block-store.ts';
import { connectionExpiryStoreOperations } from '../shared/store/connection-expiry-store.ts';
import { conversationStoreOperations } from '../shared/store/conversation-store.ts';
import { deviceStoreOperations } from '../shared/store/device-store.ts';
import type { AdapterOperations, TableAction } from '../shared/store/dynamo.ts';
import { mentionStoreOperations } from '../shared/store/mention-store.ts';
import { messageStoreOperations } from '../shared/store/message-store.ts';
import { muteStoreOperations } from '../shared/store/mute-store.ts';
import { presenceStoreOperations } from '../shared/store/presence-store.ts';
import { rateLimitStoreOperations } from '../shared/store/rate-limit-store.ts';
import { reactionStoreOperations } from '../shared/store/reaction-store.ts';
import { reportStoreOperations } from '../shared/store/report-store.ts';
import { suspensionStoreOperations } from '../shared/store/suspension-store.ts';
import { typingStoreOperations } from '../shared/store/typing-store.ts';

/** Each adapter of the route table, by the name the use cases' context gives it. */
export const tableAdapters: Readonly<Record<TableAdapter, AdapterOperations>> = {
  conversations: conversationStoreOperations,
  messages: messageStoreOperations,
  sessions: presenceStoreOperations,
  typing: typingStoreOperations,
  rateLimits: rateLimitStoreOperations,
  blocks: blockStoreOperations,
  connectionExpiry: connectionExpiryStoreOperations,
  devices: deviceStoreOperations,
  mutes: muteStoreOperations,
  audit: auditStoreOperations,
  reports: reportStoreOperations,
  suspensions: suspensionStoreOperations,
  attachments: attachmentStoreOperations,
  reactions: reactionStoreOperations,
  mentions: mentionStoreOperations,
};

export interface TableGrant {
  /** On the base table. */
  readonly actions: readonly TableAction[];
  /** Whether the function also queries the inbox index. */
  readonly index: boolean;
}

/** A route-table entry; a client route may name its rate limit, an HTTP route has a method. */
export type GrantedSpec = FunctionSpec &
  Pick<WebSocketRoute, 'rateLimit'> &
  Partial<Pick<HttpRoute, 'method'>>;

type Use = FunctionAccess['table'][TableAdapter];
const reads = (use: Use) => use === 'read' || use === 'readWrite';
const writes = (use: Use) => use === 'write' || use === 'readWrite';

/** The adapters a function reaches: its entry's own, and the three uses that follow (see `FunctionAccess`). */
export function adapterUsesOf(spec: GrantedSpec): FunctionAccess['table'] {
  const uses: FunctionAccess['table'] = { ...spec.access.table };
  const alsoWrites = (adapter: TableAdapter) => {
    uses[adapter] = reads(uses[adapter]) ? 'readWrite' : 'write';
  };
  const alsoReads = (adapter: TableAdapter) => {
    uses[adapter] = writes(uses[adapter]) ? 'readWrite' : 'read';
  };
  if (spec.access.connections) alsoWrites('sessions');
  if (spec.rateLimit) alsoWrites('rateLimits');
  if (spec.method) alsoReads('suspensions');
  return uses;
}

export function tableGrantOf(spec: GrantedSpec): TableGrant {
  const uses = adapterUsesOf(spec);
  const actions = new Set<TableAction>();
  let index = false;
  for (const [adapter, use] of Object.entries(uses) as [TableAdapter, Use][]) {
    const declared = tableAdapters[adapter];
    if (reads(use)) for (const action of declared.read) actions.add(action);
    if (writes(use)) for (const action of declared.write) actions.add(action);
    index ||= reads(use) && declared.index;
  }
  return { actions: [...actions].sort(), index };
}
