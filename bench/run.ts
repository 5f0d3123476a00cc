import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { formatMicros } from '../src/domain/money.js';
import { createHandwrittenSchema, dropSchema, readHandwrittenBalance } from './handwritten-schema.js';
import {
  ADD_PATH,
  AMOUNT,
  AMOUNT_MICROS,
  BATCH_PATH,
  BATCH_SIZE,
  countBatch,
  addRequests,
  batchRequests,
  countAdd,
} from './add-load.js';
import { machineMicros, microsPerTransfer } from './cpu.js';
import { positiveNumber } from './env.js';
import { runLoad, type LoadRequest, type LoadResult } from './load.js';
import { BENCH_BUILD_DIR, LATEST_RESULTS, RESULTS_DIR, ROOT } from './paths.js';
import { freePort, machineBusySeconds, startServer, type ServerProcess } from './server-process.js';
import { startBatches, startSubaccountCreations, type SideLoad, type SideLoadResult } from './side-load.js';
import { readServerTimes, serverTimeFigures, type ServerTimeFigures } from './server-time.js';
import {
  inspectTirelire,
  seedTirelire,
  serverEnv,
  type TirelireDatabase,
  type TirelireSeed,
} from './tirelire-seed.js';
import {
  OVERLOAD_CONNECTIONS,
  OVERLOAD_SECONDS,
  overloadUnavailable,
  overloadVerdicts,
  printOverload,
  type OverloadFigures,
} from './overload.js';
import {
  alternate,
  cycleRatio,
  printSideBySide,
  type BalanceCheck,
  type Contender,
  type SideBySideResult,
} from './side-by-side.js';
import { measureUsage, type UsageBenchResult } from './usage-bench.js';
import { atLeast, atMost, type Verdict } from './verdict.js';

/**
 * `npm run bench`: the same load (autocannon, 64 connections, credit/add of 0.01 rotating over
 * 100 subaccounts of one main account) against six servers (a to f), one after the other, each
 * in its own process; then the ratios against the targets of issue 4, and a balance check per run.
 * Target m, run only when asked for (`BENCH_TARGETS=c,m`), is c with subaccounts created back
 * to back beside the load: what other writes cost the transfers on the same SQLite file.
 * Target n, also on request, is c with batches of 1000 credit/add sent back to back beside
 * it, on another main account's subaccounts: what a batch's transaction costs the transfers.
 * Target u (usage-bench.ts) sets the operator's usage debits side by side: a charge, a charge
 * under balance rules, a hold placed and captured. Target g (overload.ts) is c's server sent more
 * than it can take: 2,048 connections, its accepted transfers against c's of the same run.
 * Step s (side-by-side.ts) starts a, b, c, d and f at once and switches the load from one to the
 * next every few seconds: the ratios of issue 18 taken between windows seconds apart, which
 * the verdicts use, since these VMs change speed in phases longer than a window, shorter than
 * a run.
 */

