import { expireDueHolds } from '../../domain/hold-rules.js';
import type { LedgerDraft } from '../../domain/ledger-draft.js';
import { usagePeriods } from '../../domain/rules.js';
import { toHold, toState, type HoldRow, type StateRow } from './rows.js';
import type { Statements } from './statements.js';

/**
 * What a write transaction reads into its draft before deciding: account
 * rows (the transaction holds SQLite's write lock from its first statement,
 * so nobody changes them meanwhile), the holds of those accounts already past
 * their expiry (expired here, lazily), and usage counters.
 */

/** The accounts of the given key hashes and tokens, each read once, then the due holds of all. */
export function readAccounts(
  s: Statements,
  draft: LedgerDraft,
  keyHashes: readonly string[],
  tokens: readonly string[],
  at: Date,
): void {
  for (const keyHash of new Set(keyHashes)) {
    const row = s.stateByKeyHash.get(keyHash) as StateRow | undefined;
    if (row !== undefined) draft.read(toState(row, keyHash));
  }
  for (const token of new Set(tokens)) {
    const row = s.stateByToken.get(token) as StateRow | undefined;
    if (row !== undefined) draft.read(toState(row));
  }
  expireDue(s, draft, at);
}

/** One account by id with the main account of its tree (its events' tree), or nothing when there is none. */
export function readAccountById(s: Statements, draft: LedgerDraft, accountId: number): void {
  const row = s.stateById.get(accountId) as StateRow | undefined;
  if (row === undefined) return;
  draft.read(toState(row));
  const parentId = row[2];
  if (parentId !== null) draft.read(toState(s.stateById.get(parentId) as StateRow));
}

export function readFunding(s: Statements, draft: LedgerDraft): void {
  draft.read(toState(s.fundingState.get() as StateRow));
}

/** The holds of the draft's accounts past their expiry, expired in the draft (with their usage counters). */
export function expireDue(s: Statements, draft: LedgerDraft, at: Date): void {
  for (const accountId of draft.accountsWithHolds()) {
    const holds = (s.dueHolds.all(accountId, at.getTime()) as HoldRow[]).map(toHold);
    for (const hold of holds) readUsage(s, draft, accountId, hold.createdAt);
    expireDueHolds(draft, holds, at);
  }
}

/** The usage counters of the UTC day and month `at` falls in (a missing one counts 0). */
export function readUsage(s: Statements, draft: LedgerDraft, accountId: number, at: Date): void {
  const periods = usagePeriods(at);
  for (const period of ['day', 'month'] as const) {
    const starts = periods[period];
    const row = s.usageCounter.get(accountId, period, starts) as
      { used: bigint; reached: bigint } | undefined;
    draft.readUsage({
      accountId,
      period,
      starts,
      usedMicros: row?.used ?? 0n,
      reached: row !== undefined && row.reached !== 0n,
    });
  }
}
