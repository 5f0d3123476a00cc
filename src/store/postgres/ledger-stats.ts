import type pg from 'pg';
import { addMoved, ledgerStatsOf, type AccountKindRow, type LedgerStats } from '../../domain/ledger-stats.js';
import { inTransaction, longStatements, runQuery, type LongQuery, type Queryable } from './transaction.js';

// Sums of bigint are numeric and counts bigint: both come back as integral text, exact through BigInt().
const ACCOUNT_ROWS_SQL = `
  SELECT kind, count(*) AS count, COALESCE(sum(balance), 0) AS total,
    count(*) FILTER (WHERE low_balance IS NOT NULL AND balance - held < low_balance) AS below,
    COALESCE(sum(event_sequence), 0) AS events
  FROM accounts WHERE closed_at IS NULL GROUP BY kind`;
// The snapshot's oldest running transaction, and the last transfer it sees (the pkey's last entry).
const SNAPSHOT_SQL = `
  SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin,
    COALESCE((SELECT max(seq) FROM transfers), 0)::text AS last`;
// A transaction id given after the statement's snapshot: see `Horizon`.
const HORIZON_SQL = `
  SELECT COALESCE((SELECT max(seq) FROM transfers), 0)::text AS seq, pg_current_xact_id()::text AS xid`;
const MOVED_SQL = `
  SELECT kind, sum(amount)::text AS total FROM transfers WHERE seq > $1 AND seq <= $2 GROUP BY kind`;

/**
 * How long the sum may take: a process's first read sums every transfer, in
 * one statement (a parallel scan), past the pool's 10 s statement timeout on
 * a ledger large enough (4.4 s in steps of a million, 1.0–1.7 s in one, on
 * 10 M transfers).
 */
const SUM_TIMEOUT_MS = 600_000;
/** How long a read with a new horizon waits for it to settle before summing without it. */
const SETTLE_WAIT_MS = 200;
const SETTLE_POLL_MS = 5;

/**
 * A point in the transfers' numbering behind which nothing can still change:
 * `seq`, the last transfer a snapshot saw, and `xid`, a transaction id given
 * after that snapshot. Once every transaction older than `xid` has ended
 * (a later snapshot's xmin is above it), every transfer numbered up to `seq`
 * is committed or never will be. Why: PostgreSQL numbers transfers from a
 * sequence (cache 1), so a transfer numbered below `seq` took its number
 * before the transfer `seq` did, which committed before the snapshot; and
 * every transaction that writes a transfer locks its accounts' rows first
 * (FOR UPDATE, `ledger-read.ts`, `accounts.ts`), which gives it its
 * transaction id before it numbers anything. So its id is older than `xid`.
 */
interface Horizon {
  readonly seq: bigint;
  readonly xid: bigint;
}

interface Settled {
  /** Every transfer up to this seq is final, and summed in `moved`. */
  readonly to: bigint;
  readonly moved: ReadonlyMap<string, bigint>;
}

/**
 * What /metrics shows of the ledger, without summing every transfer again at
 * each read. One statement over the whole ledger took 1.0–1.7 s of both
 * cores on 10 million transfers, at every read (docs/benchmarks.md), and
 * would meet the pool's statement timeout on a ledger ten times that size.
 *
 * Unlike SQLite's, PostgreSQL's writers commit concurrently, so a transfer
 * numbered below the last one seen may still be uncommitted: the sum of the
 * transfers up to a seq is kept between reads only once that seq is behind a
 * settled `Horizon`. Each read is one REPEATABLE READ transaction: the
 * accounts, the settled sums moved forward to the last horizon if it has
 * settled, and the transfers after them, all in one snapshot, so balances
 * and money moved agree. In a steady scrape the horizon of one read has
 * settled by the next, and a read sums only the transfers since the one
 * before. A transaction held open anywhere in the cluster holds the horizon
 * back; reads then sum more, never wrongly. Reads that overlap share one.
 */
export class LedgerStatsReader {
  private settled: Settled = { to: 0n, moved: new Map() };
  private horizon: Horizon | null = null;
  private reading: Promise<LedgerStats> | null = null;

  constructor(private readonly pool: pg.Pool) {}

  read(): Promise<LedgerStats> {
    this.reading ??= this.readNow().finally(() => (this.reading = null));
    return this.reading;
  }

  private async readNow(): Promise<LedgerStats> {
    if (this.horizon === null) {
      // The first read of a process (or after a failed one): a horizon now,
      // given a moment to settle, spares a second sum over the whole ledger.
      this.horizon = await this.newHorizon();
      await this.settle(this.horizon);
    }
    const horizon = this.horizon;
    const result = await inTransaction(
      this.pool,
      (client) => this.readInSnapshot(client, horizon),
      'BEGIN ISOLATION LEVEL REPEATABLE READ',
    ).catch((error: unknown) => {
      this.horizon = null;
      throw error;
    });
    this.settled = result.settled;
    this.horizon = result.horizon;
    return result.stats;
  }

  private async readInSnapshot(
    client: Queryable,
    horizon: Horizon,
  ): Promise<{ stats: LedgerStats; settled: Settled; horizon: Horizon }> {
    const snapshot = (await client.query<{ xmin: string; last: string }>(SNAPSHOT_SQL)).rows[0]!;
    const accounts = (await client.query<AccountKindRow & pg.QueryResultRow>(ACCOUNT_ROWS_SQL)).rows;
    const last = BigInt(snapshot.last);
    const sum = summing(client);
    let settled = this.settled;
    let next = horizon;
    if (BigInt(snapshot.xmin) > horizon.xid && horizon.seq > settled.to) {
      const moved = new Map(settled.moved);
      await sum(settled.to, horizon.seq, moved);
      settled = { to: horizon.seq, moved };
    }
    if (settled.to >= horizon.seq && last > settled.to) {
      // The horizon is spent: a new one, given after this snapshot.
      const marked = (await client.query<{ xid: string }>(HORIZON_SQL)).rows[0]!;
      next = { seq: last, xid: BigInt(marked.xid) };
    }
    const moved = new Map(settled.moved);
    await sum(settled.to, last, moved);
    return { stats: ledgerStatsOf(accounts, moved), settled, horizon: next };
  }

  private async newHorizon(): Promise<Horizon> {
    const row = (await runQuery<{ seq: string; xid: string }>(this.pool, HORIZON_SQL)).rows[0]!;
    return { seq: BigInt(row.seq), xid: BigInt(row.xid) };
  }

  /** Waits up to SETTLE_WAIT_MS for every transaction older than the horizon to end. */
  private async settle(horizon: Horizon): Promise<void> {
    for (let waited = 0; waited < SETTLE_WAIT_MS; waited += SETTLE_POLL_MS) {
      const row = (await runQuery<{ xmin: string }>(this.pool, SNAPSHOT_SQL)).rows[0]!;
      if (BigInt(row.xmin) > horizon.xid) return;
      await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
    }
  }
}

/**
 * Inside a read's transaction: adds the transfers numbered in (from, to],
 * summed by kind, to `moved`. The statement timeout is lifted once, before
 * the first sum, however many the read makes.
 */
function summing(client: Queryable) {
  let long: LongQuery | undefined;
  return async (from: bigint, to: bigint, moved: Map<string, bigint>): Promise<void> => {
    if (from >= to) return;
    long ??= await longStatements(client, SUM_TIMEOUT_MS);
    const found = await long<{ kind: string; total: string }>(MOVED_SQL, [from.toString(), to.toString()]);
    for (const row of found.rows) addMoved(moved, row.kind, BigInt(row.total));
  };
}