const SECONDS = positiveNumber('BENCH_SECONDS', 10);
const WARMUP_SECONDS = positiveNumber('BENCH_WARMUP_SECONDS', 2);
const CONNECTIONS = positiveNumber('BENCH_CONNECTIONS', 64);
// A 1000-operation batch is a thousand requests' worth of work: 64 of them in flight would only
// queue in the server (seconds of latency, answers cut off by the drain); a few keep it busy.
const BATCH_CONNECTIONS = positiveNumber('BENCH_BATCH_CONNECTIONS', 4);
// Target u's client waits for each answer (a hold's capture needs its id): fewer connections.
const USAGE_CONNECTIONS = positiveNumber('BENCH_USAGE_CONNECTIONS', 16);
const DATABASE_URL = process.env['DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/test';
const ONLY = (process.env['BENCH_TARGETS'] ?? 'a,b,c,d,e,f,g,s,u').split(',').map((id) => id.trim());
const LOG_LEVEL = process.env['BENCH_LOG_LEVEL'] ?? 'info';
/** Extra node flags for the servers under test, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile them. */
const SERVER_NODE_ARGS = (process.env['BENCH_SERVER_NODE_ARGS'] ?? '').split(' ').filter((arg) => arg !== '');
/** The server of the Tirelire targets: this checkout's build. */
const SERVER_MAIN = join(ROOT, 'dist', 'main.js');
const SUBACCOUNTS = 100;
const DISTURBED_CPU_PERCENT = 20;
const OPENING_MICROS = 100_000_000n * 1_000_000n;

/**
 * Issue 18's targets (c/a and d/a, issue 4's, were withdrawn there: on 2
 * cores f/a itself stays near 0.7), issue 4's d/b and RSS bounds kept.
 */
const TARGETS = {
  cOverF: 0.75,
  dOverF: 0.55,
  dbOverB: 10,
  p99Ms: 15,
  rssMb: 200,
  batchPerSecond: 100_000,
  /** CPU µs per durable transfer of c, the whole machine (server, load generator, the rest). */
  cMachineMicros: 100,
  /** A hold placed and captured, in plain charges (issue 17). */
  holdOverCharge: 2.5,
};

type TargetId = 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g' | 'm' | 'n';

interface Ledger {
  /** How much the main account's balance went down, in micros. */
  readonly movedMicros: bigint;
  readonly verify: string | null;
}

/** What a target needs once it is seeded; `null` from prepare() with a reason means "not available". */
interface Prepared {
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly nextRequest: () => LoadRequest;
  readonly countTransfers: (body: string) => { ok: number; refused: number };
  /** Connections of the load generator; CONNECTIONS unless the target says otherwise. */
  readonly connections?: number;
  /** Seconds of measured load; SECONDS unless the target says otherwise. */
  readonly seconds?: number;
  /** The warm-up on the measured load's own connections (load.ts, `leadInSeconds`), not apart. */
  readonly warmUpInLoad?: boolean;
  /** Resolves to a reason when the server does not offer what is measured (before any load). */
  readonly probe?: (server: ServerProcess) => Promise<{ unavailable: string } | { acknowledged: number }>;
  /** Other requests sent beside the measured load, from its start to its end. */
  readonly sideLoad?: (server: ServerProcess) => SideLoad;
  /** A POST route whose answers the server's own /metrics times, read before and after the load. */
  readonly timedRoute?: string;
  /** Read after the server stopped; null when there is no ledger (the ceiling). */
  readonly ledger: () => Promise<Ledger | null>;
  readonly cleanup: () => Promise<void>;
}

interface Target {
  readonly id: TargetId;
  readonly name: string;
  readonly prepare: () => Promise<Prepared | { unavailable: string }>;
}

interface TargetResult {
  readonly id: TargetId;
  readonly name: string;
  readonly status: 'measured' | 'not available' | 'failed';
  readonly reason?: string;
  readonly load?: LoadResult;
  readonly warmupTransfers?: number;
  readonly peakRssMb?: number;
  readonly serverCpuPercent?: number;
  /** The server's main thread (its event loop) alone. */
  readonly eventLoopCpuPercent?: number;
  readonly loadGeneratorCpuPercent?: number;
  /** CPU used meanwhile by every other process (PostgreSQL included), in % of one core. */
  readonly otherCpuPercent?: number;
  readonly balance?: BalanceCheck;
  readonly sideLoad?: SideLoadResult;
  /** The server's own time for the timed route's answers, by status, lead-in included. */
  readonly serverTimes?: Readonly<Record<string, ServerTimeFigures>>;
}

function tirelireServer(): readonly string[] | null {
  return existsSync(SERVER_MAIN) ? [SERVER_MAIN] : null;
}

/** A server of bench/, compiled beside this file: no TypeScript loader in the measured process. */
function benchServer(name: string): readonly string[] {
  return [join(BENCH_BUILD_DIR, `${name}.js`)];
}

const runId = `${process.pid}_${Date.now().toString(36)}`;
const scratch = join(RESULTS_DIR, `tmp-${runId}`);
let scratchNames = 0;

/** A name of its own for what target `id` prepares (a target is prepared again by step s). */
function scratchName(id: TargetId): string {
  scratchNames += 1;
  return `${id}${scratchNames}`;
}

async function postgresReachable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return `PostgreSQL unreachable at ${DATABASE_URL}: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function tirelireTarget(
  id: 'c' | 'd' | 'e' | 'g' | 'm' | 'n',
  name: string,
  engine: 'sqlite' | 'postgres',
): Target {
  return {
    id,
    name,
    prepare: async () => {
      const mainJs = tirelireServer();
      if (mainJs === null) return { unavailable: 'dist/main.js missing (run npm run build)' };
      const cannot = id === 'g' ? overloadUnavailable() : null;
      if (cannot !== null) return { unavailable: cannot };
      const seeded = await seededDatabase(id, engine);
      if ('unavailable' in seeded) return seeded;
      const { database, seed } = seeded;
      const isBatch = id === 'e';
      // Target n's batches credit another main account's subaccounts, seeded in the same ledger.
      const batchesBeside = id === 'n' ? await seedTirelire(database, SUBACCOUNTS, OPENING_MICROS) : null;
      return {
        // The real server for every store: PostgreSQL's schema travels on the URL (`?schema=`).
        args: mainJs,
        env: serverEnv(database, LOG_LEVEL),
        nextRequest: isBatch
          ? batchRequests(seed.apiKey, seed.tokens)
          : addRequests(seed.apiKey, seed.tokens),
        countTransfers: isBatch ? countBatch : countAdd,
        connections: isBatch ? BATCH_CONNECTIONS : id === 'g' ? OVERLOAD_CONNECTIONS : CONNECTIONS,
        ...(id === 'g' ? { seconds: OVERLOAD_SECONDS, warmUpInLoad: true, timedRoute: ADD_PATH } : {}),
        ...(isBatch
          ? { probe: (server: ServerProcess) => probeBatch(server, seed.apiKey, seed.tokens[0]!) }
          : {}),
        ...(id === 'm'
          ? { sideLoad: (server: ServerProcess) => startSubaccountCreations(server.url, seed.apiKey) }
          : {}),
        ...(batchesBeside === null
          ? {}
          : {
              sideLoad: (server: ServerProcess) =>
                startBatches(server.url, batchRequests(batchesBeside.apiKey, batchesBeside.tokens)),
            }),
        ledger: async () => {
          const check = await inspectTirelire(database, seed.mainAccountId);
          return {
            movedMicros: OPENING_MICROS - check.balanceMicros,
            verify: check.verifyOk ? 'verify ok' : `verify found ${check.verifyProblems} problem(s)`,
          };
        },
        cleanup: async () => {
          if (database.engine === 'postgres') await dropSchema(DATABASE_URL, database.schema);
        },
      };
    },
  };
}

/** A database seeded with one main account and its subaccounts, for target `id`. */
async function seededDatabase(
  id: TargetId,
  engine: 'sqlite' | 'postgres',
): Promise<{ unavailable: string } | { database: TirelireDatabase; seed: TirelireSeed }> {
  let database: TirelireDatabase;
  const name = scratchName(id);
  if (engine === 'sqlite') {
    mkdirSync(scratch, { recursive: true });
    database = { engine, path: join(scratch, `tirelire-${name}.db`) };
  } else {
    const unreachable = await postgresReachable();
    if (unreachable !== null) return { unavailable: unreachable };
    database = { engine, url: DATABASE_URL, schema: `bench_tirelire_${runId}_${name}` };
  }
  return { database, seed: await seedTirelire(database, SUBACCOUNTS, OPENING_MICROS) };
}

/**
 * f: Tirelire's server with credit transfers decided by its ledger rules in memory and
 * written nowhere (memory-ledger.ts): the HTTP layer's own ceiling, which c can only approach.
 */
const memoryLedgerTarget: Target = {
  id: 'f',
  name: 'Tirelire, transfers in memory, no storage',
  prepare: async () => {
    const seeded = await seededDatabase('f', 'sqlite');
    if ('unavailable' in seeded) return seeded;
    const { database, seed } = seeded;
    const ledgerFile = join(scratch, `ledger-${scratchName('f')}.json`);
    return {
      args: benchServer('memory-ledger-server'),
      env: {
        ...serverEnv(database, LOG_LEVEL),
        BENCH_LEDGER_FILE: ledgerFile,
        BENCH_MAIN_ACCOUNT_ID: String(seed.mainAccountId),
      },
      nextRequest: addRequests(seed.apiKey, seed.tokens),
      countTransfers: countAdd,
      // Written by the server as it stops: the main account's balance in its memory.
      ledger: async () => {
        const { balanceMicros } = JSON.parse(readFileSync(ledgerFile, 'utf8')) as {
          balanceMicros: string | null;
        };
        if (balanceMicros === null) throw new Error('the memory ledger never read the main account');
        return { movedMicros: OPENING_MICROS - BigInt(balanceMicros), verify: null };
      },
      cleanup: async () => undefined,
    };
  },
};

async function probeBatch(
  server: ServerProcess,
  apiKey: string,
  token: string,
): Promise<{ unavailable: string } | { acknowledged: number }> {
  const response = await fetch(server.url + BATCH_PATH, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      apiKey,
      operations: [{ direction: 'add', tokenSubaccount: token, credit: AMOUNT }],
    }),
  });
  const text = await response.text();
  if (response.status === 404 && !/"results"/.test(text)) return { unavailable: `${BATCH_PATH} answers 404` };
  if (response.status < 200 || response.status >= 300) {
    return { unavailable: `probe batch answered HTTP ${response.status}: ${text.slice(0, 200)}` };
  }
  const counted = countBatch(text);
  if (counted.ok !== 1)
    return { unavailable: `probe batch of 1 operation not acknowledged: ${text.slice(0, 200)}` };
  return { acknowledged: 1 };
}

const targets: readonly Target[] = [
  {
    id: 'a',
    name: 'ceiling: Fastify route, no store',
    prepare: async () => ({
      args: benchServer('ceiling-server'),
      env: {},
      nextRequest: addRequests(
        'ceiling-key',
        Array.from({ length: SUBACCOUNTS }, (_, index) => `sub${index}`),
      ),
      countTransfers: countAdd,
      ledger: async () => null,
      cleanup: async () => undefined,
    }),
  },
  {
    id: 'b',
    name: 'hand-written pg route, 1 tx/transfer, pool 10',
    prepare: async () => {
      const unreachable = await postgresReachable();
      if (unreachable !== null) return { unavailable: unreachable };
      const schema = `bench_handwritten_${runId}`;
      const seed = await createHandwrittenSchema(DATABASE_URL, schema, SUBACCOUNTS, OPENING_MICROS);
      return {
        args: benchServer('handwritten-pg-server'),
        env: { DATABASE_URL, BENCH_PG_SCHEMA: schema },
        nextRequest: addRequests(seed.apiKey, seed.tokens),
        countTransfers: countAdd,
        ledger: async () => ({
          movedMicros:
            OPENING_MICROS - (await readHandwrittenBalance(DATABASE_URL, schema, seed.mainAccountId)),
          verify: null,
        }),
        cleanup: () => dropSchema(DATABASE_URL, schema),
      };
    },
  },
  tirelireTarget('c', 'Tirelire, SQLite (node dist/main.js)', 'sqlite'),
  // Right after c: g/c is a ratio of two targets run in turn, best taken seconds apart.
  tirelireTarget('g', `Tirelire, SQLite, overload: ${OVERLOAD_CONNECTIONS} connections`, 'sqlite'),
  tirelireTarget('d', 'Tirelire, PostgreSQL (node dist/main.js)', 'postgres'),
  tirelireTarget('e', `Tirelire batch of ${BATCH_SIZE}, SQLite`, 'sqlite'),
  memoryLedgerTarget,
  tirelireTarget('m', 'Tirelire, SQLite, subaccounts created beside', 'sqlite'),
  tirelireTarget('n', `Tirelire, SQLite, batches of ${BATCH_SIZE} beside`, 'sqlite'),
];

async function measure(target: Target): Promise<TargetResult> {
  const base = { id: target.id, name: target.name };
  const prepared = await target.prepare();
  if ('unavailable' in prepared) return { ...base, status: 'not available', reason: prepared.unavailable };
  let server: ServerProcess | null = null;
  try {
    server = await startTarget(target, prepared);
    let probed = 0;
    if (prepared.probe !== undefined) {
      const probe = await prepared.probe(server);
      if ('unavailable' in probe) return { ...base, status: 'not available', reason: probe.unavailable };
      probed = probe.acknowledged;
    }
    const loadOptions = loadOf(target, prepared, server);
    const route = prepared.timedRoute;
    const timesBefore = route === undefined ? null : await readServerTimes(server.url, 'POST', route);
    const leadInSeconds = prepared.warmUpInLoad === true ? WARMUP_SECONDS : 0;
    const warmup =
      leadInSeconds > 0
        ? { transfersAcknowledged: 0, unanswered: 0 }
        : await runLoad({ ...loadOptions, seconds: WARMUP_SECONDS });
    const running = server;
    // CPU is read over the load's window, from its lead-in's end to before the drain (its cheap
    // /healthz requests are not transfers): the percentages and µs per transfer are the window's.
    const sampleIn = (afterSeconds: number) =>
      new Promise<CpuSample>((resolve) => setTimeout(() => resolve(cpuSample(running)), afterSeconds * 1000));
    const seconds = prepared.seconds ?? SECONDS;
    const atStart = sampleIn(leadInSeconds);
    const atDeadline = sampleIn(leadInSeconds + seconds);
    const side = prepared.sideLoad?.(server);
    const load = await runLoad({ ...loadOptions, seconds, leadInSeconds });
    const sideLoad = await side?.stop();
    const before = await atStart;
    const after = await atDeadline;
    const elapsedSeconds = (after.atMs - before.atMs) / 1000;
    const serverCpuSeconds = after.server - before.server;
    const loadCpuSeconds = after.loadGenerator - before.loadGenerator;
    const otherCpuSeconds = after.machine - before.machine - serverCpuSeconds - loadCpuSeconds;
    const peakRssMb = server.peakRssBytes() / 1024 / 1024;
    const timesAfter = route === undefined ? null : await readServerTimes(server.url, 'POST', route);
    const serverTimes = serverTimeFigures(timesBefore, timesAfter, ['200', '503']);
    await server.stop();
    server = null;
    const ledger = await prepared.ledger();
    const acknowledged = probed + warmup.transfersAcknowledged + load.transfersAcknowledged;
    return {
      ...base,
      status: 'measured',
      load,
      warmupTransfers: warmup.transfersAcknowledged,
      peakRssMb,
      serverCpuPercent: (100 * serverCpuSeconds) / elapsedSeconds,
      eventLoopCpuPercent: (100 * (after.eventLoop - before.eventLoop)) / elapsedSeconds,
      loadGeneratorCpuPercent: (100 * loadCpuSeconds) / elapsedSeconds,
      otherCpuPercent: Math.max(0, (100 * otherCpuSeconds) / elapsedSeconds),
      balance: balanceCheck(ledger, acknowledged, warmup.unanswered + load.unanswered, target.id === 'g'),
      ...(sideLoad === undefined ? {} : { sideLoad }),
      ...(serverTimes === undefined ? {} : { serverTimes }),
    };
  } catch (error) {
    return { ...base, status: 'failed', reason: error instanceof Error ? error.message : String(error) };
  } finally {
    if (server !== null) await server.stop();
    await prepared
      .cleanup()
      .catch((error: unknown) => console.error(`cleanup of ${target.id} failed:`, error));
  }
}

/** The load of a prepared target on its running server (a target's run, a window of step s). */
function loadOf(target: Target, prepared: Prepared, server: ServerProcess): Contender {
  return {
    id: target.id,
    baseUrl: server.url,
    connections: prepared.connections ?? CONNECTIONS,
    nextRequest: prepared.nextRequest,
    countTransfers: prepared.countTransfers,
  };
}

/** The server of a prepared target, started on a free port, its log in the scratch folder. */
async function startTarget(target: Target, prepared: Prepared): Promise<ServerProcess> {
  mkdirSync(scratch, { recursive: true });
  return startServer({
    name: target.name,
    args: [...SERVER_NODE_ARGS, ...prepared.args],
    env: prepared.env,
    port: await freePort(),
    logFile: join(scratch, `server-${scratchName(target.id)}.log`),
  });
}

interface CpuSample {
  readonly atMs: number;
  /** CPU seconds so far: the server process, its event loop, this process (the load generator), the whole machine. */
  readonly server: number;
  readonly eventLoop: number;
  readonly loadGenerator: number;
  readonly machine: number;
}

function cpuSample(server: ServerProcess): CpuSample {
  const own = process.cpuUsage();
  return {
    atMs: performance.now(),
    server: server.cpuSeconds(),
    eventLoop: server.eventLoopCpuSeconds(),
    loadGenerator: (own.user + own.system) / 1e6,
    machine: machineBusySeconds(),
  };
}

/**
 * The main account moved by exactly the acknowledged transfers. Under overload (g) a client
 * may give up on a request the server still applies (autocannon's 10 s timeout): its outcome
 * is unknown, so there the ledger may hold up to one more transfer per unanswered request,
 * never fewer than the acknowledged ones (no acknowledged transfer lost), never more.
 */
function balanceCheck(
  ledger: Ledger | null,
  acknowledged: number,
  unanswered: number,
  unknownOutcomesAllowed: boolean,
): BalanceCheck {
  if (ledger === null) return { check: 'n/a', detail: 'no ledger' };
  const expected = BigInt(acknowledged) * AMOUNT_MICROS;
  const unknown = unknownOutcomesAllowed ? BigInt(unanswered) * AMOUNT_MICROS : 0n;
  const detail =
    `moved ${formatMicros(ledger.movedMicros)} EUR, ${acknowledged} acknowledged × ${AMOUNT} = ` +
    `${formatMicros(expected)} EUR` +
    (unanswered > 0 ? `, ${unanswered} request(s) never answered` : '') +
    (unknown > 0n ? ` (at most ${formatMicros(expected + unknown)} EUR may have moved)` : '') +
    (ledger.verify === null ? '' : `; ${ledger.verify}`);
  const pass =
    ledger.movedMicros >= expected &&
    ledger.movedMicros <= expected + unknown &&
    (unknownOutcomesAllowed || unanswered === 0) &&
    (ledger.verify === null || ledger.verify === 'verify ok');
  return { check: pass ? 'PASS' : 'FAIL', detail };
}

function fixed(value: number | undefined, digits = 0): string {
  return value === undefined ? '-' : value.toFixed(digits);
}

function printTable(results: readonly TargetResult[]): void {
  const header = [
    '',
    'target',
    'transfers/s',
    'ok',
    'non-2xx',
    'refused',
    'p50 ms',
    'p99 ms',
    'peak RSS MB',
    'srv CPU%',
    'loop CPU%',
    'gen CPU%',
    'other CPU%',
    'balance',
  ];
  const rows = results.map((result) => {
    const load = result.load;
    if (load === undefined)
      return [result.id, result.name, result.status, '', '', '', '', '', '', '', '', '', '', ''];
    return [
      result.id,
      result.name,
      fixed(load.transfersPerSecond),
      String(load.transfersInWindow),
      String(load.responsesNon2xx),
      String(load.operationsRefused),
      fixed(load.latencyMs.p50, 2),
      fixed(load.latencyMs.p99, 2),
      fixed(result.peakRssMb, 1),
      fixed(result.serverCpuPercent),
      fixed(result.eventLoopCpuPercent),
      fixed(result.loadGeneratorCpuPercent),
      fixed(result.otherCpuPercent),
      result.balance?.check ?? '',
    ];
  });
  const widths = header.map((_, column) =>
    Math.max(...[header, ...rows].map((row) => (row[column] ?? '').length)),
  );
  const line = (row: readonly string[]): string =>
    row
      .map((cell, column) => (column <= 1 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  for (const result of results) {
    if (result.balance !== undefined)
      console.log(`  ${result.id}: balance ${result.balance.check}: ${result.balance.detail}`);
    if (result.status !== 'measured') console.log(`  ${result.id}: ${result.status}: ${result.reason ?? ''}`);
    const side = result.sideLoad;
    if (side !== undefined) {
      console.log(
        `  ${result.id}: beside the load, ${side.requests} ${side.kind} (${side.perSecond.toFixed(0)}/s, ` +
          `${side.failed} failed), p50 ${side.latencyMs.p50.toFixed(2)} ms, p99 ${side.latencyMs.p99.toFixed(2)} ms, ` +
          `max ${side.latencyMs.max.toFixed(2)} ms`,
      );
    }
    const load = result.load;
    if (load !== undefined && (load.unanswered > 0 || load.socketErrors > 0 || load.responsesNon2xx > 0)) {
      console.log(
        `  ${result.id}: statuses ${JSON.stringify(load.statusCounts)}, socket errors ${load.socketErrors}, ` +
          `timeouts ${load.timeouts}, unanswered ${load.unanswered}`,
      );
    }
  }
}

/** A target's transfers/s in this run, or null when it was not measured. */
function rateOf(results: readonly TargetResult[], id: TargetId): number | null {
  return results.find((r) => r.id === id)?.load?.transfersPerSecond ?? null;
}

/** top/bottom of two targets run one after the other, or null when either was not measured. */
function inTurnRatio(results: readonly TargetResult[], top: TargetId, bottom: TargetId): number | null {
  const [over, under] = [rateOf(results, top), rateOf(results, bottom)];
  return over === null || under === null || under <= 0 ? null : over / under;
}

/** The ratios that are targets, taken from step s when it ran (printOtherRatios shows them in turn too). */
const TARGET_RATIOS = [
  ['c', 'f', TARGETS.cOverF],
  ['d', 'f', TARGETS.dOverF],
  ['d', 'b', TARGETS.dbOverB],
] as const;

/**
 * The run's verdicts. A ratio comes from step s (side by side, windows seconds apart) when s
 * measured it, else from the targets run one after the other (named so).
 */
function verdicts(results: readonly TargetResult[], side: SideBySideResult | null): Verdict[] {
  const tirelire = results.filter((r) => ['c', 'd', 'e'].includes(r.id));
  return [
    ...TARGET_RATIOS.map(([top, bottom, min]) => {
      const alternated = side === null ? null : cycleRatio(side.windows, top, bottom);
      return alternated === null
        ? atLeast(`${top}/${bottom} (in turn)`, inTurnRatio(results, top, bottom), min)
        : atLeast(`${top}/${bottom} (s)`, alternated.median, min);
    }),
    ...tirelire
      .filter((r) => r.id !== 'e')
      .map((r) => atMost(`p99 ms (${r.id})`, r.load?.latencyMs.p99 ?? null, TARGETS.p99Ms)),
    ...tirelire.map((r) => atMost(`peak RSS MB (${r.id})`, r.peakRssMb ?? null, TARGETS.rssMb)),
    atLeast('e transfers/s', rateOf(results, 'e'), TARGETS.batchPerSecond, '100,000'),
    atMost('CPU µs/transfer (c)', machineMicrosOf(results.find((r) => r.id === 'c')), TARGETS.cMachineMicros),
    ...overloadVerdicts(overloadFigures(results)),
  ];
}

function overloadFigures(results: readonly TargetResult[]): OverloadFigures | undefined {
  const g = results.find((r) => r.id === 'g');
  if (g?.load === undefined) return undefined;
  const cPerSecond = results.find((r) => r.id === 'c')?.load?.transfersPerSecond;
  return { load: g.load, peakRssMb: g.peakRssMb, cPerSecond, serverTimes: g.serverTimes };
}

function printVerdicts(list: readonly Verdict[]): void {
  console.log('\nratios and targets (issue 18; d/b and RSS from issue 4), measured in this run:');
  if (list.some((verdict) => verdict.name.endsWith('(s)')))
    console.log('  (s): step s, the median over its cycles; (in turn): targets run one after the other');
  for (const verdict of list) {
    const measured =
      verdict.measured === null ? 'n/a' : verdict.measured.toFixed(verdict.measured < 100 ? 2 : 0);
    const mark = verdict.reached === null ? 'not measured' : verdict.reached ? 'reached' : 'NOT reached';
    console.log(
      `  ${verdict.name.padEnd(18)} ${measured.padStart(10)}   target ${verdict.target.padEnd(10)} ${mark}`,
    );
  }
}

/** CPU µs per transfer of a result's whole machine over the load window, or null when not measured. */
function machineMicrosOf(result: TargetResult | undefined): number | null {
  return result === undefined ? null : machineMicros(result.load?.transfersPerSecond, result);
}

/**
 * What bounds the ratios, in CPU per transfer: the whole machine's (the
 * servers share the cores with the load generator) and the server's event
 * loop's (one thread). For c/f and d/f, what c and d would have to stay
 * within, the machine's cores or one thread fully busy at that rate.
 */
function printCpuBudget(results: readonly TargetResult[]): void {
  const measured = results.filter((r) => r.load !== undefined);
  if (measured.length === 0) return;
  const list = (micros: (r: TargetResult) => number | null) =>
    measured.map((r) => `${r.id} ${micros(r)?.toFixed(1) ?? '-'}`).join(', ');
  const loopMicros = (r: TargetResult) =>
    microsPerTransfer(r.load?.transfersPerSecond, r.eventLoopCpuPercent);
  console.log(`\nCPU per transfer, µs: whole machine: ${list(machineMicrosOf)}`);
  console.log(`                     server's event loop: ${list(loopMicros)}`);
  const ceiling = rateOf(results, 'f');
  if (ceiling === null || ceiling <= 0) return;
  const cores = cpus().length;
  for (const [id, ratio] of [
    ['c', TARGETS.cOverF],
    ['d', TARGETS.dOverF],
  ] as const) {
    const result = results.find((r) => r.id === id);
    if (result?.load === undefined) continue;
    const rate = ratio * ceiling;
    const machine = machineMicrosOf(result);
    const loop = loopMicros(result);
    console.log(
      `  ${id}/f ≥ ${ratio} means ${rate.toFixed(0)} transfers/s: within ${((cores / rate) * 1e6).toFixed(1)} µs of ` +
        `machine CPU (${id} used ${machine?.toFixed(1) ?? '-'}) and ${(1e6 / rate).toFixed(1)} µs of event loop ` +
        `(${id} used ${loop?.toFixed(1) ?? '-'})`,
    );
  }
}

