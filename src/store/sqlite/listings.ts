import type Database from 'better-sqlite3';
import type { Account, Caller, SubaccountPage } from '../../domain/accounts.js';
import type { EventQuery, LedgerEvent } from '../../domain/events.js';
import { holdAsOf, type Hold, type HoldPage, type HoldQuery } from '../../domain/holds.js';
import { isFewKind, type Transfer } from '../../domain/transfers.js';
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
  EVENT_TYPE,
  HOLD_COLUMNS,
  TOKEN_JOIN,
  TRANSFER_COLUMNS,
  accountColumns,
  toAccount,
  toCaller,
  toEvent,
  toHold,
  toTransfer,
  type AccountRow,
  type EventRow,
  type HoldRow,
  type TransferRow,
} from './rows.js';
import { FEW_KINDS } from './migrations.js';
import { preparedOnUse, type Statements } from './statements.js';
import { withTransferData } from './event-data.js';
import { subaccountHistory } from './subaccount-history.js';

/**
 * The store's reads outside any write: the caller of a key, accounts,
 * transfers, and the listing queries of the operator API and the public
 * history. A listing's WHERE clause depends on which filters are given, so
 * each shape is prepared once, on first use, and kept (there are few shapes:
 * one per set of filters).
 */
export class SqliteListings {
  private readonly statement: (sql: string) => Database.Statement;

  constructor(
    private readonly db: Database.Database,
    private readonly s: Statements,
  ) {
    this.statement = preparedOnUse(db);
  }

  authenticate(keyHash: string): Caller | null {
    const row = this.s.accountByKeyHash.get(keyHash) as AccountRow | undefined;
    return row === undefined ? null : toCaller(row);
  }

  getAccount(accountId: number): Account | null {
    return this.account(this.s.accountById.get(accountId));
  }

  findMainAccountByEmail(email: string): Account | null {
    return this.account(this.s.mainAccountByEmail.get(email));
  }

  getTransfer(transferId: string): Transfer | null {
    const row = this.s.transferById.get(transferId) as TransferRow | undefined;
    return row === undefined ? null : toTransfer(row);
  }

  /** Open subaccounts only, unless `includeClosed` (the operator's view); `total` counts the open ones. */
  listSubaccounts(
    mainAccountId: number,
    page: number,
    perPage: number,
    includeClosed = false,
  ): SubaccountPage {
    const { total } = this.s.countSubaccounts.get(mainAccountId) as { total: bigint };
    const list = includeClosed ? this.s.listAllSubaccounts : this.s.listSubaccounts;
    const rows = list.all(mainAccountId, perPage, (page - 1) * perPage) as AccountRow[];
    return { total: Number(total), items: rows.map(toAccount) };
  }

  private account(row: unknown): Account | null {
    return row === undefined ? null : toAccount(row as AccountRow);
  }

  listMainAccounts(query: MainAccountQuery): MainAccountPage {
    const where = ["kind = 'main'"];
    const params: Record<string, unknown> = { limit: query.limit + 1 };
    if (query.search !== undefined && query.search !== '') {
      // LIKE is case-insensitive for ASCII in SQLite; emails are ASCII in practice.
      where.push("email LIKE @pattern ESCAPE '\\'");
      params['pattern'] = likePattern(query.search);
    }
    if (query.cursor !== undefined) {
      where.push('id < @cursor');
      params['cursor'] = cursorPosition(query.cursor);
    }
    const rows = this.statement(
      `SELECT ${accountColumns('a')}, (SELECT COUNT(*) FROM accounts s
         WHERE s.kind = 'sub' AND s.parent_id = a.id AND s.closed_at IS NULL) AS subaccount_count
       FROM accounts a WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT @limit`,
    ).all(params) as (AccountRow & { subaccount_count: bigint })[];
    const page = pageOf(rows, query.limit, (row) => row.id);
    return {
      items: page.rows.map((row) => ({
        account: toAccount(row),
        subaccountCount: Number(row.subaccount_count),
      })),
      nextCursor: page.nextCursor,
    };
  }

