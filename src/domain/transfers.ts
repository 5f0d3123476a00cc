import type { ErrorCode, Language } from './errors.js';
import type { IdempotencyClaim, IdempotencyGuard, IdempotentAnswer } from './idempotency.js';
import type { ParsedAmount } from './money.js';

/**
 * add/remove move money between a main account and its subaccount; topup and
 * charge move it between the funding account and a customer account;
 * autotopup moves it from a main account to its subaccount before a usage
 * debit (balance rules); close returns a deleted subaccount's balance.
 */
export type TransferKind = 'add' | 'remove' | 'topup' | 'charge' | 'autotopup' | 'close';
export type Direction = 'add' | 'remove';

/**
 * A kind other than a reseller's add and remove: the operator's and the
 * rules' transfers and closings, few on any ledger, so both stores index a
 * tree's transfers of these kinds apart (its history filtered by one of them).
 */
export function isFewKind(kind: TransferKind): boolean {
  return kind !== 'add' && kind !== 'remove';
}

/**
 * The shape of every transfer id the ledger makes (UUIDv7, lowercase, src/app/ids.ts):
 * text of any other shape names no transfer.
 */
export const TRANSFER_ID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A main account's balances after a change, for the answers that show them. */
export interface MainAccountBalances {
  readonly id: number;
  readonly balanceMicros: bigint;
  readonly heldMicros: bigint;
}

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

/**
 * The most credit commands one group-commit transaction carries; more wait for
 * the next one. A throughput setting, not a bound of the contract: the
 * operations one `credit/batch` request may carry are MAX_BATCH_OPERATIONS.
 */
export const MAX_COMMANDS_PER_COMMIT = 1000;

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

/** `answer` as for CreateSubaccountOutcome (accounts.ts). */
export type OperatorTransferOutcome =
  | {
      readonly ok: true;
      readonly transfer: Transfer;
      /** The main account of the tree after the transfer (and any automatic top-up before it). */
      readonly mainAccount: MainAccountBalances;
      readonly answer?: IdempotentAnswer;
    }
  | { readonly ok: false; readonly code: ErrorCode; readonly answer?: IdempotentAnswer };

export interface OperatorTransferCommand {
  readonly kind: 'topup' | 'charge';
  readonly accountId: number;
  readonly amountMicros: bigint;
  readonly transferId: string;
  /** A charge's automatic top-up takes this id, should the account's rules make one. */
  readonly topupTransferId?: string | undefined;
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

/**
 * What a credit command carries when its request had an Idempotency-Key:
 * plain data (no function), so that a command can be handed to another
 * thread; `creditGuard` (answers/credit-answer.ts) turns it into the guard the
 * store runs.
 */
export interface CreditKey {
  readonly claim: IdempotencyClaim;
  /** The language the answer is written in, recorded with it. */
  readonly language: Language;
}

/** What a batch's answer needs besides the store's outcome (answers/batch-answer.ts). */
export interface BatchAnswerSpec {
  readonly language: Language;
  /** One per operation of the body, in order: the code it was refused with before the store, or null. */
  readonly earlyCodes: readonly (ErrorCode | null)[];
  readonly apply: BatchApply;
}

/** What a batch carries when its request had an Idempotency-Key. */
export interface BatchKey extends BatchAnswerSpec {
  readonly claim: IdempotencyClaim;
}

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
