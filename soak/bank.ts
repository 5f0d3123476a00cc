import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as pause } from 'node:timers/promises';
import { formatMicros } from '../src/domain/money.js';
import type { Store } from '../src/domain/store.js';
import * as operator from '../src/app/operator.js';
import { openStore } from '../src/store/open-store.js';
import { dropPostgresSchema } from '../src/store/postgres/schema-admin.js';
import { checkLedger, type AcknowledgedOp } from './checks.js';
import { Cluster } from './cluster.js';
import { DAILY_CAP_MICROS, microsOfText, seedBank, TOPUP_BELOW_MICROS, type BankModel } from './ledger.js';
import {
  newTally,
  randomCreditOp,
  read,
  settle,
  type CreditOp,
  type Outcome,
  type Tally,
} from './operations.js';
import { runCliVerify } from './server.js';

/**
 * The bank test (issue 6): clients move money between main accounts and
 * their subaccounts through the HTTP API while the server processes are
 * SIGKILLed and restarted; then the ledger is checked exactly against what
 * the clients were told.
 */
export interface BankOptions {
  readonly engine: 'sqlite' | 'postgres';
  readonly seconds: number;
  /** Server processes on the one database (1 for SQLite). */
  readonly processes: number;
  readonly clients: number;
  readonly mains?: number;
  readonly subaccountsPerMain?: number;
  /** Random pause between two kills, in ms: [min, max]. */
  readonly killPauseMs?: readonly [number, number];
  /** A PostgreSQL server URL; the run makes and drops a schema of its own there. */
  readonly postgresUrl?: string;
  readonly log?: (line: string) => void;
  /**
   * false sends every operation without its Idempotency-Key: the negative
   * control showing that the checks do catch retries that apply twice.
   */
  readonly sendIdempotencyKeys?: boolean;
  /** Keep the database for inspection when there are violations (true by default). */
  readonly keepOnViolation?: boolean;
}

export interface BankReport {
  readonly engine: 'sqlite' | 'postgres';
  readonly seconds: number;
  readonly processes: number;
  readonly clients: number;
  readonly operations: number;
  readonly acknowledged: number;
  readonly refused: Record<string, number>;
  readonly tally: Tally;
  /** Operations sent again on purpose after their answer came (alone or concurrently). */
  readonly duplicates: number;
  readonly kills: number;
  readonly killsSurvived: number;
  readonly topUps: number;
  readonly charges: number;
  /** Balance rules at work on the operator's charges. */
  readonly rules: RulesTally;
  readonly transfersStored: number;
  readonly violations: readonly string[];
  /** Where the database was kept for inspection, when there were violations. */
  readonly keptDatabase: string | null;
}

export interface RulesTally {
  /** Automatic top-ups a charge brought first. */
  autoTopUps: number;
  /** Charges refused by a spending cap (32). */
  capRefusals: number;
  /** Charges that left a topped-up subaccount under `below` (the main account could not pay: autotopup.failed). */
  leftBelow: number;
}

const OPENING_MICROS = 300_000_000n;
const DEFAULT_KILL_PAUSE_MS = [2_000, 6_000] as const;

interface Run {
  readonly cluster: Cluster;
  readonly store: Store;
  readonly model: BankModel;
  readonly stopAt: number;
  readonly tally: Tally;
  readonly violations: string[];
  readonly acknowledged: AcknowledgedOp[];
  readonly refused: Record<string, number>;
  readonly sendKeys: boolean;
  operations: number;
  duplicates: number;
  topUps: number;
  charges: number;
  readonly rules: RulesTally;
  /** Charged per capped subaccount and UTC day: never over the cap. */
  readonly capUsage: Map<string, bigint>;
}

