import type Database from 'better-sqlite3';
import type { TransferKind } from '../../domain/transfers.js';

/** A transfer as written: the domain Transfer without what is read back by join. */
export interface TransferInsert {
  readonly id: string;
  readonly kind: TransferKind;
  readonly debitAccountId: number;
  readonly creditAccountId: number;
  readonly amountMicros: bigint;
  readonly debitBalanceAfterMicros: bigint;
  readonly creditBalanceAfterMicros: bigint;
  readonly mainAccountId: number;
  readonly subaccountId: number | null;
  readonly idempotencyKey: string | null;
  readonly reason: string | null;
  readonly operator: string | null;
  readonly createdAt: Date;
}

const ACCOUNT_COLUMNS =
  'id, kind, parent_id, email, token, status, type, title, firstname, lastname, is_buyer, balance, created_at';

/** Every statement prepared once, when the store opens. */
export function prepareStatements(db: Database.Database) {
  const insertTransfer = db.prepare(
    `INSERT INTO transfers (id, kind, debit_account_id, credit_account_id, amount, debit_balance_after,
       credit_balance_after, main_account_id, subaccount_id, idempotency_key, reason, operator, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  return {
    accountById: db.prepare(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id = ?`),
    accountByKeyHash: db.prepare(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE key_hash = ?`),
    accountByToken: db.prepare(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE token = ?`),
    mainAccountByEmail: db.prepare(
      `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE kind = 'main' AND email = ?`,
    ),
    subaccountByEmail: db.prepare(
      `SELECT id FROM accounts WHERE kind = 'sub' AND parent_id = ? AND email = ?`,
    ),
    fundingAccount: db.prepare(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE kind = 'funding'`),
    countSubaccounts: db.prepare(
      `SELECT COUNT(*) AS total FROM accounts WHERE kind = 'sub' AND parent_id = ?`,
    ),
    listSubaccounts: db.prepare(
      `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE kind = 'sub' AND parent_id = ? ORDER BY id LIMIT ? OFFSET ?`,
    ),
    insertAccount: db.prepare(
      `INSERT INTO accounts (kind, parent_id, email, token, key_hash, type, title, firstname, lastname, is_buyer,
         created_at)
       VALUES (@kind, @parentId, @email, @token, @keyHash, @type, @title, @firstname, @lastname, @isBuyer,
         @createdAt)`,
    ),
    setBalance: db.prepare('UPDATE accounts SET balance = ? WHERE id = ?'),
    setStatus: db.prepare("UPDATE accounts SET status = ? WHERE id = ? AND kind <> 'funding'"),
    setKeyHash: db.prepare("UPDATE accounts SET key_hash = ? WHERE id = ? AND kind <> 'funding'"),
    insertTransfer: {
      // Positional parameters: no copy of the transfer and no lookup by name per value.
      run: (t: TransferInsert) =>
        insertTransfer.run(
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
        ),
    },
    transferById: db.prepare(
      `SELECT t.*, s.token AS subaccount_token FROM transfers t
       LEFT JOIN accounts s ON s.id = t.subaccount_id WHERE t.id = ?`,
    ),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