/** Ratios that are no target (any more) but say where c's and d's distance to a lies. */
function printOtherRatios(results: readonly TargetResult[]): void {
  const show = (top: TargetId, bottom: TargetId, meaning: string): void => {
    const ratio = inTurnRatio(results, top, bottom);
    if (ratio === null) return;
    console.log(
      `  ${`${top}/${bottom}`.padEnd(18)} ${ratio.toFixed(2).padStart(10)}   (not a target: ${meaning})`,
    );
  };
  show('f', 'a', "Tirelire's HTTP layer with a store that costs nothing, against the bare route");
  for (const [top, bottom] of TARGET_RATIOS)
    show(top, bottom, 'targets run in turn, minutes apart; the verdict takes step s when it ran');
  show('c', 'a', "issue 4's c/a, withdrawn by issue 18");
  show('d', 'a', "issue 4's d/a, withdrawn by issue 18");
  show('m', 'c', 'transfers kept beside other writes');
  show('n', 'c', 'transfers kept beside batches of 1000');
}

/** Step s: the servers whose ratios are targets, up at once, the load alternated (side-by-side.ts). */
const SIDE_BY_SIDE_IDS: readonly TargetId[] = ['a', 'b', 'c', 'd', 'f'];
const SIDE_CYCLES = positiveNumber('BENCH_SIDE_CYCLES', 5);
const SIDE_SECONDS = positiveNumber('BENCH_SIDE_SECONDS', 3);