  /**
   * Two statements, both on the index of ids: the window of the subaccounts
   * this page examines (at most `examineLimit`, newest first), then the
   * matches inside it. Subaccount ids only grow, so a subaccount created
   * between the two is above the window and waits for a new search.
   */
  searchSubaccounts(query: SubaccountQuery): SubaccountSearchPage {
    const before = query.cursor === undefined ? null : cursorPosition(query.cursor);
    const below = before === null ? '' : 'AND id < @before';
    const bounds = before === null ? {} : { before };
    const window = this.statement(
      `SELECT COUNT(*) AS count, MIN(id) AS lowest FROM
         (SELECT id FROM accounts WHERE kind = 'sub' ${below} ORDER BY id DESC LIMIT @examine)`,
    ).get({ ...bounds, examine: query.examineLimit }) as { count: bigint; lowest: bigint | null };
    if (window.lowest === null) return { items: [], nextCursor: null };
    const search = query.search ?? '';
    // LIKE is case-insensitive for ASCII in SQLite, as in the main accounts' search.
    const byEmail = search === '' ? '' : "AND email LIKE @pattern ESCAPE '\\'";
    const rows = this.statement(
      `SELECT ${ACCOUNT_COLUMNS}, (SELECT m.email FROM accounts m WHERE m.id = accounts.parent_id) AS main_email
       FROM accounts WHERE kind = 'sub' AND id >= @lowest ${below} ${byEmail} ORDER BY id DESC LIMIT @limit`,
    ).all({
      ...bounds,
      lowest: window.lowest,
      limit: query.limit + 1,
      ...(search === '' ? {} : { pattern: likePattern(search) }),
    }) as (AccountRow & { main_email: string })[];
    const examined = { count: Number(window.count), lowestId: Number(window.lowest) };
    const page = windowPageOf(rows, query, examined, (row) => row.id);
    return {
      items: page.rows.map((row) => ({ subaccount: toAccount(row), mainEmail: row.main_email })),
      nextCursor: page.nextCursor,
    };
  }

  countSubaccounts(mainAccountId: number): number {
    const row = this.s.countSubaccounts.get(mainAccountId) as { total: bigint };
    return Number(row.total);
  }

  findSubaccountByToken(token: string): Account | null {
    const row = this.statement(
      `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE kind = 'sub' AND token = ?`,
    ).get(token) as AccountRow | undefined;
    return row === undefined ? null : toAccount(row);
  }

  listTransfers(filter: TransferFilter): TransferPage {
    const { subaccountId } = filter;
    if (subaccountId !== undefined) return subaccountHistory(this.statement, { ...filter, subaccountId });
    const examine = transfersExamined(filter);
    const rowsOf = ({ sql, params }: Statement) =>
      this.statement(sql).all(params) as (TransferRow & { seq: bigint })[];
    if (examine === null) {
      const page = pageOf(rowsOf(transferListing(filter)), filter.limit, (row) => row.seq);
      return { items: page.rows.map(toTransfer), nextCursor: page.nextCursor };
    }
    // Two statements on one index, as the subaccount search: the window, then the matches in it.
    // Seqs only grow: a transfer committed between the two is above the window, none below it is missed.
    const windowed = transferWindow(filter, examine);
    const window = this.statement(windowed.sql).get(windowed.params) as {
      count: bigint;
      lowest: bigint | null;
    };
    if (window.lowest === null) return { items: [], nextCursor: null };
    const rows = rowsOf(transferListing(filter, window.lowest));
    const examined = { count: Number(window.count), lowestId: window.lowest };
    const page = windowPageOf(
      rows,
      { limit: filter.limit, examineLimit: examine },
      examined,
      (row) => row.seq,
    );
    return { items: page.rows.map(toTransfer), nextCursor: page.nextCursor };
  }

  listEvents(query: EventQuery): LedgerEvent[] {
    const byType =
      query.types === undefined ? '' : `AND ${EVENT_TYPE} IN (SELECT value FROM json_each(@types))`;
    const rows = this.statement(
      `SELECT ${EVENT_COLUMNS} FROM events e
       WHERE account_id = @account AND sequence > @after ${byType} ORDER BY sequence LIMIT @limit`,
    ).all({
      account: query.accountId,
      after: query.after,
      limit: query.limit,
      ...(query.types === undefined ? {} : { types: JSON.stringify(query.types) }),
    }) as EventRow[];
    return withTransferData(this.db, rows.map(toEvent));
  }

  getHold(holdId: string, now: Date): Hold | null {
    const row = this.s.holdById.get(holdId) as HoldRow | undefined;
    return row === undefined ? null : holdAsOf(toHold(row), now);
  }

