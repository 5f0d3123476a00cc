import type pg from 'pg';
import type { Account, Caller, SubaccountPage } from '../../domain/accounts.js';
import type { EventQuery, LedgerEvent } from '../../domain/events.js';
import { isFewKind, TRANSFER_ID_SHAPE, type Transfer } from '../../domain/transfers.js';
import type { OperatorAction, OperatorActionKind } from '../../domain/operator-actions.js';
import {
  cursorPosition,
  likePattern,
  pageOf,
  windowPageOf,
  transfersExamined,
  type MainAccountPage,
  type MainAccountQuery,
  type SubaccountQuery,
  type SubaccountSearchPage,
  type TransferFilter,
  type TransferPage,
} from '../../domain/pages.js';
import {
  ACCOUNT_COLUMNS,
  EVENT_COLUMNS,
  accountColumns,
  type AccountRow,
  type Int8,
  type EventRow,
  TRANSFER_COLUMNS,
  type TransferRow,
  toAccount,
  toCaller,
  toEvent,
  toTransfer,
} from './rows.js';
import { withTransferData } from './event-data.js';
import { FEW_KINDS } from './migrations.js';
import { subaccountHistory } from './subaccount-history.js';
import { runQuery } from './transaction.js';

/**
 * The store's reads outside any write: the caller of a key, accounts,
 * transfers, and the listing queries of the operator API and the public
 * history. Each is one statement, so a page is one consistent snapshot.
 */

async function selectAccount(
  pool: pg.Pool,
  where: string,
  values: readonly unknown[],
): Promise<AccountRow | null> {
  const found = await runQuery<AccountRow>(
    pool,
    `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE ${where}`,
    values,
  );
  return found.rows[0] ?? null;
}

export async function authenticate(pool: pg.Pool, keyHash: string): Promise<Caller | null> {
  const found = await selectAccount(pool, 'key_hash = $1', [keyHash]);
  return found === null ? null : toCaller(found);
}

export async function getAccount(pool: pg.Pool, accountId: number): Promise<Account | null> {
  const found = await selectAccount(pool, 'id = $1', [accountId]);
  return found === null ? null : toAccount(found);
}

export async function findMainAccountByEmail(pool: pg.Pool, email: string): Promise<Account | null> {
  const found = await selectAccount(pool, `kind = 'main' AND email = $1`, [email]);
  return found === null ? null : toAccount(found);
}

/** Ids are kept as the uuid type: text of another shape is no transfer (and no uuid to compare with). */
export async function getTransfer(pool: pg.Pool, transferId: string): Promise<Transfer | null> {
  if (!TRANSFER_ID_SHAPE.test(transferId)) return null;
  const found = await runQuery<TransferRow>(pool, `SELECT ${TRANSFER_COLUMNS} FROM transfers WHERE id = $1`, [
    transferId,
  ]);
  return found.rows[0] === undefined ? null : toTransfer(found.rows[0]);
}

/** Open subaccounts only, unless `includeClosed` (the operator's view); `total` counts the open ones. */
export async function listSubaccounts(
  pool: pg.Pool,
  mainAccountId: number,
  page: number,
  perPage: number,
  includeClosed = false,
): Promise<SubaccountPage> {
  const total = await countSubaccounts(pool, mainAccountId);
  const open = includeClosed ? '' : 'AND closed_at IS NULL';
  const rows = await runQuery<AccountRow>(
    pool,
    `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE kind = 'sub' AND parent_id = $1 ${open}
     ORDER BY id LIMIT $2 OFFSET $3`,
    [mainAccountId, perPage, Math.max(0, page - 1) * perPage],
  );
  return { total, items: rows.rows.map(toAccount) };
}

/** Builds `$n` placeholders as values are added, so optional filters compose. */
class Conditions {
  readonly clauses: string[] = [];
  readonly values: unknown[] = [];

  add(clause: (placeholder: string) => string, value: unknown): void {
    this.values.push(value);
    this.clauses.push(clause(`$${this.values.length}`));
  }

  where(): string {
    return this.clauses.length === 0 ? '' : `WHERE ${this.clauses.join(' AND ')}`;
  }

  limit(limit: number): string {
    this.values.push(limit + 1);
    return `LIMIT $${this.values.length}`;
  }
}