interface Running {
  readonly target: Target;
  readonly prepared: Prepared;
  server: ServerProcess | null;
  acknowledged: number;
  unanswered: number;
}

/** Step s, when selected: every server of SIDE_BY_SIDE_IDS started and warmed up, then alternate(). */
async function runSideBySide(): Promise<SideBySideResult | { failed: string } | null> {
  if (!ONLY.includes('s')) return null;
  process.stdout.write(
    `running s: ${SIDE_BY_SIDE_IDS.join(', ')} up at once, ${SIDE_CYCLES} cycles of ${SIDE_SECONDS} s windows … `,
  );
  const running: Running[] = [];
  const unavailable: { id: string; reason: string }[] = [];
  try {
    for (const target of targets.filter((t) => SIDE_BY_SIDE_IDS.includes(t.id))) {
      const prepared = await target.prepare();
      if ('unavailable' in prepared) {
        unavailable.push({ id: target.id, reason: prepared.unavailable });
        continue;
      }
      const entry: Running = { target, prepared, server: null, acknowledged: 0, unanswered: 0 };
      running.push(entry);
      entry.server = await startTarget(target, prepared);
      const warmup = await runLoad({ ...contenderOf(entry), seconds: WARMUP_SECONDS });
      entry.acknowledged += warmup.transfersAcknowledged;
      entry.unanswered += warmup.unanswered;
    }
    const windows = await alternate(running.map(contenderOf), {
      cycles: SIDE_CYCLES,
      seconds: SIDE_SECONDS,
      leadInSeconds: 0.5,
      drainSeconds: 1,
    });
    const balances: (BalanceCheck & { readonly id: string })[] = [];
    for (const entry of running) {
      const own = windows.filter((w) => w.id === entry.target.id);
      await entry.server?.stop();
      entry.server = null;
      const acknowledged = entry.acknowledged + own.reduce((sum, w) => sum + w.acknowledged, 0);
      const unanswered = entry.unanswered + own.reduce((sum, w) => sum + w.unanswered, 0);
      balances.push({
        id: entry.target.id,
        ...balanceCheck(await entry.prepared.ledger(), acknowledged, unanswered, false),
      });
    }
    const result = { windows, unavailable, balances };
    console.log(balances.every((b) => b.check !== 'FAIL') ? 'done, balances PASS' : 'done, a balance FAILED');
    return result;
  } catch (error) {
    const failed = error instanceof Error ? error.message : String(error);
    console.log(`failed: ${failed}`);
    return { failed };
  } finally {
    for (const entry of running) {
      await entry.server?.stop();
      await entry.prepared
        .cleanup()
        .catch((error: unknown) => console.error(`cleanup of ${entry.target.id} failed:`, error));
    }
  }
}

