import type Database from 'better-sqlite3';

/**
 * Versioned schema. Each entry runs once, in its own transaction, in order.
 * Money columns are INTEGER micro-euros (SQLite integers are 64-bit).
 * The database itself guards the two rules that must never break even through
 * a bug: no customer balance below zero (CHECK) and no transfer changed or
 * deleted (triggers).
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('funding', 'main', 'sub')),
    parent_id INTEGER REFERENCES accounts(id),
    email TEXT NOT NULL,
    token TEXT UNIQUE,
    key_hash TEXT UNIQUE,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    type TEXT CHECK (type IN ('simple', 'advanced')),
    title TEXT,
    firstname TEXT,
    lastname TEXT,
    is_buyer INTEGER,
    balance INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    CHECK (balance >= 0 OR kind = 'funding'),
    CHECK ((kind = 'sub') = (parent_id IS NOT NULL))
  );
  CREATE UNIQUE INDEX accounts_main_email ON accounts(email) WHERE kind = 'main';
  CREATE UNIQUE INDEX accounts_sub_email ON accounts(parent_id, email) WHERE kind = 'sub';
  CREATE UNIQUE INDEX accounts_one_funding ON accounts(kind) WHERE kind = 'funding';
  CREATE INDEX accounts_parent ON accounts(parent_id, id);

  CREATE TABLE transfers (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('add', 'remove', 'topup', 'charge')),
    debit_account_id INTEGER NOT NULL REFERENCES accounts(id),
    credit_account_id INTEGER NOT NULL REFERENCES accounts(id),
    amount INTEGER NOT NULL CHECK (amount > 0),
    debit_balance_after INTEGER NOT NULL,
    credit_balance_after INTEGER NOT NULL,
    main_account_id INTEGER NOT NULL REFERENCES accounts(id),
    subaccount_id INTEGER REFERENCES accounts(id),
    idempotency_key TEXT,
    reason TEXT,
    operator TEXT,
    created_at INTEGER NOT NULL,
    CHECK (debit_account_id <> credit_account_id)
  );
  CREATE INDEX transfers_main ON transfers(main_account_id, seq);
  CREATE INDEX transfers_sub ON transfers(subaccount_id, seq) WHERE subaccount_id IS NOT NULL;

  CREATE TRIGGER transfers_no_update BEFORE UPDATE ON transfers
  BEGIN SELECT RAISE(ABORT, 'transfers are append-only'); END;
  CREATE TRIGGER transfers_no_delete BEFORE DELETE ON transfers
  BEGIN SELECT RAISE(ABORT, 'transfers are append-only'); END;

  INSERT INTO accounts (kind, email, created_at)
  VALUES ('funding', 'funding@tirelire.invalid', CAST(unixepoch('subsec') * 1000 AS INTEGER));
  `,
  // Idempotency records (contract section 4): the exact answer of each keyed
  // request, written in the transaction of the work it answers for.
  `
  CREATE TABLE idempotency_keys (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    outcome TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
  ) WITHOUT ROWID;
  CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
  `,
  // The operator's actions that move no money (suspend, resume, rotate-key),
  // kept forever like transfers.
  `
  CREATE TABLE operator_actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    action TEXT NOT NULL CHECK (action IN ('suspend', 'resume', 'rotate-key')),
    operator TEXT NOT NULL,
    reason TEXT,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX operator_actions_account ON operator_actions(account_id, id);

  CREATE TRIGGER operator_actions_no_update BEFORE UPDATE ON operator_actions
  BEGIN SELECT RAISE(ABORT, 'operator actions are append-only'); END;
  CREATE TRIGGER operator_actions_no_delete BEFORE DELETE ON operator_actions
  BEGIN SELECT RAISE(ABORT, 'operator actions are append-only'); END;
  `,
];

export function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER)');
  // IMMEDIATE takes the write lock first, so two processes opening a new file
  // at once cannot both apply the same version.
  const run = db.transaction(() => {
    const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: bigint | null };
    const current = Number(row.v ?? 0);
    MIGRATIONS.slice(current).forEach((sql, index) => {
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(
        current + index + 1,
        Date.now(),
      );
    });
  });
  run.immediate();
}
