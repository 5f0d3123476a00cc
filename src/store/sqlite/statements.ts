import type Database from 'better-sqlite3';
import type { Transfer } from '../../domain/transfers.js';
import { ACCOUNT_COLUMNS, HOLD_COLUMNS, STATE_COLUMNS, TOKEN_JOIN, TRANSFER_COLUMNS } from './rows.js';

/** A transfer as written: `subaccountToken` is read back by join, not stored. */
export type TransferInsert = Omit<Transfer, 'subaccountToken'>;

/** Rows per multi-row INSERT: a group commit's transfers (about 27 under load) in one statement. */
export const ROWS_PER_INSERT = 64;

/** The transfer columns an insert writes, in the order of `transferValues`. */
const TRANSFER_INSERT = `INSERT INTO transfers (seq, id, kind, debit_account_id, credit_account_id, amount,
  debit_balance_after, credit_balance_after, main_account_id, subaccount_id, idempotency_key, reason, operator,
  created_at, previous_seq, history_ordinal)`;
const TRANSFER_INSERT_COLUMNS = 16;

/**
 * Appends a transfer's values to `values`, in TRANSFER_INSERT's order: its
 * seq (the writer numbers them), and its place in its subaccount's history,
 * the seq before it and its rank (null: no subaccount).
 */
export function transferValues(
  values: unknown[],
  t: TransferInsert,
  seq: bigint,
  previousSeq: bigint | null,
  ordinal: bigint | null,
): void {
  values.push(
    seq,
    t.id,
    t.kind,
    t.debitAccountId,
    t.creditAccountId,
    t.amountMicros,
    t.debitBalanceAfterMicros,
    t.creditBalanceAfterMicros,
    t.mainAccountId,
    t.subaccountId,
    t.idempotencyKey,
    t.reason,
    t.operator,
    t.createdAt.getTime(),
    previousSeq,
    ordinal,
  );
}

const EVENT_INSERT = 'INSERT INTO events (account_id, sequence, nonce, type, data, transfer_seq, created_at)';
const EVENT_INSERT_COLUMNS = 7;

/**
 * Inserts rows whose values are laid end to end in `values`, `columns` per
 * row, with multi-row INSERTs of up to ROWS_PER_INSERT rows (one statement
 * prepared per row count, on first use): a third less time per row than one
 * statement per row (docs/benchmarks.md).
 */
export type RowsInsert = (values: readonly unknown[]) => void;

function rowsInsert(db: Database.Database, insert: string, columns: number): RowsInsert {
  const row = `(${Array.from({ length: columns }, () => '?').join(', ')})`;
  const statements: Database.Statement[] = [];
  const statementFor = (rows: number) =>
    (statements[rows] ??= db.prepare(
      `${insert} VALUES ${Array.from({ length: rows }, () => row).join(', ')}`,
    ));
  return (values) => {
    const chunk = ROWS_PER_INSERT * columns;
    for (let start = 0; start < values.length; start += chunk) {
      const part = values.length <= chunk ? values : values.slice(start, start + chunk);
      // Spread, not one array: better-sqlite3 reads an array's elements one by one
      // through V8's property lookup, a third of a 16-column row's insert (docs/benchmarks.md).
      statementFor(part.length / columns).run(...part);
    }
  };
}