export async function runBank(options: BankOptions): Promise<BankReport> {
  const log = options.log ?? (() => undefined);
  const place = databasePlace(options);
  const store = await openStore({ databaseUrl: place.databaseUrl });
  let keep = false;
  try {
    const model = await seedBank(store, options.mains ?? 4, options.subaccountsPerMain ?? 5, OPENING_MICROS);
    const processes = options.engine === 'sqlite' ? 1 : options.processes;
    const cluster = await Cluster.start(place.databaseUrl, processes);
    log(`${options.engine}: ${processes} process(es), ${options.clients} clients, ${options.seconds} s`);
    const run: Run = {
      cluster,
      store,
      model,
      stopAt: Date.now() + options.seconds * 1000,
      tally: newTally(),
      violations: [],
      acknowledged: [],
      refused: {},
      sendKeys: options.sendIdempotencyKeys ?? true,
      operations: 0,
      duplicates: 0,
      topUps: 0,
      charges: 0,
      rules: { autoTopUps: 0, capRefusals: 0, leftBelow: 0 },
      capUsage: new Map(),
    };
    try {
      await Promise.all([
        killer(run, options.killPauseMs ?? DEFAULT_KILL_PAUSE_MS, log),
        operatorLoop(run),
        ...Array.from({ length: options.clients }, () => clientLoop(run)),
      ]);
    } finally {
      await cluster.stop();
    }
    run.violations.push(...cluster.startFailures);
    const checked = await checkLedger(store, model, run.acknowledged);
    run.violations.push(...checked.violations, ...(await cliVerify(place.databaseUrl)));
    run.violations.push(...(await checkRules(run)));
    run.violations.push(...vacuity(run));
    keep = run.violations.length > 0 && (options.keepOnViolation ?? true);
    return report(options, run, processes, checked.transfersStored, keep ? place.describe : null);
  } finally {
    await store.close();
    if (!keep) await place.remove();
  }
}

interface DatabasePlace {
  readonly databaseUrl: string;
  readonly describe: string;
  remove(): Promise<void>;
}

function databasePlace(options: BankOptions): DatabasePlace {
  if (options.engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'tirelire-soak-'));
    const databaseUrl = join(dir, 'tirelire.db');
    return {
      databaseUrl,
      describe: databaseUrl,
      remove: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  if (options.postgresUrl === undefined) throw new Error('a PostgreSQL run needs postgresUrl');
  const serverUrl = options.postgresUrl;
  const schema = `tirelire_soak_${randomBytes(6).toString('hex')}`;
  const parsed = new URL(serverUrl);
  parsed.searchParams.set('schema', schema);
  return {
    databaseUrl: parsed.toString(),
    describe: parsed.toString(),
    remove: () => dropPostgresSchema(serverUrl, schema),
  };
}

/** Kills one process (sometimes all of them at once) at random moments, restarting each at once. */
async function killer(run: Run, [minMs, maxMs]: readonly [number, number], log: (line: string) => void) {
  for (;;) {
    const waitMs = minMs + Math.random() * (maxMs - minMs);
    if (Date.now() + waitMs >= run.stopAt) return;
    await pause(waitMs);
    const size = run.cluster.size;
    const all = size > 1 && Math.random() < 0.25;
    const victims = all
      ? Array.from({ length: size }, (_, index) => index)
      : [Math.floor(Math.random() * size)];
    await run.cluster.killAndRestart(victims);
    log(`kill -9 of process(es) ${victims.join(', ')}: ${run.cluster.killsSurvived} restarts so far`);
  }
}

/**
 * The operator tops main accounts up and charges subaccounts through the
 * store while the clients run, so conservation is checked with money coming
 * in and going out, not only moving around.
 */
async function operatorLoop(run: Run): Promise<void> {
  while (Date.now() < run.stopAt) {
    await pause(100 + Math.random() * 400);
    const mainIndex = Math.floor(Math.random() * run.model.mains.length);
    const main = run.model.mains[mainIndex]!;
    try {
      if (Math.random() < 0.5) {
        const micros = BigInt(1 + Math.floor(Math.random() * 20_000_000));
        run.model.ceilings[mainIndex]! += micros;
        const outcome = await operator.topUp(
          run.store,
          { accountId: main.accountId },
          { credit: formatMicros(micros), operator: 'soak' },
        );
        if (!outcome.ok) run.violations.push(`operator top-up refused with code ${outcome.code}`);
        else run.model.toppedUp(mainIndex, micros);
        run.topUps += 1;
      } else {
        await chargeUsage(run, mainIndex);
      }
    } catch (error) {
      run.violations.push(`operator action failed: ${String(error)}`);
    }
  }
}

