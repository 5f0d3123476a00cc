import type Database from 'better-sqlite3';
import { HISTORY_MARK_EVERY } from '../../domain/history-chain.js';
import { refuseNewerSchema } from '../../domain/store.js';

/**
 * The transfers of the kinds `isFewKind` names (migration 9's partial index).
 * Fixed for good: a query uses the index only if its WHERE holds this term.
 */
export const FEW_KINDS = "kind NOT IN ('add', 'remove')";

/**
 * Versioned schema. Each entry runs once, in its own transaction, in order.
 * Money columns are INTEGER micro-euros (SQLite integers are 64-bit).
 * The database itself guards the two rules that must never break even through
 * a bug: no customer balance below zero (CHECK) and no transfer changed or
 * deleted (triggers).
 */
export const MIGRATIONS: readonly string[] = [
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
  // Events (contract section 7), written in the transaction of the change they
  // tell; each tree (main account) counts its own from 1 on its row. The fan-out
  // keeps, per tree, the last sequence it handed to webhook endpoints; a writer
  // marks its tree (once per transaction, not per event) as having more.
  // SQLite has one writer at a time, so the fan-out, itself a write, never
  // misses a mark.
  `
  ALTER TABLE accounts ADD COLUMN event_sequence INTEGER NOT NULL DEFAULT 0;

  CREATE TABLE events (
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    sequence INTEGER NOT NULL,
    id TEXT NOT NULL,
    type TEXT NOT NULL,
    -- A transfer.created event keeps its transfer's id; its data is read from that transfer.
    data TEXT,
    transfer_id TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, sequence)
  ) WITHOUT ROWID;

  CREATE TRIGGER events_no_update BEFORE UPDATE ON events
  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
  CREATE TRIGGER events_no_delete BEFORE DELETE ON events
  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

  CREATE TABLE event_fanout (
    account_id INTEGER PRIMARY KEY,
    sequence INTEGER NOT NULL,
    pending INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX event_fanout_pending ON event_fanout(account_id) WHERE pending = 1;
  `,
  // Webhook endpoints, one delivery per event and endpoint (leased by the worker
  // while it posts), and the log of every attempt.
  `
  CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY,
    owner_account_id INTEGER REFERENCES accounts(id),
    url TEXT NOT NULL,
    types TEXT,
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_until INTEGER,
    status TEXT NOT NULL DEFAULT 'enabled' CHECK (status IN ('enabled', 'disabled')),
    failing_since INTEGER,
    created_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX webhook_endpoints_owner ON webhook_endpoints(owner_account_id, created_at);

  CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    event_account_id INTEGER NOT NULL,
    event_sequence INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'succeeded', 'failed')),
    next_attempt_at INTEGER,
    lease_until INTEGER,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at) WHERE state = 'pending';
  CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(endpoint_id);

  CREATE TABLE webhook_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    event_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    status INTEGER,
    error TEXT,
    duration_ms INTEGER NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE INDEX webhook_attempts_endpoint ON webhook_attempts(endpoint_id, id);
  `,
  // Balance rules, holds and subaccount delete (contract sections 6, 8, 9).
  // SQLite cannot widen a CHECK in place, so the transfers table is rebuilt
  // with the two new kinds (autotopup, close): copied whole, once, with its
  // indexes and its append-only triggers. A closed subaccount keeps its row
  // (its history stays) and frees its email; an account's pending holds are
  // kept on its row (`held`), and the database refuses a customer whose
  // holds exceed its balance, as it refuses a negative balance.
  `
  CREATE TABLE transfers_next (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('add', 'remove', 'topup', 'charge', 'autotopup', 'close')),
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
  INSERT INTO transfers_next SELECT * FROM transfers;
  DROP TRIGGER transfers_no_update;
  DROP TRIGGER transfers_no_delete;
  DROP TABLE transfers;
  ALTER TABLE transfers_next RENAME TO transfers;
  CREATE INDEX transfers_main ON transfers(main_account_id, seq);
  CREATE INDEX transfers_sub ON transfers(subaccount_id, seq) WHERE subaccount_id IS NOT NULL;
  CREATE TRIGGER transfers_no_update BEFORE UPDATE ON transfers
  BEGIN SELECT RAISE(ABORT, 'transfers are append-only'); END;
  CREATE TRIGGER transfers_no_delete BEFORE DELETE ON transfers
  BEGIN SELECT RAISE(ABORT, 'transfers are append-only'); END;

  ALTER TABLE accounts ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE accounts ADD COLUMN closed_at INTEGER;
  ALTER TABLE accounts ADD COLUMN low_balance INTEGER;
  ALTER TABLE accounts ADD COLUMN autotopup_below INTEGER;
  ALTER TABLE accounts ADD COLUMN autotopup_to INTEGER;
  ALTER TABLE accounts ADD COLUMN autotopup_add INTEGER;
  ALTER TABLE accounts ADD COLUMN cap_amount INTEGER;
  ALTER TABLE accounts ADD COLUMN cap_period TEXT;
  CREATE TRIGGER accounts_holds_covered BEFORE UPDATE OF balance, held ON accounts
  WHEN NEW.kind <> 'funding' AND (NEW.held < 0 OR NEW.held > NEW.balance)
  BEGIN SELECT RAISE(ABORT, 'pending holds must stay within the balance'); END;
  DROP INDEX accounts_sub_email;
  CREATE UNIQUE INDEX accounts_sub_email ON accounts(parent_id, email) WHERE kind = 'sub' AND closed_at IS NULL;

  CREATE TABLE holds (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    main_account_id INTEGER NOT NULL REFERENCES accounts(id),
    amount INTEGER NOT NULL CHECK (amount > 0),
    captured INTEGER NOT NULL DEFAULT 0 CHECK (captured >= 0 AND captured <= amount),
    status TEXT NOT NULL CHECK (status IN ('pending', 'captured', 'voided', 'expired')),
    reason TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    transfer_id TEXT
  );
  CREATE INDEX holds_due ON holds(account_id, expires_at) WHERE status = 'pending';
  CREATE INDEX holds_expiry ON holds(expires_at) WHERE status = 'pending';
  CREATE INDEX holds_tree ON holds(main_account_id, seq);

  CREATE TABLE usage_counters (
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    period TEXT NOT NULL CHECK (period IN ('day', 'month')),
    starts TEXT NOT NULL,
    used INTEGER NOT NULL,
    reached INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, period, starts)
  ) WITHOUT ROWID;
  `,
  // A subaccount's history as a chain instead of an index: each transfer keeps
  // the seq of its subaccount's previous transfer (previous_seq) and its rank
  // in that history from 1 (history_ordinal); the subaccount's row keeps its
  // last seq and how many (last_seq, history_count), a row the transfer updates
  // anyway. The index on (subaccount_id, seq) put one leaf per subaccount moved
  // into every commit, scattered over the whole index as the ledger grew
  // (docs/benchmarks.md, "Growth"); what is left of it indexes one transfer in
  // HISTORY_MARK_EVERY, for a cursor that is not one of the history's own.
  // Existing transfers are linked once; the append-only trigger steps aside
  // for that one statement only.
  `
  ALTER TABLE transfers ADD COLUMN previous_seq INTEGER;
  ALTER TABLE transfers ADD COLUMN history_ordinal INTEGER;
  ALTER TABLE accounts ADD COLUMN last_seq INTEGER;
  ALTER TABLE accounts ADD COLUMN history_count INTEGER NOT NULL DEFAULT 0;
  DROP TRIGGER transfers_no_update;
  UPDATE transfers SET previous_seq = linked.before, history_ordinal = linked.ordinal
  FROM (SELECT seq, LAG(seq) OVER history AS before, ROW_NUMBER() OVER history AS ordinal
        FROM transfers WHERE subaccount_id IS NOT NULL
        WINDOW history AS (PARTITION BY subaccount_id ORDER BY seq)) AS linked
  WHERE transfers.seq = linked.seq;
  CREATE TRIGGER transfers_no_update BEFORE UPDATE ON transfers
  BEGIN SELECT RAISE(ABORT, 'transfers are append-only'); END;
  UPDATE accounts SET
    last_seq = (SELECT MAX(seq) FROM transfers WHERE subaccount_id = accounts.id),
    history_count = (SELECT COUNT(*) FROM transfers WHERE subaccount_id = accounts.id)
  WHERE kind = 'sub';
  CREATE INDEX transfers_sub_marks ON transfers(subaccount_id, seq)
  WHERE history_ordinal % ${HISTORY_MARK_EVERY} = 0;
  DROP INDEX transfers_sub;
  `,
  // A slimmer event row: of the id it keeps only the random end (the rest is
  // the row's key: evt_<account_id>_<sequence>_<nonce>), and a transfer.created
  // event keeps its transfer's seq (an integer) instead of its id and no type
  // (NULL reads as transfer.created). About 110 bytes an event become 40: the
  // events were the table a commit wrote the most pages of (docs/benchmarks.md).
  // The copy fails, leaving the file as it was, if an id is not of that form.
  // A transfer.created event whose transfer is missing (verify reports it)
  // keeps its type, with no seq.
  `
  CREATE TABLE events_next (
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    sequence INTEGER NOT NULL,
    nonce TEXT NOT NULL,
    type TEXT,
    data TEXT,
    transfer_seq INTEGER,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, sequence),
    CHECK ((type IS NULL) = (transfer_seq IS NOT NULL))
  ) WITHOUT ROWID;
  INSERT INTO events_next
  SELECT e.account_id, e.sequence,
    CASE WHEN substr(e.id, 1, length(e.prefix)) = e.prefix THEN substr(e.id, length(e.prefix) + 1) END,
    CASE WHEN t.seq IS NULL THEN e.type END, e.data, t.seq, e.created_at
  FROM (SELECT *, 'evt_' || account_id || '_' || sequence || '_' AS prefix FROM events) e
  LEFT JOIN transfers t ON e.type = 'transfer.created' AND t.id = e.transfer_id
  ORDER BY e.account_id, e.sequence;
  DROP TRIGGER events_no_update;
  DROP TRIGGER events_no_delete;
  DROP TABLE events;
  ALTER TABLE events_next RENAME TO events;
  CREATE TRIGGER events_no_update BEFORE UPDATE ON events
  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
  CREATE TRIGGER events_no_delete BEFORE DELETE ON events
  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
  `,
  // A tree's history filtered by a kind other than add and remove (an
  // operator's "top-ups only") read every transfer of the tree on a large
  // ledger to find a few. This index holds only those kinds (listings.ts).
  `
  CREATE INDEX transfers_main_few ON transfers(main_account_id, kind, seq) WHERE ${FEW_KINDS};
  `,
  // Changes no table: it marks the files whose idempotency records may keep a
  // keyed batch's answer deflated (a BLOB, claims.ts), so that an older build,
  // which would send those bytes as the answer of a replay, refuses the file
  // (refuseNewerSchema) instead.
  `
  SELECT 1;
  `,
];

export function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER)');
  // IMMEDIATE takes the write lock first, so two processes opening a new file
  // at once cannot both apply the same version.
  const run = db.transaction(() => {
    const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: bigint | null };
    const current = Number(row.v ?? 0);
    refuseNewerSchema(current, MIGRATIONS.length);
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
