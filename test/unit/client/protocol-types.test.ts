/**
 * The SDK keeps its own copy of the wire types so that it stands alone; these checks fail `npm run typecheck`
 * (which CI runs) the moment the copy and the server's shapes drift apart.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type * as sdk from '../../../client/src/protocol.ts';
import type * as server from '../../../shared/domain/model.ts';
import type { ReportView } from '../../../shared/domain/moderation.ts';
import type { ReportReason, ResolutionAction } from '../../../shared/domain/moderation-ports.ts';

/** Each event of a union by its `type`, intersections flattened, so differently written copies compare. */
type ByType<Union extends { type: string }> = {
  [Type in Union['type']]: {
    [Key in keyof Extract<Union, { type: Type }>]: Extract<Union, { type: Type }>[Key];
  };
};

describe('the SDK’s wire types', () => {
  it('are the shapes the server sends', () => {
    expectTypeOf<sdk.Message>().toEqualTypeOf<server.Message>();
    expectTypeOf<sdk.Member>().toEqualTypeOf<server.Member>();
    expectTypeOf<sdk.Conversation>().toEqualTypeOf<server.Conversation>();
    expectTypeOf<sdk.ConversationWithMembers>().toEqualTypeOf<server.ConversationWithMembers>();
    expectTypeOf<sdk.InboxEntry>().toEqualTypeOf<server.InboxEntry>();
    expectTypeOf<sdk.Presence>().toEqualTypeOf<server.PresenceStatus>();
    expectTypeOf<ByType<sdk.ServerFrame>>().toEqualTypeOf<ByType<server.ServerEvent>>();
    expectTypeOf<sdk.Report>().toEqualTypeOf<ReportView>();
    expectTypeOf<sdk.ReportReason>().toEqualTypeOf<ReportReason>();
    expectTypeOf<sdk.ResolutionAction>().toEqualTypeOf<ResolutionAction>();
  });
});
