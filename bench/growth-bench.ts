import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { formatMicros } from '../src/domain/money.js';
import { dropPostgresSchema, postgresReachable } from '../src/store/postgres/schema-admin.js';
import { AMOUNT_MICROS, addRequests, countAdd } from './add-load.js';
import { positiveNumber } from './env.js';
import { seedGrowthLedger, type GrowthLedger } from './growth-seed.js';
import { measureHistoryPages, type PageTiming } from './history-pages.js';
import { measureLedgerStats, type LedgerStatsTiming } from './ledger-stats-timing.js';
import { median, runLoad, type LoadResult } from './load.js';
import { RESULTS_DIR, ROOT } from './paths.js';
import { describePgIo, pgIoPerTransfer, readPgIo, type PgIo } from './pg-io.js';
import { freePort, machineBusySeconds, startServer } from './server-process.js';
import { inspectTirelire, openBenchStore, serverEnv, type TirelireDatabase } from './tirelire-seed.js';

/**
 * `npm run bench:growth`: what the cost of a transfer does as the ledger
 * grows. Per store, two ledgers with the same main account and SUBACCOUNTS
 * subaccounts: one with no transfer, one with TRANSFERS transfers (seeded in
 * SQL outside any timed window, growth-seed.ts, then checked by `verify`).
 * `node dist/main.js` serves each in turn under the load of `npm run bench`
 * (64 connections, credit/add of 0.01), spread over every subaccount of the
 * tree in a shuffled order, ROUNDS times, the order within a round
 * alternating; each run's throughput on the big ledger is set against the
 * empty one's of the same round (on PostgreSQL with the blocks read and the
 * WAL written per transfer: pg-io.ts). Then the history's page time on the
 * big ledger, what /metrics' ledger figures cost on each, and the bytes each
 * transfer takes on disk.
 */
const TRANSFERS = positiveNumber('GROWTH_TRANSFERS', 10_000_000);
const SUBACCOUNTS = positiveNumber('GROWTH_SUBACCOUNTS', 100_000);
const ROUNDS = positiveNumber('GROWTH_ROUNDS', 3);
const SECONDS = positiveNumber('BENCH_SECONDS', 10);
const WARMUP_SECONDS = positiveNumber('BENCH_WARMUP_SECONDS', 2);
const CONNECTIONS = positiveNumber('BENCH_CONNECTIONS', 64);
const HISTORY_REQUESTS = positiveNumber('BENCH_REQUESTS', 200);
/** Reads of the ledger's figures after the first, per ledger. */
const STATS_READS = positiveNumber('GROWTH_STATS_READS', 10);
const STORES = (process.env['GROWTH_STORES'] ?? 'sqlite,postgres').split(',').map((store) => store.trim());
/** `1`: keep the ledgers (files, schemas) for a look afterwards; their places are printed. */
const KEEP = process.env['GROWTH_KEEP'] === '1';
const DATABASE_URL = process.env['DATABASE_URL']?.startsWith('postgres')
  ? process.env['DATABASE_URL']
  : 'postgres://postgres@127.0.0.1:5432/test';
const LOG_LEVEL = process.env['BENCH_LOG_LEVEL'] ?? 'info';
const OPENING_MICROS = 100_000_000n * 1_000_000n;
const TARGET_RATIO = 0.9;
const TARGET_PAGE_P99_MS = 20;

type Engine = 'sqlite' | 'postgres';
type Size = 'empty' | 'big';

interface Ledger {
  readonly size: Size;
  readonly database: TirelireDatabase;
  readonly seeded: GrowthLedger;
  /** The tokens in the order the load sends them: every subaccount, shuffled once. */
  readonly order: readonly string[];
}

interface Run {
  readonly round: number;
  readonly size: Size;
  readonly load: LoadResult;
  /** Transfers acknowledged in the run, its warm-up's included. */
  readonly acknowledged: number;
  readonly serverCpuPercent: number;
  readonly otherCpuPercent: number;
  readonly balance: 'PASS' | 'FAIL';
  readonly detail: string;
  /** PostgreSQL: blocks read from outside shared buffers and WAL written, per transfer (pg-io.ts). */
  readonly io?: PgIo;
}

interface StoreObject {
  readonly name: string;
  readonly table: string;
  readonly bytes: number;
}

