import type { Transfer } from '../transfers.js';

/**
 * A transfer as a main account sees it: the public history's item
 * (`GET /v1/subaccount/credit/transfers/{id}`), and the `data` of its
 * transfer.created event. Amounts stay micros here; each surface writes them
 * its own way (JSON numbers, CSV text, event strings).
 */
export interface PublicTransfer {
  readonly id: string;
  readonly direction: Transfer['kind'];
  readonly tokenSubaccount: string | null;
  readonly amount: bigint;
  /** The main account's balance after; null for a charge of a subaccount, which left it as it was. */
  readonly credit: bigint | null;
  readonly subaccountCredit: bigint | null;
  readonly createdAt: string;
  readonly idempotencyKey: string | null;
}

export function publicTransfer(transfer: Transfer): PublicTransfer {
  return {
    id: transfer.id,
    direction: transfer.kind,
    tokenSubaccount: transfer.subaccountToken,
    amount: transfer.amountMicros,
    credit: balanceAfter(transfer, transfer.mainAccountId),
    subaccountCredit: balanceAfter(transfer, transfer.subaccountId),
    createdAt: transfer.createdAt.toISOString(),
    idempotencyKey: transfer.idempotencyKey,
  };
}

/** The balance a transfer left on `accountId`, or null when that account was not one of its sides. */
export function balanceAfter(transfer: Transfer, accountId: number | null): bigint | null {
  if (accountId === null) return null;
  if (transfer.debitAccountId === accountId) return transfer.debitBalanceAfterMicros;
  if (transfer.creditAccountId === accountId) return transfer.creditBalanceAfterMicros;
  return null;
}
