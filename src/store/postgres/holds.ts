import type pg from 'pg';
import { decidePlaceHold, decideSettleHold } from '../../domain/hold-rules.js';
import {
  holdAsOf,
  type Hold,
  type HoldOutcome,
  type HoldPage,
  type HoldQuery,
  type PlaceHoldCommand,
  type SettleHoldCommand,
} from '../../domain/holds.js';
import { cursorPosition, pageOf } from '../../domain/pages.js';
import { expireDue, lockAccountsById, readUsage } from './ledger-read.js';
import { newDraft, writeLedger } from './ledger-write.js';
import { HOLD_COLUMNS, type HoldRow, type Int8, toHold } from './rows.js';
import { runQuery, type Queryable } from './transaction.js';

/** A hold on an account, under its rules, with the account and its tree locked. */
export async function placeHoldInTransaction(
  client: Queryable,
  command: PlaceHoldCommand,
): Promise<HoldOutcome> {
  const draft = newDraft();
  await lockAccountsById(client, draft, [command.accountId]);
  await expireDue(client, draft, command.createdAt);
  if (draft.account(command.accountId) !== null) {
    await readUsage(client, draft, command.accountId, command.createdAt);
  }
  const outcome = decidePlaceHold(draft, command);
  await writeLedger(client, draft.changes());
  return outcome;
}

/**
 * A capture or a void. The accounts are locked first (in id order, as every
 * transaction does), then the hold: two captures of one hold wait for each
 * other, and the second finds it settled (34).
 */
export async function settleHoldInTransaction(
  client: Queryable,
  command: SettleHoldCommand,
): Promise<HoldOutcome> {
  const draft = newDraft();
  const found = await client.query<{ account_id: Int8 }>('SELECT account_id FROM holds WHERE id = $1', [
    command.holdId,
  ]);
  if (found.rows[0] !== undefined) {
    await lockAccountsById(client, draft, [Number(found.rows[0].account_id)], true);
    const locked = await client.query<HoldRow>(`SELECT ${HOLD_COLUMNS} FROM holds WHERE id = $1 FOR UPDATE`, [
      command.holdId,
    ]);
    const hold = toHold(locked.rows[0]!);
    draft.readHold(hold);
    await readUsage(client, draft, hold.accountId, hold.createdAt);
  }
  const outcome = decideSettleHold(draft, command);
  await writeLedger(client, draft.changes());
  return outcome;
}

/**
 * Up to `limit` holds past their expiry, expired and told (hold.expired).
 * Correctness never waits for this sweep: every transaction that reads a
 * balance expires what is due first. Processes sweeping at once wait on the
 * account rows, then find nothing left due.
 */
export async function expireHoldsInTransaction(client: Queryable, now: Date, limit: number): Promise<number> {
  const due = await client.query<{ account_id: Int8 }>(
    `SELECT DISTINCT account_id FROM (SELECT account_id FROM holds
       WHERE status = 'pending' AND expires_at <= $1 LIMIT $2) d`,
    [now, limit],
  );
  const draft = newDraft();
  await lockAccountsById(
    client,
    draft,
    due.rows.map((row) => Number(row.account_id)),
  );
  await expireDue(client, draft, now);
  const expired = draft.changes().holds.length;
  await writeLedger(client, draft.changes());
  return expired;
}

export async function getHold(pool: pg.Pool, holdId: string): Promise<Hold | null> {
  const found = await runQuery<HoldRow & { now: Date }>(
    pool,
    `SELECT ${HOLD_COLUMNS}, now() AS now FROM holds WHERE id = $1`,
    [holdId],
  );
  const row = found.rows[0];
  return row === undefined ? null : holdAsOf(toHold(row), row.now);
}

/** A tree's holds, newest first, as a reader sees them now. */
export async function listHolds(pool: pg.Pool, query: HoldQuery): Promise<HoldPage> {
  const values: unknown[] = [query.mainAccountId, query.limit + 1];
  const conditions = ['holds.main_account_id = $1'];
  if (query.status === 'pending') conditions.push("holds.status = 'pending' AND holds.expires_at > now()");
  else if (query.status === 'expired') {
    conditions.push("(holds.status = 'expired' OR (holds.status = 'pending' AND holds.expires_at <= now()))");
  } else if (query.status !== undefined) {
    values.push(query.status);
    conditions.push(`holds.status = $${values.length}`);
  }
  if (query.cursor !== undefined) {
    values.push(cursorPosition(query.cursor).toString());
    conditions.push(`holds.seq < $${values.length}`);
  }
  const found = await runQuery<HoldRow & { seq: Int8; now: Date }>(
    pool,
    `SELECT ${HOLD_COLUMNS}, holds.seq, now() AS now FROM holds WHERE ${conditions.join(' AND ')}
     ORDER BY holds.seq DESC LIMIT $2`,
    values,
  );
  const page = pageOf(found.rows, query.limit, (row) => BigInt(row.seq));
  return { items: page.rows.map((row) => holdAsOf(toHold(row), row.now)), nextCursor: page.nextCursor };
}