/**
 * A charge of usage, most often on a subaccount with rules: the first of each
 * tree has an automatic top-up, the second a daily cap (soak/ledger.ts).
 */
async function chargeUsage(run: Run, mainIndex: number): Promise<void> {
  const main = run.model.mains[mainIndex]!;
  const pick =
    Math.random() < 0.8 ? Math.floor(Math.random() * 2) : Math.floor(Math.random() * main.subaccounts.length);
  const sub = main.subaccounts[pick]!;
  const micros = BigInt(1 + Math.floor(Math.random() * 2_000_000));
  const outcome = await operator.charge(
    run.store,
    { accountId: sub.id },
    { credit: formatMicros(micros), operator: 'soak' },
  );
  run.charges += 1;
  if (!outcome.ok) {
    if (outcome.code === 32 && pick === 1) run.rules.capRefusals += 1;
    else if (outcome.code !== 6 && outcome.code !== 8)
      run.violations.push(`operator charge refused with code ${outcome.code}`);
    return;
  }
  const { topup, transfer, balanceMicros } = outcome.value;
  if (topup !== null) {
    run.rules.autoTopUps += 1;
    if (pick !== 0) run.violations.push(`a top-up ${topup.id} on a subaccount without the rule`);
    run.model.autoToppedUp(main.accountId, sub.id, topup.amountMicros);
  }
  run.model.charged(sub.id, micros);
  if (pick === 0 && topup === null && balanceMicros < TOPUP_BELOW_MICROS) run.rules.leftBelow += 1;
  if (pick === 1) {
    const day = `${sub.id}:${transfer.createdAt.toISOString().slice(0, 10)}`;
    const used = (run.capUsage.get(day) ?? 0n) + micros;
    run.capUsage.set(day, used);
    if (used > DAILY_CAP_MICROS)
      run.violations.push(`subaccount ${sub.id} charged ${used} µEUR on ${day}, over its cap`);
  }
}

/**
 * What the rules promise, read back from the store's events: each charge
 * that left a topped-up subaccount under `below` had its autotopup.failed.
 */
async function checkRules(run: Run): Promise<string[]> {
  let failedNotices = 0;
  for (const main of run.model.mains) {
    const events = await run.store.listEvents({
      accountId: main.accountId,
      after: 0,
      limit: 1000,
      types: ['autotopup.failed'],
    });
    failedNotices += events.length;
  }
  return failedNotices >= run.rules.leftBelow
    ? []
    : [
        `${run.rules.leftBelow} charges left a subaccount under its top-up threshold, ${failedNotices} autotopup.failed`,
      ];
}

async function clientLoop(run: Run): Promise<void> {
  while (Date.now() < run.stopAt) {
    const choice = Math.random();
    const mainIndex = Math.floor(Math.random() * run.model.mains.length);
    if (choice < 0.15) await readMe(run, mainIndex);
    else if (choice < 0.3) await readList(run, mainIndex);
    else await moveCredit(run, mainIndex);
  }
}

