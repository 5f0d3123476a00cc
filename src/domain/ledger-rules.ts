import type { Caller } from './accounts.js';
import type { ErrorCode } from './errors.js';
import type { ParsedAmount } from './money.js';
import {
  creditTransfer,
  type CreditCommand,
  type CreditOutcome,
  type Direction,
  type Transfer,
} from './transfers.js';

/**
 * The ledger's decisions, pure and in the contract's order of precedence
 * (TigerBeetle style: early returns, the first failing check wins). Stores read
 * the rows inside their transaction, call these, and apply what they say.
 */

/** Codes 10 then 4: is this key allowed to act as a main account? */
export function checkMainCaller(caller: Caller | null): ErrorCode | null {
  if (caller === null) return 10;
  if (caller.kind !== 'main' || caller.status !== 'active') return 4;
  return null;
}

/** Codes 20 then 5. */
export function checkAmount(amount: ParsedAmount): ErrorCode | null {
  if (amount.kind === 'invalid') return 20;
  if (amount.kind === 'not-positive') return 5;
  return null;
}

/** Codes 6 then 8: can `debitBalanceMicros` pay `amountMicros`? */
export function checkFunds(debitBalanceMicros: bigint, amountMicros: bigint): ErrorCode | null {
  if (debitBalanceMicros <= 0n) return 6;
  if (debitBalanceMicros < amountMicros) return 8;
  return null;
}

export interface SubaccountState {
  readonly id: number;
  readonly parentId: number | null;
  readonly kind: string;
  readonly balanceMicros: bigint;
}

export type CreditDecision =
  | { readonly ok: false; readonly code: ErrorCode }
  | {
      readonly ok: true;
      readonly amountMicros: bigint;
      /** Balances after the transfer. */
      readonly mainBalanceMicros: bigint;
      readonly subaccountBalanceMicros: bigint;
    };

/**
 * The whole add/remove decision from the state read in the transaction.
 * `subaccount` must be what the token resolves to, or null; another owner's
 * subaccount answers 7 exactly like a token that does not exist.
 */
export function decideCredit(
  direction: Direction,
  caller: Caller | null,
  amount: ParsedAmount,
  subaccount: SubaccountState | null,
): CreditDecision {
  const callerCode = checkMainCaller(caller);
  if (callerCode !== null) return { ok: false, code: callerCode };
  const amountCode = checkAmount(amount);
  if (amountCode !== null || amount.kind !== 'positive') return { ok: false, code: amountCode ?? 20 };
  if (subaccount === null || subaccount.kind !== 'sub' || subaccount.parentId !== caller!.accountId) {
    return { ok: false, code: 7 };
  }
  const main = caller!.balanceMicros;
  const sub = subaccount.balanceMicros;
  const debit = direction === 'add' ? main : sub;
  const fundsCode = checkFunds(debit, amount.micros);
  if (fundsCode !== null) return { ok: false, code: fundsCode };
  const delta = direction === 'add' ? amount.micros : -amount.micros;
  return {
    ok: true,
    amountMicros: amount.micros,
    mainBalanceMicros: main - delta,
    subaccountBalanceMicros: sub + delta,
  };
}

export type SettledCredit =
  | { readonly outcome: Extract<CreditOutcome, { ok: false }>; readonly transfer: null }
  | { readonly outcome: Extract<CreditOutcome, { ok: true }>; readonly transfer: Transfer };

/**
 * One add/remove of a batch, decided against the balances `caller` and
 * `subaccount` carry (those the commands before it left): the answer, and on
 * success the transfer to write. Every store's batch path calls this, so a
 * decision becomes a transfer and an answer in one place.
 */
export function settleCredit(
  command: CreditCommand,
  caller: Caller | null,
  subaccount: (SubaccountState & { readonly token: string | null }) | null,
): SettledCredit {
  const decision = decideCredit(command.direction, caller, command.amount, subaccount);
  if (!decision.ok) return { outcome: { ok: false, code: decision.code }, transfer: null };
  const { mainBalanceMicros, subaccountBalanceMicros } = decision;
  const transfer = creditTransfer({
    transferId: command.transferId,
    direction: command.direction,
    mainAccountId: caller!.accountId,
    subaccountId: subaccount!.id,
    subaccountToken: subaccount!.token,
    amountMicros: decision.amountMicros,
    mainBalanceMicros,
    subaccountBalanceMicros,
    idempotencyKey: command.idempotencyKey,
    createdAt: command.createdAt,
  });
  return {
    outcome: { ok: true, transferId: command.transferId, mainBalanceMicros, subaccountBalanceMicros },
    transfer,
  };
}
