import type { AccountState } from './ledger-draft.js';
import { LedgerDraft } from './ledger-draft.js';
import { NO_RULES, usagePeriods } from './rules.js';

/** Rows for the domain's tests: the funding account, a main account (key hash `k`) and its subaccount `tok`. */
export const funding: AccountState = {
  id: 1,
  kind: 'funding',
  parentId: null,
  email: 'funding@x',
  token: null,
  status: 'active',
  balanceMicros: -10_000_000n,
  heldMicros: 0n,
  rules: NO_RULES,
  closedAt: null,
  eventSequence: 0,
};
export const main: AccountState = {
  ...funding,
  id: 2,
  kind: 'main',
  email: 'm@x',
  balanceMicros: 5_000_000n,
  keyHash: 'k',
};
export const sub: AccountState = {
  ...main,
  id: 3,
  kind: 'sub',
  parentId: 2,
  email: 's@x',
  token: 'tok',
  balanceMicros: 0n,
  keyHash: null,
};

/** A draft holding these rows, as a store reads them in its transaction; the random part of its event ids counts 1, 2… */
export function draftOf(...accounts: AccountState[]): LedgerDraft {
  let made = 0;
  const draft = new LedgerDraft(() => (made += 1).toString(16));
  for (const account of accounts) draft.read(account);
  return draft;
}

/** The draft with zero usage counters for the day and month of `at` (as a store reads missing ones). */
export function withUsage(draft: LedgerDraft, accountId: number, at: Date): LedgerDraft {
  const periods = usagePeriods(at);
  for (const period of ['day', 'month'] as const) {
    draft.readUsage({ accountId, period, starts: periods[period], usedMicros: 0n, reached: false });
  }
  return draft;
}