/** What alternate() needs of a running target. */
function contenderOf(entry: Running): Contender {
  if (entry.server === null) throw new Error(`${entry.target.id} is not running`);
  return loadOf(entry.target, entry.prepared, entry.server);
}

/** Target u, when selected: the usage debits side by side, or why they could not be measured. */
async function runUsage(): Promise<UsageBenchResult | { failed: string } | null> {
  if (!ONLY.includes('u')) return null;
  const mainJs = tirelireServer();
  if (mainJs === null) return { failed: 'dist/main.js missing (run npm run build)' };
  process.stdout.write('running u: usage debits (charge, charge with rules, hold + capture), SQLite … ');
  try {
    mkdirSync(scratch, { recursive: true });
    const usage = await measureUsage({
      mainJs: mainJs[0]!,
      scratch,
      seconds: 3 * SECONDS,
      connections: USAGE_CONNECTIONS,
      env: { LOG_LEVEL, RATE_LIMIT_MAX: '999999999' },
    });
    console.log(`hold + capture = ${usage.holdOverCharge.toFixed(2)} charges, balance ${usage.balanceCheck}`);
    return usage;
  } catch (error) {
    const failed = error instanceof Error ? error.message : String(error);
    console.log(`failed: ${failed}`);
    return { failed };
  }
}

