import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { positiveNumber } from './env.js';
import { categoryOf, parsePerfScript, type Sample } from './on-cpu-samples.js';
import { BENCH_BUILD_DIR, LATEST_RESULTS, RESULTS_DIR, ROOT } from './paths.js';

/**
 * `npm run bench:oncpu`: where a target's CPU goes, in µs per transfer, from
 * Linux's `perf` sampling on-CPU time (`perf record -g`, the servers started
 * with `--perf-basic-prof` so that JIT frames have names). V8's own profiler
 * (`--cpu-prof`) samples by the clock: a thread waiting for a core, or a call
 * that wakes another process, is counted where it waits, and on two shared
 * cores that moved whole shares (docs/benchmarks.md). Here a sample is taken
 * only while a thread runs.
 *
 * It runs `bench/run.ts` for one target (BENCH_ONCPU_TARGET, c by default),
 * records every core (`perf record -a`) for BENCH_ONCPU_SECONDS in the middle
 * of the load, and prints the CPU of each of the server's threads, of the
 * load generator (bench/run.ts's own process) and of every other process
 * (PostgreSQL for b and d), by what it was doing: the first category found
 * from the sampled frame up its stack. The µs are per transfer at the run's
 * own rate (transfers/s over its whole measured window, from latest.json).
 * Needs `perf` (Debian's linux-perf) and the right to use it (root, or
 * `kernel.perf_event_paranoid` ≤ -1).
 */
const TARGET = process.env['BENCH_ONCPU_TARGET'] ?? 'c';
const SECONDS = positiveNumber('BENCH_ONCPU_SECONDS', 5);
const FREQUENCY = positiveNumber('BENCH_ONCPU_FREQUENCY', 999);
/** Seconds from the server's start to the recording: the seeding is before, the warm-up (2 s) within. */
const DELAY_SECONDS = positiveNumber('BENCH_ONCPU_DELAY', 4);
const DATA = join(RESULTS_DIR, 'on-cpu.perf.data');
/** With BENCH_ONCPU_LEAVES=N, each part also lists the N frames it was sampled in most. */
const LEAVES = Number(process.env['BENCH_ONCPU_LEAVES'] ?? 0);
/** Processes under this many µs per transfer are summed as one line; categories under half of it are left out. */
const SMALLEST_MICROS = 0.5;
/** The servers bench/run.ts starts: Tirelire's dist/main.js, or one of the bench's own (a, b, f). */
const SERVER_SCRIPT = /dist\/main\.js|-server\.js/;

function fail(message: string): never {
  console.error(`bench:oncpu: ${message}`);
  process.exit(2);
}

function perfWorks(): boolean {
  return spawnSync('perf', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** The pid of a child of `parent` whose command line matches `pattern`, or null. */
function childWith(parent: number, pattern: RegExp): number | null {
  const tasks = join('/proc', String(parent), 'task');
  if (!existsSync(tasks)) return null;
  for (const task of readdirSync(tasks)) {
    let children: string;
    try {
      children = readFileSync(join(tasks, task, 'children'), 'utf8');
    } catch {
      continue;
    }
    for (const pid of children.split(' ').filter((p) => p !== '')) {
      try {
        if (pattern.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))) return Number(pid);
      } catch {
        // gone already
      }
    }
  }
  return null;
}