export async function listMainAccounts(pool: pg.Pool, query: MainAccountQuery): Promise<MainAccountPage> {
  const conditions = new Conditions();
  conditions.clauses.push(`kind = 'main'`);
  if (query.search !== undefined && query.search !== '') {
    conditions.add((p) => `email ILIKE ${p} ESCAPE '\\'`, likePattern(query.search));
  }
  if (query.cursor !== undefined) conditions.add((p) => `id < ${p}`, cursorPosition(query.cursor).toString());
  const where = conditions.where();
  const limit = conditions.limit(query.limit);
  const found = await runQuery<AccountRow & { subaccount_count: string }>(
    pool,
    `SELECT ${accountColumns('a')},
       (SELECT count(*) FROM accounts s WHERE s.kind = 'sub' AND s.parent_id = a.id AND s.closed_at IS NULL)
         AS subaccount_count
     FROM accounts a ${where} ORDER BY id DESC ${limit}`,
    conditions.values,
  );
  const page = pageOf(found.rows, query.limit, (row) => BigInt(row.id));
  return {
    items: page.rows.map((row) => ({
      account: toAccount(row),
      subaccountCount: Number(row.subaccount_count),
    })),
    nextCursor: page.nextCursor,
  };
}

/**
 * Two statements, both on the primary key: the window of the subaccounts
 * this page examines (at most `examineLimit`, newest first), then the
 * matches inside it. Subaccount ids only grow, so a subaccount committed
 * between the two is above the window and waits for a new search.
 */
export async function searchSubaccounts(
  pool: pg.Pool,
  query: SubaccountQuery,
): Promise<SubaccountSearchPage> {
  const before = query.cursor === undefined ? null : cursorPosition(query.cursor).toString();
  const windowFound = await runQuery<{ count: string; lowest: Int8 | null }>(
    pool,
    `SELECT count(*) AS count, min(id) AS lowest FROM
       (SELECT id FROM accounts WHERE kind = 'sub' AND ($1::bigint IS NULL OR id < $1) ORDER BY id DESC LIMIT $2) w`,
    [before, query.examineLimit],
  );
  const window = windowFound.rows[0]!;
  if (window.lowest === null) return { items: [], nextCursor: null };
  const conditions = new Conditions();
  conditions.clauses.push(`kind = 'sub'`);
  conditions.add((p) => `id >= ${p}`, window.lowest);
  if (before !== null) conditions.add((p) => `id < ${p}`, before);
  if (query.search !== undefined && query.search !== '') {
    conditions.add((p) => `email ILIKE ${p} ESCAPE '\\'`, likePattern(query.search));
  }
  const where = conditions.where();
  const limit = conditions.limit(query.limit);
  const found = await runQuery<AccountRow & { main_email: string }>(
    pool,
    `SELECT ${ACCOUNT_COLUMNS}, (SELECT m.email FROM accounts m WHERE m.id = accounts.parent_id) AS main_email
     FROM accounts ${where} ORDER BY id DESC ${limit}`,
    conditions.values,
  );
  const examined = { count: Number(window.count), lowestId: Number(window.lowest) };
  const page = windowPageOf(found.rows, query, examined, (row) => BigInt(row.id));
  return {
    items: page.rows.map((row) => ({ subaccount: toAccount(row), mainEmail: row.main_email })),
    nextCursor: page.nextCursor,
  };
}

export async function countSubaccounts(pool: pg.Pool, mainAccountId: number): Promise<number> {
  const found = await runQuery<{ total: string }>(
    pool,
    `SELECT count(*) AS total FROM accounts WHERE kind = 'sub' AND parent_id = $1 AND closed_at IS NULL`,
    [mainAccountId],
  );
  return Number(found.rows[0]!.total);
}

export async function findSubaccountByToken(pool: pg.Pool, token: string): Promise<Account | null> {
  const found = await runQuery<AccountRow>(
    pool,
    `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE kind = 'sub' AND token = $1`,
    [token],
  );
  return found.rows[0] === undefined ? null : toAccount(found.rows[0]);
}

export async function listTransfers(pool: pg.Pool, filter: TransferFilter): Promise<TransferPage> {
  const { subaccountId } = filter;
  if (subaccountId !== undefined) return subaccountHistory(pool, { ...filter, subaccountId });
  const examine = transfersExamined(filter);
  const rowsOf = async ({ text, values }: Statement) =>
    (await runQuery<TransferRow & { seq: string }>(pool, text, values)).rows;
  if (examine === null) {
    const page = pageOf(await rowsOf(transferListing(filter)), filter.limit, (row) => BigInt(row.seq));
    return { items: page.rows.map(toTransfer), nextCursor: page.nextCursor };
  }
  // Two statements on one index, as the subaccount search: the window, then the matches in it.
  const windowed = transferWindow(filter, examine);
  const found = await runQuery<{ count: string; lowest: Int8 | null }>(pool, windowed.text, windowed.values);
  const window = found.rows[0]!;
  if (window.lowest === null) return { items: [], nextCursor: null };
  const rows = await rowsOf(transferListing(filter, window.lowest));
  const examined = { count: Number(window.count), lowestId: BigInt(window.lowest) };
  const page = windowPageOf(rows, { limit: filter.limit, examineLimit: examine }, examined, (row) =>
    BigInt(row.seq),
  );
  return { items: page.rows.map(toTransfer), nextCursor: page.nextCursor };
}