interface StoreReport {
  readonly engine: Engine;
  readonly seedSeconds: { readonly subaccounts: number; readonly transfers: number };
  readonly verifySeconds: number;
  readonly verifyAfterSeconds: number | null;
  readonly verify: string;
  readonly objects: readonly StoreObject[];
  readonly transfersInBig: number;
  /** Bytes the empty ledger grew by per transfer written through the server during the runs. */
  readonly realPathBytesPerTransfer: Record<string, number>;
  readonly history: { readonly subaccount: PageTiming; readonly tree: PageTiming };
  readonly ledgerStats: { readonly empty: LedgerStatsTiming; readonly big: LedgerStatsTiming };
  readonly runs: readonly Run[];
}

/** Fisher–Yates with a fixed seed: the same order for both ledgers of a store and across runs. */
function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  let state = 0x9e3779b9;
  for (let index = out.length - 1; index > 0; index -= 1) {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    const other = state % (index + 1);
    [out[index], out[other]] = [out[other]!, out[index]!];
  }
  return out;
}

async function ledgerOf(engine: Engine, size: Size, dir: string, runId: string): Promise<Ledger> {
  const database: TirelireDatabase =
    engine === 'sqlite'
      ? { engine, path: join(dir, `growth-${size}.db`) }
      : { engine, url: DATABASE_URL, schema: `bench_growth_${size}_${runId}` };
  const seeded = await seedGrowthLedger(database, {
    subaccounts: SUBACCOUNTS,
    transfers: size === 'big' ? TRANSFERS : 0,
    openingMicros: OPENING_MICROS,
    amountMicros: AMOUNT_MICROS,
  });
  return { size, database, seeded, order: shuffled(seeded.tokens) };
}

async function mainBalance(ledger: Ledger): Promise<bigint> {
  const store = await openBenchStore(ledger.database);
  try {
    const account = await store.getAccount(ledger.seeded.mainAccountId);
    if (account === null) throw new Error('the main account is gone');
    return account.balanceMicros;
  } finally {
    await store.close();
  }
}

/** PostgreSQL's I/O counters for a ledger; none for SQLite. */
function ioOf(database: TirelireDatabase): Promise<PgIo | undefined> {
  return database.engine === 'postgres'
    ? readPgIo(database.url, database.schema)
    : Promise.resolve(undefined);
}

async function runOnce(ledger: Ledger, round: number, logDir: string): Promise<Run> {
  const before = await mainBalance(ledger);
  const ioBefore = await ioOf(ledger.database);
  const server = await startServer({
    name: `growth ${ledger.database.engine} ${ledger.size}`,
    args: [join(ROOT, 'dist', 'main.js')],
    env: serverEnv(ledger.database, LOG_LEVEL),
    port: await freePort(),
    logFile: join(logDir, `server-${ledger.database.engine}-${ledger.size}.log`),
  });
  let stopped = false;
  try {
    const options = {
      baseUrl: server.url,
      connections: CONNECTIONS,
      nextRequest: addRequests(ledger.seeded.apiKey, ledger.order),
      countTransfers: countAdd,
    };
    const warmup = await runLoad({ ...options, seconds: WARMUP_SECONDS });
    const own = () => process.cpuUsage();
    const startCpu = { server: server.cpuSeconds(), self: own(), machine: machineBusySeconds() };
    const startedAt = performance.now();
    const atDeadline = new Promise<{ server: number; self: NodeJS.CpuUsage; machine: number; at: number }>(
      (resolve) =>
        setTimeout(
          () =>
            resolve({
              server: server.cpuSeconds(),
              self: own(),
              machine: machineBusySeconds(),
              at: performance.now(),
            }),
          SECONDS * 1000,
        ),
    );
    const load = await runLoad({ ...options, seconds: SECONDS });
    const end = await atDeadline;
    const elapsed = (end.at - startedAt) / 1000;
    const serverCpu = end.server - startCpu.server;
    const selfCpu = (end.self.user + end.self.system - startCpu.self.user - startCpu.self.system) / 1e6;
    await server.stop();
    stopped = true;
    const ioAfter = await ioOf(ledger.database);
    const moved = before - (await mainBalance(ledger));
    const acknowledged = warmup.transfersAcknowledged + load.transfersAcknowledged;
    const expected = BigInt(acknowledged) * AMOUNT_MICROS;
    const unanswered = warmup.unanswered + load.unanswered;
    return {
      round,
      size: ledger.size,
      load,
      acknowledged,
      serverCpuPercent: (100 * serverCpu) / elapsed,
      otherCpuPercent: Math.max(0, (100 * (end.machine - startCpu.machine - serverCpu - selfCpu)) / elapsed),
      balance: moved === expected && unanswered === 0 ? 'PASS' : 'FAIL',
      detail: `moved ${formatMicros(moved)} EUR for ${acknowledged} acknowledged, ${unanswered} unanswered`,
      ...(ioBefore && ioAfter ? { io: pgIoPerTransfer(ioBefore, ioAfter, acknowledged) } : {}),
    };
  } finally {
    if (!stopped) await server.stop();
  }
}

