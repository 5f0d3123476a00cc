import type { Account } from '../domain/accounts.js';
import type { IdempotencyGuard } from '../domain/idempotency.js';
import type { AccountRules, RulesPatch } from '../domain/rules.js';
import type { CloseSubaccountOutcome } from '../domain/accounts.js';
import type { Store } from '../domain/store.js';
import { newTransferId } from './ids.js';
import {
  fail,
  findOwnedAccount,
  succeed,
  withAnswer,
  type OperatorResult,
  type OwnedAccountRef,
} from './operator.js';

/**
 * The operator's side of balance rules (contract section 8) and of closing a
 * subaccount (section 6), shared by the CLI and /admin/v1. An account is a
 * main account by id (30) or, with a token, one of its open subaccounts (7).
 */

/** Rules as the API and the CLI show them: null for a rule not set, money written by `money`. */
export function rulesShape<M>(rules: AccountRules, money: (micros: bigint) => M) {
  const { lowBalanceMicros, autoTopup, spendingCap } = rules;
  return {
    lowBalance: lowBalanceMicros === null ? null : money(lowBalanceMicros),
    autoTopup:
      autoTopup === null
        ? null
        : autoTopup.toMicros !== null
          ? { below: money(autoTopup.belowMicros), to: money(autoTopup.toMicros) }
          : { below: money(autoTopup.belowMicros), add: money(autoTopup.addMicros!) },
    spendingCap:
      spendingCap === null ? null : { amount: money(spendingCap.amountMicros), period: spendingCap.period },
  };
}

/** The account whose rules are read: its `rules` as stored. */
export function getRules(store: Store, ref: OwnedAccountRef): Promise<OperatorResult<Account>> {
  return findOwnedAccount(store, ref);
}

/**
 * The rules after a patch, read and written in one transaction: the account
 * first (30, 7), then the store's decision (7 for a subaccount closed
 * meanwhile, 22 for an automatic top-up of a main account, the patch's 22,
 * 20, 5). One bad field changes nothing.
 */
export async function setRules(
  store: Store,
  ref: OwnedAccountRef,
  patch: RulesPatch,
): Promise<OperatorResult<AccountRules>> {
  const found = await findOwnedAccount(store, ref);
  if (!found.ok) return found;
  const rules = await store.setRules(found.value.id, patch);
  return typeof rules === 'number' ? fail(rules) : succeed(rules);
}

export interface ClosedSubaccount {
  /** The subaccount as the close left it: balance 0, no hold, `closedAt` set. */
  readonly subaccount: Account;
  /** The main account's available balance after the close. */
  readonly mainAvailableMicros: bigint;
  /** The `close` transfer that brought the subaccount's balance back; null when it had none. */
  readonly transferId: string | null;
}

/**
 * Closes a subaccount of a main account, as its owner's delete does: its
 * balance back to the main account (a `close` transfer), then closed with its
 * history kept. Codes 22, 30, 7, then the store's 7 (closed meanwhile) and 36
 * (pending holds). `guard` gets the subaccount as the close will leave it.
 */
export async function closeSubaccount(
  store: Store,
  ref: { readonly mainAccountId: number; readonly tokenSubaccount: string },
  guard?: (after: Account) => IdempotencyGuard<CloseSubaccountOutcome>,
): Promise<OperatorResult<ClosedSubaccount>> {
  // A closed subaccount goes on to the store: a replay of the close answers as the close did, else 7.
  const found = await findOwnedAccount(store, { mainAccountId: ref.mainAccountId });
  if (!found.ok) return found;
  const owned = await store.findSubaccountByToken(ref.tokenSubaccount);
  if (owned === null || owned.parentId !== found.value.id) return fail(7);
  const createdAt = new Date();
  const subaccount: Account = { ...owned, balanceMicros: 0n, heldMicros: 0n, closedAt: createdAt };
  const command = {
    by: { mainAccountId: ref.mainAccountId },
    tokenSubaccount: ref.tokenSubaccount,
    transferId: newTransferId(),
    createdAt,
  };
  const outcome = await store.closeSubaccount(
    guard === undefined ? command : { ...command, idempotency: guard(subaccount) },
  );
  if (!outcome.ok) return outcome;
  const { mainAvailableMicros, transferId } = outcome;
  return withAnswer(succeed({ subaccount, mainAvailableMicros, transferId }), outcome.answer);
}