async function record(): Promise<{ server: number; generator: number }> {
  // The load generator runs in bench/run.ts's own process: its JIT frames need names too.
  const run = spawn(process.execPath, ['--perf-basic-prof', join(BENCH_BUILD_DIR, 'run.js')], {
    cwd: ROOT,
    env: {
      ...process.env,
      BENCH_TARGETS: TARGET,
      BENCH_SERVER_NODE_ARGS: `${process.env['BENCH_SERVER_NODE_ARGS'] ?? ''} --perf-basic-prof`.trim(),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const ended = new Promise<number | null>((resolve) => run.once('exit', resolve));
  const generator = run.pid!;
  let server: number | null = null;
  while (server === null) {
    if (run.exitCode !== null) fail(`bench/run.js ended (${run.exitCode}) before its server was seen`);
    await sleep(50);
    server = childWith(generator, SERVER_SCRIPT);
  }
  await sleep(DELAY_SECONDS * 1000);
  const perf = spawnSync(
    'perf',
    ['record', '-F', String(FREQUENCY), '-g', '-a', '-o', DATA, '--', 'sleep', String(SECONDS)],
    { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' },
  );
  if (perf.status !== 0) {
    run.kill();
    fail(`perf record failed: ${perf.stderr}`);
  }
  if ((await ended) !== 0) fail('bench/run.js failed');
  return { server, generator };
}

function readSamples(): Sample[] {
  const script = spawnSync('perf', ['script', '-i', DATA, '-F', 'comm,pid,tid,ip,sym,dso'], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  if (script.status !== 0) fail('perf script failed');
  return parsePerfScript(script.stdout);
}

interface Processes {
  readonly server: number;
  readonly generator: number;
  /** The server's threads that ran the SQLite writer (credit-worker.js). */
  readonly writerThreads: ReadonlySet<number>;
}

/** Who a sample's thread is: the server's event loop, its SQLite writer, its other threads, the load generator, another process. */
function roleOf(sample: Sample, processes: Processes): string {
  if (sample.pid === processes.generator) return 'load generator (this process, all threads)';
  if (sample.pid !== processes.server) return `other processes: ${sample.command}`;
  if (sample.tid === processes.server) return "server's event loop";
  return processes.writerThreads.has(sample.tid) ? 'SQLite writer thread' : 'server, other threads';
}

function transfersPerSecond(): number {
  const output = JSON.parse(readFileSync(LATEST_RESULTS, 'utf8')) as {
    results: { id: string; load?: { transfersPerSecond: number } }[];
  };
  const rate = output.results.find((r) => r.id === TARGET)?.load?.transfersPerSecond;
  if (rate === undefined || rate <= 0) fail(`${TARGET} was not measured`);
  return rate;
}

function print(samples: readonly Sample[], pids: { server: number; generator: number }, rate: number): void {
  const writerThreads = new Set(
    samples.filter((s) => s.frames.some((f) => f.includes('credit-worker.js'))).map((s) => s.tid),
  );
  const processes: Processes = { ...pids, writerThreads };
  const microsPerSample = 1e6 / FREQUENCY / SECONDS / rate;
  const byRole = new Map<string, Sample[]>();
  for (const sample of samples) {
    const role = roleOf(sample, processes);
    const of = byRole.get(role) ?? [];
    of.push(sample);
    byRole.set(role, of);
  }
  console.log(
    `\non-CPU, ${TARGET} at ${rate.toFixed(0)} transfers/s, ${samples.length} samples at ${FREQUENCY} Hz over ${SECONDS} s: ` +
      `${(samples.length * microsPerSample).toFixed(1)} µs of the machine's CPU per transfer`,
  );
  let rest = 0;
  for (const [name, of] of [...byRole].sort((a, b) => b[1].length - a[1].length)) {
    const micros = of.length * microsPerSample;
    if (micros < SMALLEST_MICROS) {
      rest += micros;
      continue;
    }
    console.log(`\n  ${name}: ${micros.toFixed(1)} µs per transfer`);
    printCounts(
      counted(of, (sample) => categoryOf(sample.frames)),
      microsPerSample,
      Infinity,
    );
    if (LEAVES > 0) {
      console.log(`    its ${LEAVES} most sampled frames:`);
      printCounts(
        counted(of, (sample) => sample.frames[0] ?? '(none)'),
        microsPerSample,
        LEAVES,
      );
    }
  }
  console.log(
    `\n  every other process, each under ${SMALLEST_MICROS} µs: ${rest.toFixed(1)} µs per transfer`,
  );
}

function counted(samples: readonly Sample[], key: (sample: Sample) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const sample of samples) {
    const name = key(sample);
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

function printCounts(counts: Map<string, number>, microsPerSample: number, most: number): void {
  const sorted = [...counts].sort((a, b) => b[1] - a[1]).slice(0, most);
  for (const [name, count] of sorted) {
    const micros = count * microsPerSample;
    if (micros < SMALLEST_MICROS / 2) continue;
    console.log(`    ${micros.toFixed(1).padStart(6)} µs  ${name.slice(0, 140)}`);
  }
}

/**
 * `--perf-basic-prof` leaves a map of JIT symbols per process in /tmp, and
 * V8 a log per isolate (the event loop's, the writer thread's) in the
 * working directory, ROOT: both go.
 */
function removeLeftovers(pids: { server: number; generator: number }): void {
  for (const pid of [pids.server, pids.generator]) {
    rmSync(`/tmp/perf-${pid}.map`, { force: true });
    for (const name of readdirSync(ROOT)) {
      if (name.startsWith('isolate-') && name.endsWith(`-${pid}-v8.log`))
        rmSync(join(ROOT, name), { force: true });
    }
  }
}

async function main(): Promise<void> {
  if (!perfWorks()) fail('perf is not installed (apt-get install linux-perf)');
  const pids = await record();
  const samples = readSamples();
  removeLeftovers(pids);
  rmSync(DATA, { force: true });
  print(samples, pids, transfersPerSecond());
}

await main();
