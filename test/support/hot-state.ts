/**
 * The hot-state backends the contract suites run against (test/contract), each set up once per test file: the
 * DynamoDB adapters on a fresh table in DynamoDB Local, the Valkey adapters on the run's real server. Each call
 * of a factory is one more container's adapter on the same table or server.
 */
import { MemberDirectory } from '../../shared/domain/access.ts';
import type {
  ConnectionExpiryRepository,
  ConversationRepository,
  RateLimiter,
  SessionStore,
  TypingRepository,
  UnreadIndex,
} from '../../shared/domain/ports.ts';
import { DerivedUnreadIndex, type PositionSource } from '../../shared/domain/read-positions.ts';
import { ValkeyConnectionExpiry } from '../../shared/hot-state/valkey-connection-expiry.ts';
import { ValkeyMemberLists } from '../../shared/hot-state/valkey-member-lists.ts';
import { ValkeyRateLimiter } from '../../shared/hot-state/valkey-rate-limiter.ts';
import { ValkeySessionStore } from '../../shared/hot-state/valkey-session-store.ts';
import { ValkeyTypingStore } from '../../shared/hot-state/valkey-typing-store.ts';
import { ValkeyUnreadIndex } from '../../shared/hot-state/valkey-unread-index.ts';
import { ConnectionExpiryStore } from '../../shared/store/connection-expiry-store.ts';
import { PresenceStore } from '../../shared/store/presence-store.ts';
import { RateLimitStore } from '../../shared/store/rate-limit-store.ts';
import { TypingStore } from '../../shared/store/typing-store.ts';
import { createTestTable } from './dynamo.ts';
import { createTestValkey } from './valkey.ts';

export interface HotState {
  typing(): TypingRepository;
  rateLimiter(): RateLimiter;
  sessions(): SessionStore;
  /** When connections' tokens expire, on the backend's clock `clock`. */
  connectionExpiry(clock: () => number): ConnectionExpiryRepository;
  /** A container's member directory over `store` (a table of the test's own). */
  memberDirectory(store: Pick<ConversationRepository, 'listMembers'>): MemberDirectory;
  /** Read positions of the conversations in `source` (a table of the test's own). */
  unread(source: PositionSource): UnreadIndex;
  /** Drops all the backend holds (a cold cache; nothing on DynamoDB, which holds no copy). */
  flush(): Promise<void>;
  close(): void;
}

export const hotStateBackends: { name: string; connect(): Promise<HotState> }[] = [
  {
    name: 'DynamoDB',
    async connect() {
      const table = await createTestTable();
      return {
        typing: () => new TypingStore(table),
        rateLimiter: () => new RateLimitStore(table),
        sessions: () => new PresenceStore(table),
        connectionExpiry: () => new ConnectionExpiryStore(table),
        memberDirectory: (store) => new MemberDirectory(store),
        unread: (source) => new DerivedUnreadIndex(source),
        flush: async () => {},
        close: () => table.client.destroy(),
      };
    },
  },
  {
    name: 'Valkey',
    async connect() {
      const client = createTestValkey();
      return {
        typing: () => new ValkeyTypingStore(client),
        rateLimiter: () => new ValkeyRateLimiter(client),
        sessions: () => new ValkeySessionStore(client),
        connectionExpiry: (clock) => new ValkeyConnectionExpiry(client, clock),
        memberDirectory: (store) =>
          new MemberDirectory(store, undefined, undefined, undefined, new ValkeyMemberLists(client)),
        unread: (source) => new ValkeyUnreadIndex(client, source),
        flush: async () => {
          // KEYS answers whole names, DEL prefixes what it is given; one key a DEL, as keys lie in many slots.
          const prefixLength = client.options.keyPrefix?.length ?? 0;
          const names = await client.keys('*');
          await Promise.all(names.map((name) => client.del(name.slice(prefixLength))));
        },
        close: () => client.disconnect(),
      };
    },
  },
];