interface Statement {
  readonly text: string;
  readonly values: unknown[];
}

/** A listing not filtered by subaccount (those walk their chain: subaccount-history.ts). */
type TreeFilter = Omit<TransferFilter, 'subaccountId'>;

/** Whether a tree's transfers of the filter's kind are read from their own index (transfers_main_few). */
function fewKindIndexed(filter: TreeFilter): boolean {
  return filter.kind !== undefined && filter.mainAccountId !== undefined && isFewKind(filter.kind);
}

/** The conditions the index a listing reads answers: the tree, a tree's few kind, the cursor. */
function indexedConditions(filter: TreeFilter): Conditions {
  const conditions = new Conditions();
  if (filter.mainAccountId !== undefined)
    conditions.add((p) => `main_account_id = ${p}`, filter.mainAccountId);
  if (fewKindIndexed(filter)) {
    conditions.add((p) => `kind = ${p}`, filter.kind);
    // The same term as the partial index's, so that the planner may use it whatever the kind's value.
    conditions.clauses.push(FEW_KINDS);
  }
  if (filter.cursor !== undefined) {
    conditions.add((p) => `seq < ${p}`, cursorPosition(filter.cursor).toString());
  }
  return conditions;
}

/** The statement of a page of transfers; with `lowest`, only among the transfers from that seq up (the examined window). */
export function transferListing(filter: TreeFilter, lowest?: Int8): Statement {
  const conditions = indexedConditions(filter);
  // What that index does not answer is checked row by row (transfersExamined).
  if (filter.kind !== undefined && !fewKindIndexed(filter)) conditions.add((p) => `kind = ${p}`, filter.kind);
  if (filter.since !== undefined) conditions.add((p) => `created_at >= ${p}`, filter.since);
  if (filter.until !== undefined) conditions.add((p) => `created_at < ${p}`, filter.until);
  if (lowest !== undefined) conditions.add((p) => `seq >= ${p}`, lowest);
  const where = conditions.where();
  const limit = conditions.limit(filter.limit);
  return {
    text: `SELECT seq, ${TRANSFER_COLUMNS} FROM transfers ${where} ORDER BY seq DESC ${limit}`,
    values: conditions.values,
  };
}

/** The window of transfers a page examines: the newest `examine` that its index gives, counted, and the lowest seq. */
export function transferWindow(filter: TreeFilter, examine: number): Statement {
  const conditions = indexedConditions(filter);
  const where = conditions.where();
  conditions.values.push(examine);
  return {
    text: `SELECT count(*) AS count, min(seq) AS lowest FROM
      (SELECT seq FROM transfers ${where} ORDER BY seq DESC LIMIT $${conditions.values.length}) w`,
    values: conditions.values,
  };
}

export async function listEvents(pool: pg.Pool, query: EventQuery): Promise<LedgerEvent[]> {
  const byType = query.types === undefined ? '' : 'AND type = ANY($4::text[])';
  const found = await runQuery<EventRow>(
    pool,
    `SELECT ${EVENT_COLUMNS} FROM events WHERE account_id = $1 AND sequence > $2 ${byType}
     ORDER BY sequence LIMIT $3`,
    [query.accountId, query.after, query.limit, ...(query.types === undefined ? [] : [query.types])],
  );
  return withTransferData(pool, found.rows.map(toEvent));
}

export async function listOperatorActions(
  pool: pg.Pool,
  accountId: number,
  limit: number,
): Promise<OperatorAction[]> {
  const found = await runQuery<{
    id: string;
    account_id: string;
    action: OperatorActionKind;
    operator: string;
    reason: string | null;
    created_at: Date;
  }>(
    pool,
    `SELECT id, account_id, action, operator, reason, created_at FROM operator_actions
     WHERE account_id = $1 ORDER BY id DESC LIMIT $2`,
    [accountId, limit],
  );
  return found.rows.map((row) => ({
    id: Number(row.id),
    accountId: Number(row.account_id),
    action: row.action,
    operator: row.operator,
    reason: row.reason,
    createdAt: row.created_at,
  }));
}