/** Every table and index of what a transfer writes, with its bytes on disk. */
async function storeObjects(database: TirelireDatabase): Promise<StoreObject[]> {
  const tables = ['transfers', 'events', 'event_outbox', 'event_fanout'];
  if (database.engine === 'sqlite') {
    const db = new Database(database.path, { readonly: true });
    try {
      const rows = db
        .prepare(
          `SELECT m.name, m.tbl_name AS "table", SUM(s.pgsize) AS bytes FROM sqlite_master m
           JOIN dbstat s ON s.name = m.name
           WHERE m.tbl_name IN (${tables.map(() => '?').join(', ')}) GROUP BY m.name ORDER BY m.tbl_name, m.type DESC, m.name`,
        )
        .all(...tables) as StoreObject[];
      return rows;
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({
    connectionString: database.url,
    options: `-c search_path=${database.schema}`,
  });
  await client.connect();
  try {
    const found = await client.query<{ name: string; table: string; bytes: string }>(
      `SELECT c.relname AS name, c.relname AS table, pg_table_size(c.oid) AS bytes
       FROM pg_class c WHERE c.relname = ANY($1) AND c.relnamespace = $2::regnamespace
       UNION ALL
       SELECT i.relname, t.relname, pg_relation_size(i.oid) FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
       WHERE t.relname = ANY($1) AND t.relnamespace = $2::regnamespace
       ORDER BY 2, 1`,
      [tables, database.schema],
    );
    return found.rows.map((row) => ({ name: row.name, table: row.table, bytes: Number(row.bytes) }));
  } finally {
    await client.end();
  }
}

function bytesByTable(objects: readonly StoreObject[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const object of objects) totals.set(object.table, (totals.get(object.table) ?? 0) + object.bytes);
  return totals;
}

async function timedVerify(ledger: Ledger): Promise<{ seconds: number; verdict: string }> {
  const started = performance.now();
  const check = await inspectTirelire(ledger.database, ledger.seeded.mainAccountId);
  return {
    seconds: (performance.now() - started) / 1000,
    verdict: check.verifyOk ? 'verify ok' : `verify found ${check.verifyProblems} problem(s)`,
  };
}

async function historyOn(ledger: Ledger): Promise<StoreReport['history']> {
  const store = await openBenchStore(ledger.database);
  try {
    const middle = Math.floor(ledger.seeded.subaccountIds.length / 2);
    const target = { apiKey: ledger.seeded.apiKey, mainAccountId: ledger.seeded.mainAccountId };
    const subaccount = await measureHistoryPages(
      store,
      {
        ...target,
        subaccount: { id: ledger.seeded.subaccountIds[middle]!, token: ledger.seeded.tokens[middle]! },
      },
      HISTORY_REQUESTS,
    );
    const tree = await measureHistoryPages(store, target, HISTORY_REQUESTS);
    return { subaccount, tree };
  } finally {
    await store.close();
  }
}

/** The ledger's figures read by a process of its own (a fresh store: the first read is a process's first). */
async function ledgerStatsOn(ledger: Ledger): Promise<LedgerStatsTiming> {
  const store = await openBenchStore(ledger.database);
  try {
    return await measureLedgerStats(store, STATS_READS);
  } finally {
    await store.close();
  }
}

async function benchStore(engine: Engine, runId: string, dir: string): Promise<StoreReport> {
  console.log(
    `\n${engine}: seeding the empty ledger and one of ${TRANSFERS} transfers over ${SUBACCOUNTS} subaccounts`,
  );
  const empty = await ledgerOf(engine, 'empty', dir, runId);
  const big = await ledgerOf(engine, 'big', dir, runId);
  const seedSeconds = { subaccounts: big.seeded.subaccountSeconds, transfers: big.seeded.transferSeconds };
  console.log(
    `  seeded in ${seedSeconds.subaccounts.toFixed(1)} s (subaccounts) + ${seedSeconds.transfers.toFixed(1)} s (transfers)`,
  );
  const emptyVerify = await timedVerify(empty);
  const verified = await timedVerify(big);
  console.log(
    `  verify: empty ${emptyVerify.verdict}; big ${verified.verdict} in ${verified.seconds.toFixed(1)} s`,
  );
  if (emptyVerify.verdict !== 'verify ok' || verified.verdict !== 'verify ok')
    throw new Error(`${engine}: the seeded ledgers do not verify`);
  const objects = await storeObjects(big.database);
  const emptyBefore = bytesByTable(await storeObjects(empty.database));
  const history = await historyOn(big);
  console.log(
    `  history on the big ledger: subaccount page p99 ${history.subaccount.p99Ms.toFixed(2)} ms, ` +
      `tree page p99 ${history.tree.p99Ms.toFixed(2)} ms`,
  );
  const ledgerStats = { empty: await ledgerStatsOn(empty), big: await ledgerStatsOn(big) };
  const runs: Run[] = [];
  for (let round = 1; round <= ROUNDS; round += 1) {
    const order = round % 2 === 1 ? [empty, big] : [big, empty];
    for (const ledger of order) {
      const run = await runOnce(ledger, round, dir);
      runs.push(run);
      console.log(
        `  round ${round} ${ledger.size.padEnd(5)} ${run.load.transfersPerSecond.toFixed(0).padStart(6)} transfers/s, ` +
          `p99 ${run.load.latencyMs.p99.toFixed(1)} ms, other CPU ${run.otherCpuPercent.toFixed(0)} %, balance ${run.balance}` +
          (run.io ? `; ${describePgIo(run.io)}` : ''),
      );
    }
  }
  const written = runs.filter((run) => run.size === 'empty').reduce((sum, run) => sum + run.acknowledged, 0);
  const emptyAfter = bytesByTable(await storeObjects(empty.database));
  const realPathBytesPerTransfer: Record<string, number> = {};
  for (const [table, bytes] of emptyAfter)
    realPathBytesPerTransfer[table] = (bytes - (emptyBefore.get(table) ?? 0)) / Math.max(1, written);
  const after = await timedVerify(big);
  console.log(`  verify after the runs: big ${after.verdict} in ${after.seconds.toFixed(1)} s`);
  if (KEEP) console.log(`  kept: ${JSON.stringify(empty.database)} and ${JSON.stringify(big.database)}`);
  else for (const ledger of [empty, big]) await dropLedger(ledger.database);
  return {
    engine,
    seedSeconds,
    verifySeconds: verified.seconds,
    verifyAfterSeconds: after.seconds,
    verify: after.verdict,
    objects,
    transfersInBig: TRANSFERS + 1,
    realPathBytesPerTransfer,
    history,
    ledgerStats,
    runs,
  };
}

async function dropLedger(database: TirelireDatabase): Promise<void> {
  if (database.engine === 'postgres') await dropPostgresSchema(database.url, database.schema);
  else for (const suffix of ['', '-wal', '-shm']) rmSync(database.path + suffix, { force: true });
}

function printReport(report: StoreReport): void {
  console.log(`\n${report.engine}`);
  const ratios: number[] = [];
  for (let round = 1; round <= ROUNDS; round += 1) {
    const of = (size: Size) => report.runs.find((run) => run.round === round && run.size === size)!;
    const [empty, big] = [of('empty'), of('big')];
    const ratio = big.load.transfersPerSecond / empty.load.transfersPerSecond;
    ratios.push(ratio);
    console.log(
      `  round ${round}: empty ${empty.load.transfersPerSecond.toFixed(0)}/s (p99 ${empty.load.latencyMs.p99.toFixed(1)} ms), ` +
        `big ${big.load.transfersPerSecond.toFixed(0)}/s (p99 ${big.load.latencyMs.p99.toFixed(1)} ms), big/empty ${ratio.toFixed(2)}`,
    );
  }
  const ratio = median(ratios);
  console.log(
    `  big/empty median ${ratio.toFixed(2)} (target ≥ ${TARGET_RATIO}: ${ratio >= TARGET_RATIO ? 'reached' : 'NOT reached'})`,
  );
  for (const [kind, timing] of Object.entries(report.history)) {
    console.log(
      `  history page of 100, ${kind}: route p50 ${timing.p50Ms.toFixed(2)} ms, p99 ${timing.p99Ms.toFixed(2)} ms ` +
        `(store alone p50 ${timing.storeP50Ms.toFixed(2)}, p99 ${timing.storeP99Ms.toFixed(2)}; target p99 < ` +
        `${TARGET_PAGE_P99_MS} ms: ${timing.p99Ms < TARGET_PAGE_P99_MS ? 'reached' : 'NOT reached'})`,
    );
  }
  for (const [size, timing] of Object.entries(report.ledgerStats)) {
    console.log(
      `  /metrics' ledger figures, ${size.padEnd(5)}: first read ${timing.firstMs.toFixed(0)} ms ` +
        `(event loop held ${timing.firstLongestHoldMs.toFixed(0)} ms at most), next reads median ` +
        `${timing.nextMedianMs.toFixed(1)} ms (held ${timing.nextLongestHoldMs.toFixed(1)} ms at most)`,
    );
  }
  console.log(`  on disk, big ledger (${report.transfersInBig} transfers), bytes per transfer:`);
  for (const object of report.objects) {
    const kind = object.name === object.table ? 'table' : 'index';
    console.log(
      `    ${object.table.padEnd(13)} ${kind} ${object.name.padEnd(32)} ${(object.bytes / 1024 / 1024).toFixed(0).padStart(6)} MB ` +
        `${(object.bytes / report.transfersInBig).toFixed(1).padStart(7)}`,
    );
  }
  for (const [table, bytes] of bytesByTable(report.objects)) {
    console.log(
      `    ${table.padEnd(13)} table + indexes ${(bytes / report.transfersInBig).toFixed(1)} bytes/transfer; ` +
        `grown through the server: ${(report.realPathBytesPerTransfer[table] ?? 0).toFixed(1)}`,
    );
  }
  const total = [...bytesByTable(report.objects).values()].reduce((sum, bytes) => sum + bytes, 0);
  console.log(`    all of them: ${(total / report.transfersInBig).toFixed(1)} bytes/transfer`);
}

async function main(): Promise<void> {
  console.log(
    `growth: ${STORES.join(', ')}; ${TRANSFERS} transfers over ${SUBACCOUNTS} subaccounts against none; ` +
      `${ROUNDS} rounds of ${SECONDS} s after ${WARMUP_SECONDS} s warm-up, ${CONNECTIONS} connections, ` +
      `credit/add over every subaccount; node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
  );
  const runId = `${process.pid}_${Date.now().toString(36)}`;
  const dir = mkdtempSync(join(tmpdir(), 'tirelire-growth-'));
  const reports: StoreReport[] = [];
  try {
    for (const engine of STORES) {
      if (engine !== 'sqlite' && engine !== 'postgres') throw new Error(`unknown store ${engine}`);
      if (engine === 'postgres' && !(await postgresReachable(DATABASE_URL))) {
        console.log(`\npostgres: unreachable at ${DATABASE_URL}, skipped`);
        continue;
      }
      // Printed as soon as measured: a later store's failure loses nothing of this one.
      const report = await benchStore(engine, runId, dir);
      reports.push(report);
      printReport(report);
    }
  } finally {
    if (!KEEP) rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(
    join(RESULTS_DIR, 'growth-latest.json'),
    `${JSON.stringify({ date: new Date().toISOString(), transfers: TRANSFERS, subaccounts: SUBACCOUNTS, reports }, null, 2)}\n`,
  );
  if (
    reports.some(
      (report) => report.runs.some((run) => run.balance === 'FAIL') || report.verify !== 'verify ok',
    )
  )
    process.exitCode = 1;
}

await main();
