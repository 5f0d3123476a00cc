import { expireDueHolds } from '../../domain/hold-rules.js';
import type { LedgerDraft } from '../../domain/ledger-draft.js';
import { usagePeriods } from '../../domain/rules.js';
import { HOLD_COLUMNS, STATE_COLUMNS, type HoldRow, type StateRow, toHold, toState } from './rows.js';
import type { Queryable } from './transaction.js';

/**
 * What a write transaction reads into its draft before deciding: account
 * rows, locked in id order (ORDER BY id with FOR UPDATE locks rows in that
 * order, and every store method locks in that order, so two transactions never
 * wait on each other in a cycle; under READ COMMITTED a row changed meanwhile
 * is read again once its lock is granted, so the balances are the latest), the
 * holds of those accounts already past their expiry (expired here, lazily),
 * and usage counters (written only under their account's row lock).
 */

const LOCK_SQL = `SELECT ${STATE_COLUMNS} FROM accounts
  WHERE key_hash = ANY($1::text[]) OR token = ANY($2::text[]) OR id = ANY($3::bigint[]) ORDER BY id FOR UPDATE`;

/** Locks the accounts of the given key hashes, tokens (and ids), then expires the due holds of all. */
export async function lockAccounts(
  client: Queryable,
  draft: LedgerDraft,
  keyHashes: readonly string[],
  tokens: readonly string[],
  at: Date,
  ids: readonly number[] = [],
): Promise<void> {
  const locked = await client.query<StateRow>({
    name: 'accounts_lock',
    text: LOCK_SQL,
    values: [[...new Set(keyHashes)], [...new Set(tokens)], ids],
  });
  for (const row of locked.rows) draft.read(toState(row));
  await expireDue(client, draft, at);
}

/**
 * Locks accounts by id with the main accounts of their trees (their events'
 * tree, their automatic top-ups) and, with `funding`, the funding account,
 * all in one statement, in id order.
 */
export async function lockAccountsById(
  client: Queryable,
  draft: LedgerDraft,
  accountIds: readonly number[],
  funding = false,
): Promise<void> {
  const locked = await client.query<StateRow>(
    `SELECT ${STATE_COLUMNS} FROM accounts
     WHERE id = ANY($1::bigint[]) OR id IN (SELECT parent_id FROM accounts WHERE id = ANY($1::bigint[]))
       OR ($2 AND kind = 'funding')
     ORDER BY id FOR UPDATE`,
    [accountIds, funding],
  );
  for (const row of locked.rows) draft.read(toState(row));
}

/** The holds of the draft's accounts past their expiry, expired in the draft (with their usage counters). */
export async function expireDue(client: Queryable, draft: LedgerDraft, at: Date): Promise<void> {
  const accounts = draft.accountsWithHolds();
  if (accounts.length === 0) return;
  const due = await client.query<HoldRow>(
    `SELECT ${HOLD_COLUMNS} FROM holds
     WHERE account_id = ANY($1::bigint[]) AND status = 'pending' AND expires_at <= $2 FOR UPDATE`,
    [accounts, at],
  );
  const holds = due.rows.map(toHold);
  for (const hold of holds) await readUsage(client, draft, hold.accountId, hold.createdAt);
  expireDueHolds(draft, holds, at);
}

/** The usage counters of the UTC day and month `at` falls in (a missing one counts 0). */
export async function readUsage(
  client: Queryable,
  draft: LedgerDraft,
  accountId: number,
  at: Date,
): Promise<void> {
  const periods = usagePeriods(at);
  const found = await client.query<{ period: 'day' | 'month'; used: string; reached: boolean }>(
    `SELECT period, used, reached FROM usage_counters
     WHERE account_id = $1 AND ((period = 'day' AND starts = $2) OR (period = 'month' AND starts = $3))`,
    [accountId, periods.day, periods.month],
  );
  for (const period of ['day', 'month'] as const) {
    const row = found.rows.find((counter) => counter.period === period);
    draft.readUsage({
      accountId,
      period,
      starts: periods[period],
      usedMicros: BigInt(row?.used ?? 0),
      reached: row?.reached ?? false,
    });
  }
}