function printUsage(usage: UsageBenchResult | { failed: string }): void {
  if ('failed' in usage) {
    console.log(`\nu: failed: ${usage.failed}`);
    return;
  }
  console.log(
    `\nu: the operator's usage debits on SQLite, ${USAGE_CONNECTIONS} connections, kinds alternated:`,
  );
  for (const kind of usage.kinds) {
    console.log(
      `  ${kind.kind.padEnd(18)} ${kind.perSecond.toFixed(0).padStart(7)}/s  ${kind.completed} done, ` +
        `${kind.failed} failed, p50 ${kind.p50Ms.toFixed(2)} ms, p99 ${kind.p99Ms.toFixed(2)} ms`,
    );
  }
  console.log(
    `  hold placed + captured costs ${usage.holdOverCharge.toFixed(2)} charges (target ≤ ${TARGETS.holdOverCharge}, ` +
      `${usage.holdOverCharge <= TARGETS.holdOverCharge ? 'reached' : 'NOT reached'}); ` +
      `a charge under rules ${usage.rulesOverCharge.toFixed(2)} plain charges`,
  );
  console.log(`  u: balance ${usage.balanceCheck}: ${usage.detail}`);
}

async function main(): Promise<void> {
  const selected = targets.filter((target) => ONLY.includes(target.id));
  const cpuModel = cpus()[0]?.model ?? 'unknown';
  console.log(
    `tirelire bench: ${selected.map((t) => t.id).join(',')}; ${CONNECTIONS} connections (e: ${BATCH_CONNECTIONS}, g: ${OVERLOAD_CONNECTIONS} for ${OVERLOAD_SECONDS} s), ` +
      `${SECONDS} s per target ` +
      `after ${WARMUP_SECONDS} s warm-up, ${SUBACCOUNTS} subaccounts, credit/add of ${AMOUNT}; ` +
      `node ${process.version}, ${cpus().length} × ${cpuModel}`,
  );
  console.log(
    'note: the load generator (autocannon, in this process) shares the CPU cores with the server under test\n',
  );
  const results: TargetResult[] = [];
  let usage: UsageBenchResult | { failed: string } | null = null;
  let side: SideBySideResult | { failed: string } | null = null;
  try {
    for (const target of selected) {
      process.stdout.write(`running ${target.id}: ${target.name} … `);
      const result = await measure(target);
      results.push(result);
      console.log(
        result.load === undefined
          ? `${result.status}${result.reason === undefined ? '' : `: ${result.reason}`}`
          : `${result.load.transfersPerSecond.toFixed(0)} transfers/s, balance ${result.balance?.check ?? '?'}`,
      );
    }
    side = await runSideBySide();
    usage = await runUsage();
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  console.log('');
  if (results.length > 0) printTable(results);
  printOverload(overloadFigures(results));
  if (side !== null && 'failed' in side) console.log(`\ns: failed: ${side.failed}`);
  const sideBySide = side === null || 'failed' in side ? null : side;
  if (sideBySide !== null) printSideBySide(sideBySide, SIDE_SECONDS);
  if (usage !== null) printUsage(usage);
  const disturbed = results.filter(
    (r) =>
      ['a', 'c', 'e', 'f', 'g', 'm', 'n'].includes(r.id) && (r.otherCpuPercent ?? 0) > DISTURBED_CPU_PERCENT,
  );
  console.log(
    '\nCPU in % of one core over the load window, the drain excluded (2 cores = 200 %). "other" is every other process: PostgreSQL ' +
      'for b and d, and on a, c, e and f nothing should run besides the server and the load generator.',
  );
  if (disturbed.length > 0) {
    console.log(
      `WARNING: other processes used over ${DISTURBED_CPU_PERCENT} % of a core during ` +
        `${disturbed.map((r) => r.id).join(', ')}: the machine was not idle, these figures are disturbed.`,
    );
  }
  const list = verdicts(results, sideBySide);
  printVerdicts(list);
  printCpuBudget(results);
  printOtherRatios(results);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const output = {
    date: new Date().toISOString(),
    command: 'npm run bench',
    machine: {
      cpus: cpus().length,
      cpuModel,
      memoryMb: Math.round(totalmem() / 1024 / 1024),
      node: process.version,
    },
    config: {
      seconds: SECONDS,
      warmupSeconds: WARMUP_SECONDS,
      connections: CONNECTIONS,
      batchConnections: BATCH_CONNECTIONS,
      overloadConnections: OVERLOAD_CONNECTIONS,
      overloadSeconds: OVERLOAD_SECONDS,
      subaccounts: SUBACCOUNTS,
      amount: AMOUNT,
      batchSize: BATCH_SIZE,
      logLevel: LOG_LEVEL,
    },
    note: 'load generator and server share the same cores',
    disturbedBy: disturbed.map((r) => ({ id: r.id, otherCpuPercent: r.otherCpuPercent })),
    results,
    verdicts: list,
    sideBySide: side,
    usage,
  };
  writeFileSync(LATEST_RESULTS, `${JSON.stringify(output, null, 2)}\n`);
  console.log(`\nresults written to bench/results/latest.json`);
  const broken =
    results.some((r) => r.balance?.check === 'FAIL' || r.status === 'failed') ||
    (side !== null && ('failed' in side || side.balances.some((b) => b.check === 'FAIL'))) ||
    (usage !== null && ('failed' in usage || usage.balanceCheck === 'FAIL'));
  if (broken) process.exitCode = 1;
}

await main();