  /** A tree's holds, newest first, as a reader sees them now. */
  listHolds(query: HoldQuery, now: Date): HoldPage {
    const conditions = ['holds.main_account_id = @main'];
    if (query.status === 'pending') conditions.push("holds.status = 'pending' AND holds.expires_at > @now");
    else if (query.status === 'expired') {
      conditions.push(
        "(holds.status = 'expired' OR (holds.status = 'pending' AND holds.expires_at <= @now))",
      );
    } else if (query.status !== undefined) conditions.push('holds.status = @status');
    if (query.cursor !== undefined) conditions.push('holds.seq < @cursor');
    const rows = this.statement(
      `SELECT ${HOLD_COLUMNS}, holds.seq FROM holds WHERE ${conditions.join(' AND ')}
       ORDER BY holds.seq DESC LIMIT @limit`,
    ).all({
      main: query.mainAccountId,
      now: now.getTime(),
      limit: query.limit + 1,
      ...(query.status === undefined ? {} : { status: query.status }),
      ...(query.cursor === undefined ? {} : { cursor: cursorPosition(query.cursor) }),
    }) as (HoldRow & { seq: bigint })[];
    const page = pageOf(rows, query.limit, (row) => row.seq);
    return { items: page.rows.map((row) => holdAsOf(toHold(row), now)), nextCursor: page.nextCursor };
  }

  listOperatorActions(accountId: number, limit: number): OperatorAction[] {
    const rows = this.statement(
      `SELECT id, account_id, action, operator, reason, created_at FROM operator_actions
       WHERE account_id = ? ORDER BY id DESC LIMIT ?`,
    ).all(accountId, limit) as ActionRow[];
    return rows.map((row) => ({
      id: Number(row.id),
      accountId: Number(row.account_id),
      action: row.action,
      operator: row.operator,
      reason: row.reason,
      createdAt: new Date(Number(row.created_at)),
    }));
  }
}

interface ActionRow {
  id: bigint;
  account_id: bigint;
  action: OperatorActionKind;
  operator: string;
  reason: string | null;
  created_at: bigint;
}

type Statement = { readonly sql: string; readonly params: Record<string, unknown> };

/**
 * A listing's conditions (not filtered by subaccount): those the index it
 * reads answers (the tree, a few kind, the cursor) and those checked row by
 * row (transfersExamined).
 */
function transferConditions(filter: Omit<TransferFilter, 'subaccountId'>) {
  const indexed: string[] = [];
  const checked: string[] = [];
  const params: Record<string, unknown> = {};
  const add = (to: string[], clause: string, name: string, value: unknown) => {
    to.push(clause);
    params[name] = value;
  };
  if (filter.mainAccountId !== undefined)
    add(indexed, 't.main_account_id = @main', 'main', filter.mainAccountId);
  if (filter.kind !== undefined && filter.mainAccountId !== undefined && isFewKind(filter.kind)) {
    add(indexed, 't.kind = @kind', 'kind', filter.kind);
    // The same term as the partial index's, so that the planner may use it.
    indexed.push(`t.${FEW_KINDS}`);
  } else if (filter.kind !== undefined) add(checked, 't.kind = @kind', 'kind', filter.kind);
  if (filter.since !== undefined) add(checked, 't.created_at >= @since', 'since', filter.since.getTime());
  if (filter.until !== undefined) add(checked, 't.created_at < @until', 'until', filter.until.getTime());
  if (filter.cursor !== undefined) add(indexed, 't.seq < @cursor', 'cursor', cursorPosition(filter.cursor));
  return { indexed, checked, params };
}

const whereOf = (clauses: readonly string[]) =>
  clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`;

/**
 * The statement of a page of transfers not filtered by subaccount; with
 * `lowest`, only among the transfers from that seq up (the examined window).
 */
export function transferListing(filter: Omit<TransferFilter, 'subaccountId'>, lowest?: bigint): Statement {
  const { indexed, checked, params } = transferConditions(filter);
  const where = [...indexed, ...checked];
  if (lowest !== undefined) where.push('t.seq >= @lowest');
  const sql = `SELECT ${TRANSFER_COLUMNS} FROM transfers t ${TOKEN_JOIN}
    ${whereOf(where)} ORDER BY t.seq DESC LIMIT @limit`;
  return {
    sql,
    params: { ...params, limit: filter.limit + 1, ...(lowest === undefined ? {} : { lowest }) },
  };
}

/** The window of transfers a page examines: the newest `examine` that its index gives, counted, and the lowest seq. */
export function transferWindow(filter: Omit<TransferFilter, 'subaccountId'>, examine: number): Statement {
  const { indexed, params } = transferConditions(filter);
  const sql = `SELECT COUNT(*) AS count, MIN(seq) AS lowest FROM
    (SELECT t.seq FROM transfers t ${whereOf(indexed)} ORDER BY t.seq DESC LIMIT @examine)`;
  return { sql, params: { ...params, examine } };
}
