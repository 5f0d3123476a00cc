import { expectTypeOf, test } from 'vitest';
import type { Direction, ErrorCode, EventType, TransferKind } from 'tirelire-client';
import type { ErrorCode as ServerErrorCode } from '../../src/domain/errors.js';
import type { EventType as ServerEventType } from '../../src/domain/events.js';
import type {
  Direction as ServerDirection,
  TransferKind as ServerTransferKind,
} from '../../src/domain/transfers.js';

/**
 * The client spells out the few names it shares with the server's domain
 * (it has no server code to import them from); these must stay the same
 * sets both ways. The assertions are types: `npm run check` (tsc) is what
 * fails when one side gains a name the other lacks.
 */
test('the client names the same codes, event types, directions and transfer kinds as the server', () => {
  expectTypeOf<ErrorCode>().toEqualTypeOf<ServerErrorCode>();
  expectTypeOf<EventType>().toEqualTypeOf<ServerEventType>();
  expectTypeOf<Direction>().toEqualTypeOf<ServerDirection>();
  expectTypeOf<TransferKind>().toEqualTypeOf<ServerTransferKind>();
});
