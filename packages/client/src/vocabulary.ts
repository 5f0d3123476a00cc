/**
 * The few names the answers share with the server's domain, as the client
 * sees them. The server's own types are the source (src/domain/transfers.ts,
 * events.ts); test/sdk/client-types.test.ts fails to compile when they part.
 */

/** A move of a subaccount's credit through the public API. */
export type Direction = 'add' | 'remove';

/** An event type; the list is in docs/webhooks.md. */
export type EventType =
  | 'transfer.created'
  | 'balance.low'
  | 'balance.recovered'
  | 'balance.depleted'
  | 'autotopup.succeeded'
  | 'autotopup.failed'
  | 'spendingcap.reached'
  | 'subaccount.created'
  | 'subaccount.deleted'
  | 'account.suspended'
  | 'account.resumed'
  | 'account.key_rotated'
  | 'hold.created'
  | 'hold.captured'
  | 'hold.voided'
  | 'hold.expired';