async function moveCredit(run: Run, mainIndex: number): Promise<void> {
  const main = run.model.mains[mainIndex]!;
  const sub = main.subaccounts[Math.floor(Math.random() * main.subaccounts.length)]!;
  const op = randomCreditOp(mainIndex, main.apiKey, sub, run.sendKeys);
  run.operations += 1;
  const mode = Math.random();
  if (mode < 0.05) {
    // Two copies in flight at once: one runs, the other gets its answer.
    run.duplicates += 1;
    const [first, second] = await Promise.all([
      settle(run.cluster, op, run.tally),
      settle(run.cluster, op, run.tally),
    ]);
    sameAnswer(run, op, first, second);
    record(run, op, first);
  } else if (mode < 0.15) {
    // The answer came, but the client sends the request again as if it had been lost.
    run.duplicates += 1;
    const first = await settle(run.cluster, op, run.tally);
    const second = await settle(run.cluster, op, run.tally);
    sameAnswer(run, op, first, second);
    if (second.kind !== 'unresolved' && second.kind !== 'unexpected' && !second.replayed) {
      run.violations.push(
        `${op.idempotencyKey}: a second send after the answer was not marked Idempotent-Replayed`,
      );
    }
    record(run, op, first);
  } else {
    record(run, op, await settle(run.cluster, op, run.tally));
  }
}

/** Two sends of one keyed request must get the same answer, byte for byte. */
function sameAnswer(run: Run, op: CreditOp, first: Outcome, second: Outcome): void {
  if (first.kind === 'unresolved' || second.kind === 'unresolved') return;
  if (first.text !== second.text) {
    run.violations.push(
      `${op.idempotencyKey}: two sends got different answers: ${first.text} / ${second.text}`,
    );
  }
}

function record(run: Run, op: CreditOp, outcome: Outcome): void {
  const where = `${op.direction} ${formatMicros(op.amountMicros)} key ${op.idempotencyKey}`;
  switch (outcome.kind) {
    case 'acknowledged':
      run.acknowledged.push({ op, transferId: outcome.transferId });
      run.model.acknowledged(op);
      if (outcome.mainBalance.startsWith('-') || outcome.subaccountBalance.startsWith('-')) {
        run.violations.push(`${where}: answered a negative balance: ${outcome.text}`);
      }
      return;
    case 'refused':
      run.refused[String(outcome.code)] = (run.refused[String(outcome.code)] ?? 0) + 1;
      return;
    case 'unexpected':
      run.violations.push(
        `${where}: unexpected answer HTTP ${outcome.status}: ${outcome.text.slice(0, 300)}`,
      );
      return;
    case 'unresolved':
      run.violations.push(`${where}: no definitive answer: ${outcome.reason}`);
  }
}

/** A read may fail while a process dies; an answer it does give must be a possible state. */
async function readMe(run: Run, mainIndex: number): Promise<void> {
  const main = run.model.mains[mainIndex]!;
  const answer = await read(run.cluster, `/v1/me?apiKey=${encodeURIComponent(main.apiKey)}`, run.tally);
  if (answer === null || answer.status === 503) return;
  const credits = answer.json?.['credits'] as { balance?: unknown } | undefined;
  const balance = typeof credits?.balance === 'string' ? microsOfText(credits.balance) : null;
  if (answer.status !== 200 || balance === null) {
    run.violations.push(`GET /v1/me answered HTTP ${answer.status}: ${answer.text.slice(0, 300)}`);
    return;
  }
  checkReadBalance(run, mainIndex, balance, '/v1/me');
}

async function readList(run: Run, mainIndex: number): Promise<void> {
  const main = run.model.mains[mainIndex]!;
  const answer = await read(
    run.cluster,
    `/v1/subaccount/list?apiKey=${encodeURIComponent(main.apiKey)}`,
    run.tally,
  );
  if (answer === null || answer.status === 503) return;
  const data = answer.json?.['data'];
  const balances = Array.isArray(data)
    ? data.map((item: { credits?: { balance?: unknown } }) =>
        typeof item.credits?.balance === 'string' ? microsOfText(item.credits.balance) : null,
      )
    : [];
  if (answer.status !== 200 || balances.length !== main.subaccounts.length || balances.includes(null)) {
    run.violations.push(
      `GET /v1/subaccount/list answered HTTP ${answer.status}: ${answer.text.slice(0, 300)}`,
    );
    return;
  }
  for (const balance of balances) checkReadBalance(run, mainIndex, balance!, '/v1/subaccount/list');
  checkReadBalance(
    run,
    mainIndex,
    balances.reduce((sum: bigint, balance) => sum + balance!, 0n),
    'the list total',
  );
}

