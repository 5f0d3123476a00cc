import type { ErrorCode } from './errors.js';
import type { ParsedAmount } from './money.js';

/**
 * add/remove move money between a main account and its subaccount; topup and
 * charge move it between the funding account and a customer account.
 */
export type TransferKind = 'add' | 'remove' | 'topup' | 'charge';
export type Direction = 'add' | 'remove';

/** One ledger movement: one debit and one credit of the same amount, never changed. */
export interface Transfer {
  readonly id: string;
  readonly kind: TransferKind;
  readonly debitAccountId: number;
  readonly creditAccountId: number;
  readonly amountMicros: bigint;
  readonly debitBalanceAfterMicros: bigint;
  readonly creditBalanceAfterMicros: bigint;
  /** The main account whose history shows this transfer. */
  readonly mainAccountId: number;
  /** The subaccount involved, for add/remove and charges of a subaccount. */
  readonly subaccountId: number | null;
  readonly subaccountToken: string | null;
  readonly idempotencyKey: string | null;
  readonly reason: string | null;
  readonly operator: string | null;
  readonly createdAt: Date;
}

/** A public `credit/add` or `credit/remove`, with everything already read from the request. */
export interface CreditCommand {
  readonly transferId: string;
  readonly direction: Direction;
  readonly keyHash: string;
  readonly tokenSubaccount: string;
  readonly amount: ParsedAmount;
  readonly createdAt: Date;
  readonly idempotencyKey: string | null;
}

export type CreditOutcome =
  | {
      readonly ok: true;
      readonly transferId: string;
      readonly mainBalanceMicros: bigint;
      readonly subaccountBalanceMicros: bigint;
    }
  | { readonly ok: false; readonly code: ErrorCode };

export interface OperatorTransferCommand {
  readonly kind: 'topup' | 'charge';
  readonly accountId: number;
  readonly amountMicros: bigint;
  readonly transferId: string;
  readonly createdAt: Date;
  readonly reason: string | null;
  readonly operator: string | null;
}
