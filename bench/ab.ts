import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { machineMicros, microsPerTransfer, type CpuFigures } from './cpu.js';
import { positiveNumber } from './env.js';
import { median } from './load.js';
import { BENCH_BUILD_DIR, LATEST_RESULTS, ROOT } from './paths.js';

/**
 * `npm run bench:ab`: one target of `npm run bench` against two builds, alternated, so that
 * the machine's drift (the same build's c ranged 4,666–8,572/s over one day on one VM) falls
 * on both alike. BENCH_AB_BASE is another checkout, built (`npm run build` there): the
 * "before"; this checkout is the "after". Each round runs the target on both, in an order
 * that flips every round (AB, BA, AB, …), each run the `bench/run.ts` of its own checkout
 * (built there by `npm run bench:ab` or `npm run bench`), so each build seeds, serves and
 * verifies its own ledger, and a change of schema is compared as it ships; then after/before
 * per round, and their median with the range.
 */
const BASE = process.env['BENCH_AB_BASE'];
const TARGET = process.env['BENCH_AB_TARGET'] ?? 'c';
const ROUNDS = positiveNumber('BENCH_AB_ROUNDS', 4);
const TIRELIRE_TARGETS = ['c', 'd', 'e', 'g', 'm', 'n'];

interface Run {
  readonly transfersPerSecond: number;
  readonly p99Ms: number;
  readonly peakRssMb: number | undefined;
  /** CPU µs per transfer: the whole machine's, the server's, its event loop's (null: not measured). */
  readonly machineMicros: number | null;
  readonly serverMicros: number | null;
  readonly eventLoopMicros: number | null;
}

interface Round {
  readonly before: Run;
  readonly after: Run;
}

function fail(message: string): never {
  console.error(`bench:ab: ${message}`);
  process.exit(2);
}

/** `root`'s own `bench/run.ts` of TARGET alone; its figures from its latest.json. */
function runOnce(root: string): Run {
  const child = spawnSync(process.execPath, [benchRunOf(root)], {
    cwd: root,
    env: { ...process.env, BENCH_TARGETS: TARGET },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (child.status !== 0) fail(`the run on ${root} ended with status ${child.status}`);
  const output = JSON.parse(readFileSync(samePlaceUnder(root, LATEST_RESULTS), 'utf8')) as {
    results: (CpuFigures & {
      id: string;
      status: string;
      reason?: string;
      load?: { transfersPerSecond: number; latencyMs: { p99: number } };
      peakRssMb?: number;
      balance?: { check: string; detail: string };
    })[];
  };
  const result = output.results.find((r) => r.id === TARGET);
  if (result?.load === undefined)
    fail(`${TARGET} was not measured on ${root}: ${result?.reason ?? 'no result'}`);
  if (result.balance !== undefined && result.balance.check !== 'PASS')
    fail(`${TARGET}'s balance check failed on ${root}: ${result.balance.detail}`);
  const rate = result.load.transfersPerSecond;
  return {
    transfersPerSecond: rate,
    p99Ms: result.load.latencyMs.p99,
    peakRssMb: result.peakRssMb,
    machineMicros: machineMicros(rate, result),
    serverMicros: microsPerTransfer(rate, result.serverCpuPercent),
    eventLoopMicros: microsPerTransfer(rate, result.eventLoopCpuPercent),
  };
}

/** The compiled run.ts of the checkout at `root`. */
function benchRunOf(root: string): string {
  return samePlaceUnder(root, join(BENCH_BUILD_DIR, 'run.js'));
}

/** `path`, a path under this checkout, at the same place under the checkout `to`. */
function samePlaceUnder(to: string, path: string): string {
  return join(to, path.slice(ROOT.length));
}

function describe(run: Run): string {
  const rss = run.peakRssMb === undefined ? '-' : run.peakRssMb.toFixed(0);
  const micros = (value: number | null) => (value === null ? '-' : value.toFixed(1)).padStart(6);
  return (
    `${run.transfersPerSecond.toFixed(0).padStart(7)}/s p99 ${run.p99Ms.toFixed(1).padStart(6)} ms RSS ${rss.padStart(4)} MB ` +
    `CPU µs ${micros(run.machineMicros)} (server ${micros(run.serverMicros)}, loop ${micros(run.eventLoopMicros)})`
  );
}

/** after/before of one figure over the rounds where both were measured: its median and range. */
function summary(rounds: readonly Round[], figure: (run: Run) => number | null): string {
  const ratios = rounds.flatMap((r) => {
    const [after, before] = [figure(r.after), figure(r.before)];
    return after === null || before === null || before <= 0 ? [] : [after / before];
  });
  if (ratios.length === 0) return 'not measured';
  return `median ${median(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`;
}

function main(): void {
  if (BASE === undefined || BASE === '') fail('set BENCH_AB_BASE to the checkout to compare with (built)');
  const before = resolve(BASE);
  if (!existsSync(join(before, 'dist', 'main.js')) || !existsSync(benchRunOf(before)))
    fail(`${before} is not built: run npm run build && tsc -p bench/tsconfig.json there`);
  if (!TIRELIRE_TARGETS.includes(TARGET))
    fail(`BENCH_AB_TARGET must be one of ${TIRELIRE_TARGETS.join(', ')}`);
  console.log(`bench:ab: target ${TARGET}, ${ROUNDS} rounds; before ${before}, after ${ROOT}`);
  const rounds: Round[] = [];
  for (let round = 1; round <= ROUNDS; round += 1) {
    const beforeFirst = round % 2 === 1;
    const first = runOnce(beforeFirst ? before : ROOT);
    const second = runOnce(beforeFirst ? ROOT : before);
    const measured = beforeFirst ? { before: first, after: second } : { before: second, after: first };
    rounds.push(measured);
    const ratio = measured.after.transfersPerSecond / measured.before.transfersPerSecond;
    console.log(
      `round ${round} (${beforeFirst ? 'before first' : 'after first '}): before ${describe(measured.before)} | ` +
        `after ${describe(measured.after)} | after/before ${ratio.toFixed(2)}`,
    );
  }
  console.log(`after/before, ${TARGET}'s transfers/s: ${summary(rounds, (run) => run.transfersPerSecond)}`);
  console.log(`  p99: ${summary(rounds, (run) => run.p99Ms)}`);
  console.log(
    `  CPU µs per transfer (lower is cheaper): machine ${summary(rounds, (run) => run.machineMicros)}; ` +
      `server ${summary(rounds, (run) => run.serverMicros)}; event loop ${summary(rounds, (run) => run.eventLoopMicros)}`,
  );
}

main();
