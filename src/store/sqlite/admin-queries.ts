import type Database from 'better-sqlite3';
import type { Account } from '../../domain/accounts.js';
import type { ActionAudit, OperatorAction, OperatorActionKind } from '../../domain/operator-actions.js';
import {
  cursorPosition,
  likePattern,
  pageOf,
  type MainAccountPage,
  type MainAccountQuery,
  type TransferFilter,
  type TransferPage,
} from '../../domain/pages.js';
import { toAccount, toTransfer, type AccountRow, type TransferRow } from './rows.js';

// Never key_hash: a listing has no use for it.
const ACCOUNT_COLUMNS =
  'id, kind, parent_id, email, token, status, type, title, firstname, lastname, is_buyer, balance, created_at';

/**
 * The listing queries of the operator API and the public history. Their WHERE
 * clause depends on which filters are given, so each shape is prepared once,
 * on first use, and kept (there are few shapes: one per set of filters).
 */
export class SqliteListings {
  private readonly prepared = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  private statement(sql: string): Database.Statement {
    let statement = this.prepared.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.prepared.set(sql, statement);
    }
    return statement;
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
      `SELECT ${ACCOUNT_COLUMNS}, (SELECT COUNT(*) FROM accounts s WHERE s.kind = 'sub' AND s.parent_id = a.id)
         AS subaccount_count
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

  countSubaccounts(mainAccountId: number): number {
    const row = this.statement(
      "SELECT COUNT(*) AS total FROM accounts WHERE kind = 'sub' AND parent_id = ?",
    ).get(mainAccountId) as { total: bigint };
    return Number(row.total);
  }

  findSubaccountByToken(token: string): Account | null {
    const row = this.statement(
      `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE kind = 'sub' AND token = ?`,
    ).get(token) as AccountRow | undefined;
    return row === undefined ? null : toAccount(row);
  }

  listTransfers(filter: TransferFilter): TransferPage {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: filter.limit + 1 };
    const add = (clause: string, name: string, value: unknown) => {
      where.push(clause);
      params[name] = value;
    };
    if (filter.mainAccountId !== undefined) add('t.main_account_id = @main', 'main', filter.mainAccountId);
    if (filter.subaccountId !== undefined) add('t.subaccount_id = @sub', 'sub', filter.subaccountId);
    if (filter.kind !== undefined) add('t.kind = @kind', 'kind', filter.kind);
    if (filter.since !== undefined) add('t.created_at >= @since', 'since', filter.since.getTime());
    if (filter.until !== undefined) add('t.created_at < @until', 'until', filter.until.getTime());
    if (filter.cursor !== undefined) add('t.seq < @cursor', 'cursor', cursorPosition(filter.cursor));
    const rows = this.statement(
      `SELECT t.*, s.token AS subaccount_token FROM transfers t
       LEFT JOIN accounts s ON s.id = t.subaccount_id
       ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`}
       ORDER BY t.seq DESC LIMIT @limit`,
    ).all(params) as (TransferRow & { seq: bigint })[];
    const page = pageOf(rows, filter.limit, (row) => row.seq);
    return { items: page.rows.map(toTransfer), nextCursor: page.nextCursor };
  }

  /** Called inside the transaction of the change it records. */
  recordAction(accountId: number, action: OperatorActionKind, audit: ActionAudit): void {
    this.statement(
      `INSERT INTO operator_actions (account_id, action, operator, reason, created_at) VALUES (?, ?, ?, ?, ?)`,
    ).run(accountId, action, audit.operator, audit.reason, audit.createdAt.getTime());
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