function checkReadBalance(run: Run, mainIndex: number, micros: bigint, where: string): void {
  const ceiling = run.model.ceilings[mainIndex]!;
  if (micros < 0n || micros > ceiling) {
    run.violations.push(`${where} of main account ${mainIndex} read ${micros} µEUR, outside [0, ${ceiling}]`);
  }
}

async function cliVerify(databaseUrl: string): Promise<string[]> {
  const { exitCode, stdout } = await runCliVerify(databaseUrl);
  let ok = false;
  try {
    ok = (JSON.parse(stdout) as { ok?: unknown }).ok === true;
  } catch {
    ok = false;
  }
  return exitCode === 0 && ok ? [] : [`tirelire verify --json exited ${exitCode}: ${stdout.slice(0, 500)}`];
}

/** A run that killed nothing or moved nothing proves nothing: that is a failure too. */
function vacuity(run: Run): string[] {
  const problems: string[] = [];
  if (run.cluster.kills === 0) problems.push('no process was killed: the run is too short to prove anything');
  if (run.acknowledged.length === 0) problems.push('no transfer was acknowledged');
  return problems;
}

function report(
  options: BankOptions,
  run: Run,
  processes: number,
  transfersStored: number,
  keptDatabase: string | null,
): BankReport {
  return {
    engine: options.engine,
    seconds: options.seconds,
    processes,
    clients: options.clients,
    operations: run.operations,
    acknowledged: run.acknowledged.length,
    refused: run.refused,
    tally: run.tally,
    duplicates: run.duplicates,
    kills: run.cluster.kills,
    killsSurvived: run.cluster.killsSurvived,
    topUps: run.topUps,
    charges: run.charges,
    rules: run.rules,
    transfersStored,
    violations: run.violations,
    keptDatabase,
  };
}

/** The figures, one per line, as `npm run soak` prints them. */
export function formatReport(report: BankReport): string {
  const refused = Object.entries(report.refused)
    .map(([code, count]) => `code ${code}: ${count}`)
    .join(', ');
  const lines = [
    `bank test on ${report.engine}: ${report.processes} process(es), ${report.clients} clients, ${report.seconds} s`,
    `  operations ............ ${report.operations} (${report.duplicates} sent twice on purpose)`,
    `  acknowledged transfers  ${report.acknowledged} (${report.transfersStored} stored)`,
    `  refused ............... ${refused === '' ? 'none' : refused}`,
    `  attempts / retries .... ${report.tally.attempts} / ${report.tally.retries} (${report.tally.serverErrors} HTTP 500)`,
    `  answers lost .......... ${report.tally.inDoubt} in doubt (${report.tally.cut} hung up on by the client), ${report.tally.replaysAfterLoss} of them had committed and were replayed`,
    `  replayed answers ...... ${report.tally.replays}`,
    `  kills survived ........ ${report.killsSurvived} of ${report.kills} kill -9`,
    `  reads ................. ${report.tally.reads} (${report.tally.readsLost} lost to a kill)`,
    `  operator .............. ${report.topUps} top-ups, ${report.charges} charges`,
    `  balance rules ......... ${report.rules.autoTopUps} automatic top-ups, ${report.rules.capRefusals} charges over a cap refused (32), ${report.rules.leftBelow} left under the top-up threshold`,
    `  violations ............ ${report.violations.length}`,
  ];
  const shown = report.violations.slice(0, 30).map((violation) => `    - ${violation}`);
  if (report.violations.length > shown.length)
    shown.push(`    … and ${report.violations.length - shown.length} more`);
  if (report.keptDatabase !== null) shown.push(`  database kept for inspection: ${report.keptDatabase}`);
  return [...lines, ...shown].join('\n');
}
