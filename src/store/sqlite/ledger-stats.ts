import type Database from 'better-sqlite3';
import { ledgerStatsOf, type LedgerKindRow, type LedgerStats } from '../../domain/ledger-stats.js';

// One snapshot: the open accounts by kind, and the last transfer's seq.
const ACCOUNT_ROWS_SQL = `
  SELECT 'account' AS what, kind, COUNT(*) AS count, COALESCE(SUM(balance), 0) AS total,
    SUM(CASE WHEN low_balance IS NOT NULL AND balance - held < low_balance THEN 1 ELSE 0 END) AS below,
    COALESCE(SUM(event_sequence), 0) AS events
  FROM accounts WHERE closed_at IS NULL GROUP BY kind`;
const LAST_SEQ_SQL = 'SELECT COALESCE(MAX(seq), 0) FROM transfers';
const MOVED_SQL = `
  SELECT kind, SUM(amount) AS total FROM transfers WHERE seq > ? AND seq <= ? GROUP BY kind`;

/** Transfers summed in one statement at most, between turns of the event loop (47 ms at most on 10 M). */
export const TRANSFERS_PER_STEP = 50_000;

/**
 * What /metrics shows of the ledger, without summing every transfer again at
 * each read: on the event loop's own connection, the full `GROUP BY kind`
 * held it 2.5 s on 10 million transfers (docs/benchmarks.md, "/metrics on a
 * large ledger"). The money moved by kind is kept between reads up to a seq,
 * and each read adds only the transfers after it. That is exact because
 * transfers are never changed or deleted (the schema's triggers refuse it)
 * and SQLite's writers number them in commit order (one write transaction at
 * a time, each numbering from the last seq), so a snapshot holds exactly the
 * transfers up to its last seq. The first read of a process, and a read
 * after a long pause, adds them in steps of `step` seqs, each in its own
 * statement, yielding to the event loop in between; reads that overlap
 * share one. The accounts are read whole each time (15–24 ms for 100,000).
 */
export class LedgerStatsReader {
  private summedTo = 0n;
  private readonly moved = new Map<string, bigint>();
  private reading: Promise<LedgerStats> | null = null;
  private readonly accountRows: Database.Statement;
  private readonly lastSeq: Database.Statement;
  private readonly movedRows: Database.Statement;

  constructor(
    private readonly db: Database.Database,
    private readonly step = TRANSFERS_PER_STEP,
  ) {
    this.accountRows = db.prepare(ACCOUNT_ROWS_SQL);
    this.lastSeq = db.prepare(LAST_SEQ_SQL).pluck();
    this.movedRows = db.prepare(MOVED_SQL);
  }

  read(): Promise<LedgerStats> {
    this.reading ??= this.readNow().finally(() => (this.reading = null));
    return this.reading;
  }

  private async readNow(): Promise<LedgerStats> {
    const { accounts, lastSeq } = this.db
      .transaction(() => ({
        accounts: this.accountRows.all() as LedgerKindRow[],
        lastSeq: this.lastSeq.get() as bigint,
      }))
      .deferred();
    while (this.summedTo < lastSeq) {
      const stepEnd = this.summedTo + BigInt(this.step);
      const to = stepEnd < lastSeq ? stepEnd : lastSeq;
      for (const row of this.movedRows.all(this.summedTo, to) as { kind: string; total: bigint }[]) {
        this.moved.set(row.kind, (this.moved.get(row.kind) ?? 0n) + row.total);
      }
      this.summedTo = to;
      if (to < lastSeq) await new Promise((resolve) => setImmediate(resolve));
    }
    const transfers = [...this.moved].map(([kind, total]): LedgerKindRow => ({
      what: 'transfer',
      kind,
      count: 0,
      total,
      below: 0,
      events: 0,
    }));
    return ledgerStatsOf([...accounts, ...transfers]);
  }
}
