import type { ErrorCode } from './errors.js';
import type { BatchKey } from './batch-answer.js';
import type { CreditKey } from './credit-answer.js';
import type { IdempotencyGuard, IdempotentAnswer } from './idempotency.js';
import type { OperatorTransferOutcome } from './store.js';
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

/** What `creditTransfer` needs: a decided add/remove and the balances it leaves. */
export interface CreditTransferInput {
  readonly transferId: string;
  readonly direction: Direction;
  readonly mainAccountId: number;
  readonly subaccountId: number;
  readonly subaccountToken: string | null;
  readonly amountMicros: bigint;
  /** Balances after the transfer. */
  readonly mainBalanceMicros: bigint;
  readonly subaccountBalanceMicros: bigint;
  readonly idempotencyKey: string | null;
  readonly createdAt: Date;
}

/** The transfer of an add (main pays the subaccount) or a remove (the subaccount pays main back). */
export function creditTransfer(input: CreditTransferInput): Transfer {
  const add = input.direction === 'add';
  const { mainAccountId, subaccountId, mainBalanceMicros, subaccountBalanceMicros } = input;
  return {
    id: input.transferId,
    kind: input.direction,
    debitAccountId: add ? mainAccountId : subaccountId,
    creditAccountId: add ? subaccountId : mainAccountId,
    amountMicros: input.amountMicros,
    debitBalanceAfterMicros: add ? mainBalanceMicros : subaccountBalanceMicros,
    creditBalanceAfterMicros: add ? subaccountBalanceMicros : mainBalanceMicros,
    mainAccountId,
    subaccountId,
    subaccountToken: input.subaccountToken,
    idempotencyKey: input.idempotencyKey,
    reason: null,
    operator: null,
    createdAt: input.createdAt,
  };
}

/** The most credit commands one group-commit transaction carries; more wait for the next one. */
export const MAX_CREDIT_BATCH = 1000;

/** A public `credit/add` or `credit/remove`, with everything already read from the request. */
export interface CreditCommand {
  readonly transferId: string;
  readonly direction: Direction;
  readonly keyHash: string;
  readonly tokenSubaccount: string;
  readonly amount: ParsedAmount;
  readonly createdAt: Date;
  readonly idempotencyKey: string | null;
  /**
   * Set when the request had an Idempotency-Key: the store checks and records
   * the key in the command's own transaction (code 24 for another request
   * under a used key) and returns the answer's bytes in `answer`. Plain data,
   * like the whole command: the SQLite store applies commands on another thread.
   */
  readonly idempotency?: CreditKey;
}

export type CreditOutcome =
  | {
      readonly ok: true;
      readonly transferId: string;
      readonly mainBalanceMicros: bigint;
      readonly subaccountBalanceMicros: bigint;
      readonly answer?: IdempotentAnswer;
    }
  | { readonly ok: false; readonly code: ErrorCode; readonly answer?: IdempotentAnswer };

export interface OperatorTransferCommand {
  readonly kind: 'topup' | 'charge';
  readonly accountId: number;
  readonly amountMicros: bigint;
  readonly transferId: string;
  readonly createdAt: Date;
  readonly reason: string | null;
  readonly operator: string | null;
  /** The operator request's Idempotency-Key, checked and recorded in the transfer's transaction. */
  readonly idempotency?: IdempotencyGuard<OperatorTransferOutcome>;
}

/**
 * How a batch of credit commands is applied: `each` decides every command on
 * its own; `all-or-nothing` applies them only if every one succeeds; `none`
 * decides them all and writes nothing (an atomic batch already known to fail).
 */
export type BatchApply = 'each' | 'all-or-nothing' | 'none';

/** `POST /v1/subaccount/credit/batch`: commands of one caller, in one transaction, decided in order. */
export interface CreditBatchCommand {
  readonly keyHash: string;
  /** Every command carries `keyHash` too; the batch's key is checked once (10, 4). */
  readonly commands: readonly CreditCommand[];
  readonly apply: BatchApply;
  /**
   * The batch request's Idempotency-Key, checked and recorded in the batch's
   * transaction (batchGuard). Plain data, like the whole batch.
   */
  readonly idempotency?: BatchKey;
}

/** `answer`: with an idempotency guard, the answer's bytes (code 24 with one is a replay). */
export type CreditBatchOutcome =
  | { readonly ok: false; readonly code: ErrorCode; readonly answer?: IdempotentAnswer }
  | {
      readonly ok: true;
      /** false when nothing was written: a failed all-or-nothing batch, or `none`. */
      readonly applied: boolean;
      /** One per command, in order: what happened, or what would have happened had it been applied. */
      readonly outcomes: readonly CreditOutcome[];
      /** The main account's balance after the batch (as before it when nothing was applied). */
      readonly mainBalanceMicros: bigint;
      readonly answer?: IdempotentAnswer;
    };
