import type { ErrorCode } from './errors.js';
import type { IdempotencyGuard, IdempotentAnswer } from './idempotency.js';
import type { MainAccountBalances, Transfer } from './transfers.js';

/**
 * Holds, two-phase transfers (contract section 9): credit reserved from an
 * account's available balance, then captured (whole or in part: a `charge`
 * transfer, the rest released), voided, or expired. Available balance =
 * balance − pending holds.
 */
export type HoldStatus = 'pending' | 'captured' | 'voided' | 'expired';

export interface Hold {
  /** `hold_…`: opaque, not guessable. */
  readonly id: string;
  /** The account the credit is reserved on: a main account or a subaccount. */
  readonly accountId: number;
  /** The main account of its tree. */
  readonly mainAccountId: number;
  readonly tokenSubaccount: string | null;
  readonly amountMicros: bigint;
  readonly capturedMicros: bigint;
  readonly status: HoldStatus;
  readonly reason: string | null;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  /** The capture's charge transfer. */
  readonly transferId: string | null;
}

export const DEFAULT_HOLD_EXPIRES_IN_S = 3600;
export const MAX_HOLD_EXPIRES_IN_S = 7 * 24 * 3600;

/** A pending hold past its expiry is expired, whether or not anyone wrote it down yet. */
export function isExpired(hold: Hold, now: Date): boolean {
  return hold.status === 'pending' && hold.expiresAt.getTime() <= now.getTime();
}

/** A hold as a reader sees it at `now`: pending past its expiry is expired, whether or not a transaction wrote it yet. */
export function holdAsOf(hold: Hold, now: Date): Hold {
  return isExpired(hold, now) ? { ...hold, status: 'expired' } : hold;
}

export interface PlaceHoldCommand {
  readonly holdId: string;
  /** The account to reserve on (the operator API resolved it: 30, 7 already checked). */
  readonly accountId: number;
  readonly amountMicros: bigint;
  readonly reason: string | null;
  readonly expiresAt: Date;
  readonly createdAt: Date;
  /** The automatic top-up's transfer id, should the rules make one. */
  readonly topupTransferId: string;
  readonly idempotency?: IdempotencyGuard<HoldOutcome>;
}

export interface SettleHoldCommand {
  readonly holdId: string;
  readonly kind: 'capture' | 'void';
  /** For a capture: the amount to charge, null for the whole hold. */
  readonly amountMicros: bigint | null;
  /** The capture's charge transfer id. */
  readonly transferId: string;
  readonly createdAt: Date;
  readonly operator: string | null;
  readonly idempotency?: IdempotencyGuard<HoldOutcome>;
}

/** A hold after the change, its tree's main account, and the capture's transfer. */
export type HoldOutcome =
  | {
      readonly ok: true;
      readonly hold: Hold;
      /** The main account of the tree, as its balances are after the change. */
      readonly mainAccount: MainAccountBalances;
      readonly transfer: Transfer | null;
      readonly answer?: IdempotentAnswer;
    }
  | { readonly ok: false; readonly code: ErrorCode; readonly answer?: IdempotentAnswer };

export interface HoldQuery {
  /** The tree (main account) whose holds are listed. */
  readonly mainAccountId: number;
  readonly status?: HoldStatus | undefined;
  readonly limit: number;
  readonly cursor?: string | undefined;
}

export interface HoldPage {
  readonly items: readonly Hold[];
  readonly nextCursor: string | null;
}
