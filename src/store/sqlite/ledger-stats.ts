import Database from 'better-sqlite3';
import { addMoved, ledgerStatsOf, type AccountKindRow, type LedgerStats } from '../../domain/ledger-stats.js';

// The open accounts by kind, among the ids in (?, ?].
const ACCOUNT_ROWS_SQL = `
  SELECT kind, COUNT(*) AS count, COALESCE(SUM(balance), 0) AS total,
    SUM(CASE WHEN low_balance IS NOT NULL AND balance - held < low_balance THEN 1 ELSE 0 END) AS below,
    COALESCE(SUM(event_sequence), 0) AS events
  FROM accounts WHERE closed_at IS NULL AND id > ? AND id <= ? GROUP BY kind`;
const LAST_ID_SQL = 'SELECT COALESCE(MAX(id), 0) FROM accounts';
const LAST_SEQ_SQL = 'SELECT COALESCE(MAX(seq), 0) FROM transfers';
const MOVED_SQL = `
  SELECT kind, SUM(amount) AS total FROM transfers WHERE seq > ? AND seq <= ? GROUP BY kind`;

/** Transfers summed in one statement at most, between turns of the event loop (47 ms at most on 10 M). */
export const TRANSFERS_PER_STEP = 50_000;
/** Accounts aggregated in one statement at most, between turns of the event loop. */
export const ACCOUNTS_PER_STEP = 10_000;

export interface StatsSteps {
  readonly transfers?: number;
  readonly accounts?: number;
}

type Statements = Record<'accountRows' | 'lastId' | 'lastSeq' | 'movedRows', Database.Statement>;

/** The connection reads run on, and its statements. */
interface ReadingConnection {
  readonly db: Database.Database;
  readonly statements: Statements;
}

/**
 * What /metrics shows of the ledger without holding the event loop: the
 * whole aggregate, one statement on the event loop's connection, held it
 * 2.5 s on 10 million transfers, and the accounts' part alone ~30 ms per
 * 100,000 accounts at every read (docs/benchmarks.md, "/metrics on a large
 * ledger").
 *
 * A read runs on a connection of its own to the file, read-only, in one read
 * transaction, so it sees one snapshot however many turns of the event loop
 * it spans: the accounts in steps of `accounts` ids, and the transfers in
 * steps of `transfers` seqs, with a turn of the event loop between steps.
 *
 * The money moved by kind is kept between reads up to a seq, and each read
 * adds only the transfers after it. That is exact because transfers are
 * never changed or deleted (the schema's triggers refuse it) and SQLite's
 * writers number them in commit order (one write transaction at a time, each
 * numbering from the last seq), so a snapshot holds exactly the transfers up
 * to its last seq. Reads that overlap share one.
 *
 * An in-memory database cannot be opened twice: there the read runs on the
 * store's connection in one go, without a turn (tests and the CLI's demo).
 */
export class LedgerStatsReader {
  private summedTo = 0n;
  private readonly moved = new Map<string, bigint>();
  private reading: Promise<LedgerStats> | null = null;
  private readingConnection: ReadingConnection | null = null;
  private readonly transferStep: bigint;
  private readonly accountStep: bigint;

  constructor(
    private readonly db: Database.Database,
    steps: StatsSteps = {},
  ) {
    this.transferStep = BigInt(steps.transfers ?? TRANSFERS_PER_STEP);
    this.accountStep = BigInt(steps.accounts ?? ACCOUNTS_PER_STEP);
  }

  read(): Promise<LedgerStats> {
    this.reading ??= this.readNow().finally(() => (this.reading = null));
    return this.reading;
  }

  /** Closes the reading connection, if one was opened. */
  close(): void {
    const opened = this.readingConnection;
    this.readingConnection = null;
    if (opened !== null && opened.db !== this.db) opened.db.close();
  }

  private async readNow(): Promise<LedgerStats> {
    const { db, statements } = this.connection();
    const steps = this.readInSteps(db, statements);
    // On the store's own connection nothing else may run inside the read's
    // transaction: there the steps run back to back, without an await.
    const turns = db !== this.db;
    for (let step = steps.next(); ; step = steps.next()) {
      if (step.done === true) return step.value;
      if (turns) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** The read, in one transaction; it yields between two steps of the accounts, or of the transfers. */
  private *readInSteps(db: Database.Database, statements: Statements): Generator<void, LedgerStats> {
    db.exec('BEGIN');
    try {
      const accounts: AccountKindRow[] = [];
      const lastId = statements.lastId.get() as bigint;
      for (let from = 0n; from < lastId; from += this.accountStep) {
        if (from > 0n) yield;
        accounts.push(...(statements.accountRows.all(from, from + this.accountStep) as AccountKindRow[]));
      }
      const lastSeq = statements.lastSeq.get() as bigint;
      const firstSeq = this.summedTo;
      while (this.summedTo < lastSeq) {
        if (this.summedTo > firstSeq) yield;
        const stepEnd = this.summedTo + this.transferStep;
        const to = stepEnd < lastSeq ? stepEnd : lastSeq;
        for (const row of statements.movedRows.all(this.summedTo, to) as { kind: string; total: bigint }[]) {
          addMoved(this.moved, row.kind, row.total);
        }
        this.summedTo = to;
      }
      return ledgerStatsOf(accounts, this.moved);
    } finally {
      db.exec('COMMIT');
    }
  }

  private connection(): ReadingConnection {
    if (this.readingConnection !== null) return this.readingConnection;
    const db = this.db.memory ? this.db : new Database(this.db.name, { readonly: true, fileMustExist: true });
    if (db !== this.db) {
      db.pragma('busy_timeout = 5000');
      db.defaultSafeIntegers(true);
    }
    this.readingConnection = {
      db,
      statements: {
        accountRows: db.prepare(ACCOUNT_ROWS_SQL),
        lastId: db.prepare(LAST_ID_SQL).pluck(),
        lastSeq: db.prepare(LAST_SEQ_SQL).pluck(),
        movedRows: db.prepare(MOVED_SQL),
      },
    };
    return this.readingConnection;
  }
}
