import {
  DEFAULT_HOLD_EXPIRES_IN_S,
  MAX_HOLD_EXPIRES_IN_S,
  type Hold,
  type HoldOutcome,
  type HoldPage,
  type HoldStatus,
} from '../domain/holds.js';
import type { IdempotencyGuard } from '../domain/idempotency.js';
import { decodeCursor } from '../domain/pages.js';
import type { Store } from '../domain/store.js';
import type { MainAccountBalances, Transfer } from '../domain/transfers.js';
import { newHoldId, newTransferId } from './ids.js';
import {
  checkAudit,
  fail,
  findMainAccountByRef,
  findOwnedAccount,
  readPositiveAmount,
  succeed,
  withAnswer,
  type OperatorResult,
  type OwnedAccountRef,
} from './operator.js';

/**
 * Holds (contract section 9), for the operator API and the CLI: the
 * request's own inputs first (22, 20, 5), then the account (30, 7), then
 * what the store decides in its transaction (33, 34, 35, 32, 6, 8).
 */

export interface PlaceHoldInput {
  /** Decimal text; the HTTP layer answers 2 when it is absent. */
  readonly credit: string;
  readonly reason?: string | undefined;
  /** Whole seconds as text, 1–604800; 3600 when absent (readExpiresIn). */
  readonly expiresIn?: string | undefined;
  readonly guard?: IdempotencyGuard<HoldOutcome> | undefined;
}

export interface SettleHoldInput {
  /** For a capture: decimal text, at most the hold's amount; the whole hold when absent. */
  readonly credit?: string | undefined;
  readonly operator?: string | undefined;
  readonly guard?: IdempotencyGuard<HoldOutcome> | undefined;
}

/** A hold after a change, its tree's main account as the change left it, and a capture's charge. */
export interface HoldChange {
  readonly hold: Hold;
  readonly mainAccount: MainAccountBalances;
  readonly transfer: Transfer | null;
}

export interface HoldListInput {
  readonly accountId: number;
  readonly status?: HoldStatus | undefined;
  readonly limit: number;
  readonly cursor?: string | undefined;
}

const EXPIRES_IN = /^\d{1,7}$/;
/** `hold_` and base64url (src/app/ids.ts); anything else names no hold (33). */
const HOLD_ID = /^hold_[A-Za-z0-9_-]{1,64}$/;

/** `expiresIn`: a whole number of seconds, 1–604800 (7 days); the default when absent; else 22. */
export function readExpiresIn(text: string | undefined): OperatorResult<number> {
  if (text === undefined) return succeed(DEFAULT_HOLD_EXPIRES_IN_S);
  if (!EXPIRES_IN.test(text)) return fail(22);
  const seconds = Number(text);
  return seconds >= 1 && seconds <= MAX_HOLD_EXPIRES_IN_S ? succeed(seconds) : fail(22);
}

export function isHoldId(text: string): boolean {
  return HOLD_ID.test(text);
}

/** Reserves `credit` on a main account or, with a token, one of its subaccounts. */
export async function placeHold(
  store: Store,
  ref: OwnedAccountRef,
  input: PlaceHoldInput,
): Promise<OperatorResult<HoldChange>> {
  const auditCode = checkAudit({ reason: input.reason });
  if (auditCode !== null) return fail(auditCode);
  const expiresIn = readExpiresIn(input.expiresIn);
  if (!expiresIn.ok) return expiresIn;
  const amount = readPositiveAmount(input.credit);
  if (!amount.ok) return amount;
  const found = await findOwnedAccount(store, ref);
  if (!found.ok) return found;
  const createdAt = new Date();
  const command = {
    holdId: newHoldId(),
    accountId: found.value.id,
    amountMicros: amount.value,
    reason: input.reason ?? null,
    expiresAt: new Date(createdAt.getTime() + expiresIn.value * 1000),
    createdAt,
    topupTransferId: newTransferId(),
  };
  return changed(
    await store.placeHold(input.guard === undefined ? command : { ...command, idempotency: input.guard }),
  );
}

/** Captures a pending hold, whole or in part (a `charge`), or voids it. */
export async function settleHold(
  store: Store,
  holdId: string,
  kind: 'capture' | 'void',
  input: SettleHoldInput = {},
): Promise<OperatorResult<HoldChange>> {
  const auditCode = checkAudit({ operator: input.operator });
  if (auditCode !== null) return fail(auditCode);
  let amountMicros: bigint | null = null;
  if (kind === 'capture' && input.credit !== undefined) {
    const amount = readPositiveAmount(input.credit);
    if (!amount.ok) return amount;
    amountMicros = amount.value;
  }
  if (!isHoldId(holdId)) return fail(33);
  const command = {
    holdId,
    kind,
    amountMicros,
    transferId: newTransferId(),
    createdAt: new Date(),
    operator: input.operator ?? null,
  };
  return changed(
    await store.settleHold(input.guard === undefined ? command : { ...command, idempotency: input.guard }),
  );
}

function changed(outcome: HoldOutcome): OperatorResult<HoldChange> {
  if (!outcome.ok) return outcome;
  const { hold, mainAccount, transfer } = outcome;
  return withAnswer(succeed({ hold, mainAccount, transfer }), outcome.answer);
}

/** One hold as a reader sees it now (a pending one past its expiry reads as expired); 33 when unknown. */
export async function getHold(store: Store, holdId: string): Promise<OperatorResult<Hold>> {
  const hold = isHoldId(holdId) ? await store.getHold(holdId) : null;
  return hold === null ? fail(33) : succeed(hold);
}

/** A main account's tree's holds, newest first (22 for a cursor not of this API, 30 for no main account). */
export async function listHolds(store: Store, input: HoldListInput): Promise<OperatorResult<HoldPage>> {
  if (input.cursor !== undefined && decodeCursor(input.cursor) === null) return fail(22);
  const main = await findMainAccountByRef(store, { accountId: input.accountId });
  if (!main.ok) return main;
  const { status, limit, cursor } = input;
  return succeed(await store.listHolds({ mainAccountId: main.value.id, status, limit, cursor }));
}