/** Every statement prepared once, when the store opens. */
export function prepareStatements(db: Database.Database) {
  return {
    // Reads: `held` without the holds past their expiry.
    accountById: db.prepare(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id = ?`),
    accountByKeyHash: db.prepare(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE key_hash = ?`),
    mainAccountByEmail: db.prepare(
      `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE kind = 'main' AND email = ?`,
    ),
    countSubaccounts: db.prepare(
      `SELECT COUNT(*) AS total FROM accounts WHERE kind = 'sub' AND parent_id = ? AND closed_at IS NULL`,
    ),
    listSubaccounts: db.prepare(
      `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE kind = 'sub' AND parent_id = ? AND closed_at IS NULL
       ORDER BY id LIMIT ? OFFSET ?`,
    ),
    listAllSubaccounts: db.prepare(
      `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE kind = 'sub' AND parent_id = ? ORDER BY id LIMIT ? OFFSET ?`,
    ),
    // Inside a write transaction: rows as kept, for the ledger rules (arrays: StateRow).
    stateById: db.prepare(`SELECT ${STATE_COLUMNS} FROM accounts WHERE id = ?`).raw(),
    stateByKeyHash: db.prepare(`SELECT ${STATE_COLUMNS} FROM accounts WHERE key_hash = ?`).raw(),
    stateByToken: db.prepare(`SELECT ${STATE_COLUMNS} FROM accounts WHERE token = ?`).raw(),
    fundingState: db.prepare(`SELECT ${STATE_COLUMNS} FROM accounts WHERE kind = 'funding'`).raw(),
    subaccountByEmail: db.prepare(
      `SELECT id FROM accounts WHERE kind = 'sub' AND parent_id = ? AND email = ? AND closed_at IS NULL`,
    ),
    insertAccount: db.prepare(
      `INSERT INTO accounts (kind, parent_id, email, token, key_hash, type, title, firstname, lastname, is_buyer,
         created_at)
       VALUES (@kind, @parentId, @email, @token, @keyHash, @type, @title, @firstname, @lastname, @isBuyer,
         @createdAt)`,
    ),
    // Only the columns that move on every transfer: an indexed column in SET costs index work.
    // The history's head moves only on a subaccount whose history grew (nulls keep it).
    setLedgerState: db.prepare(
      `UPDATE accounts SET balance = ?, held = ?, event_sequence = ?, last_seq = COALESCE(?, last_seq),
         history_count = COALESCE(?, history_count) WHERE id = ?`,
    ),
    // The head of a subaccount's history chain (migration 7): its last seq and its length.
    historyHead: db.prepare('SELECT last_seq, history_count FROM accounts WHERE id = ?').raw(),
    // A closed subaccount's key goes: an advanced subaccount's key answers 10 from then on.
    closeAccount: db.prepare('UPDATE accounts SET closed_at = ?, key_hash = NULL WHERE id = ?'),
    setRules: db.prepare(
      `UPDATE accounts SET low_balance = ?, autotopup_below = ?, autotopup_to = ?, autotopup_add = ?,
         cap_amount = ?, cap_period = ? WHERE id = ?`,
    ),
    usageCounter: db.prepare(
      'SELECT used, reached FROM usage_counters WHERE account_id = ? AND period = ? AND starts = ?',
    ),
    upsertUsage: db.prepare(
      `INSERT INTO usage_counters (account_id, period, starts, used, reached) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (account_id, period, starts) DO UPDATE SET used = excluded.used, reached = excluded.reached`,
    ),
    holdById: db.prepare(`SELECT ${HOLD_COLUMNS} FROM holds WHERE id = ?`),
    allDueHolds: db.prepare(
      `SELECT ${HOLD_COLUMNS} FROM holds WHERE status = 'pending' AND expires_at <= ? LIMIT ?`,
    ),
    dueHolds: db.prepare(
      `SELECT ${HOLD_COLUMNS} FROM holds WHERE account_id = ? AND status = 'pending' AND expires_at <= ?`,
    ),
    upsertHold: db.prepare(
      `INSERT INTO holds (id, account_id, main_account_id, amount, captured, status, reason, created_at,
         expires_at, transfer_id)
       VALUES (@id, @accountId, @mainAccountId, @amount, @captured, @status, @reason, @createdAt, @expiresAt,
         @transferId)
       ON CONFLICT (id) DO UPDATE SET captured = excluded.captured, status = excluded.status,
         transfer_id = excluded.transfer_id`,
    ),
    insertEvents: rowsInsert(db, EVENT_INSERT, EVENT_INSERT_COLUMNS),
    markTree: db.prepare(
      `INSERT INTO event_fanout (account_id, sequence, pending) VALUES (?, 0, 1)
       ON CONFLICT (account_id) DO UPDATE SET pending = 1 WHERE pending = 0`,
    ),
    setStatus: db.prepare("UPDATE accounts SET status = ? WHERE id = ? AND kind <> 'funding'"),
    insertAction: db.prepare(
      'INSERT INTO operator_actions (account_id, action, operator, reason, created_at) VALUES (?, ?, ?, ?, ?)',
    ),
    setKeyHash: db.prepare("UPDATE accounts SET key_hash = ? WHERE id = ? AND kind <> 'funding'"),
    insertTransfers: rowsInsert(db, TRANSFER_INSERT, TRANSFER_INSERT_COLUMNS),
    // The last seq given (AUTOINCREMENT's own counter, never below the largest row): the writer
    // numbers a transaction's transfers from it, so each links to its subaccount's previous one
    // before any is inserted.
    lastTransferSeq: db
      .prepare(
        `SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'transfers'), 0),
           COALESCE((SELECT MAX(seq) FROM transfers), 0))`,
      )
      .pluck(),
    transferById: db.prepare(`SELECT ${TRANSFER_COLUMNS} FROM transfers t ${TOKEN_JOIN} WHERE t.id = ?`),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;

/** Statements whose SQL is built at run time (a listing's filters): each prepared on first use, then kept. */
export function preparedOnUse(db: Database.Database): (sql: string) => Database.Statement {
  const prepared = new Map<string, Database.Statement>();
  return (sql) => {
    let statement = prepared.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      prepared.set(sql, statement);
    }
    return statement;
  };
}
