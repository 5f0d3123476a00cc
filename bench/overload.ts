import { readFileSync } from 'node:fs';
import { positiveNumber } from './env.js';
import type { LoadResult } from './load.js';
import type { ServerTimeFigures } from './server-time.js';
import { atLeast, atMost, type Verdict } from './verdict.js';

/**
 * Target g: c's server (SQLite, `node dist/main.js`) sent more than it can take. 2,048
 * connections, each sending its next request as soon as its answer comes, 503 or not: the
 * harshest client there is (it ignores Retry-After), and the load generator the other targets
 * use, so g and c are measured by the same tool in the same run. (autocannon's `overallRate`
 * sends each connection's share in a burst at the top of every second: not an open loop.)
 */
export const OVERLOAD_CONNECTIONS = positiveNumber('BENCH_OVERLOAD_CONNECTIONS', 2048);
export const OVERLOAD_SECONDS = positiveNumber('BENCH_OVERLOAD_SECONDS', 20);

/** Issue 18, "Overload". */
export const OVERLOAD_TARGETS = {
  acceptedP99Ms: 100,
  /** "Within a few ms." */
  refusedP99Ms: 10,
  rssMb: 300,
  acceptedOverC: 0.8,
};

/** Descriptors the load generator and the server (which inherits the limit) need besides the sockets. */
const SPARE_DESCRIPTORS = 256;

/** Why g cannot run here, or null: one socket per connection on each side, within `ulimit -n`. */
export function overloadUnavailable(): string | null {
  const limits = readFileSync('/proc/self/limits', 'utf8');
  const soft = Number(/^Max open files\s+(\d+)/m.exec(limits)?.[1] ?? Infinity);
  const needed = OVERLOAD_CONNECTIONS + SPARE_DESCRIPTORS;
  return soft >= needed
    ? null
    : `ulimit -n is ${soft}, g needs ${needed} (run \`ulimit -n ${needed}\` in the shell first)`;
}

export interface OverloadFigures {
  readonly load: LoadResult;
  readonly peakRssMb: number | undefined;
  /** c's transfers/s in the same run, when measured. */
  readonly cPerSecond: number | undefined;
  /** The server's own time for its answers (its /metrics), by status; undefined when not read. */
  readonly serverTimes: Readonly<Record<string, ServerTimeFigures>> | undefined;
}

function ratioToC(figures: OverloadFigures): number | null {
  const c = figures.cPerSecond;
  return c === undefined || c <= 0 ? null : figures.load.transfersPerSecond / c;
}

export function overloadVerdicts(figures: OverloadFigures | undefined): Verdict[] {
  if (figures === undefined) return [];
  const { load } = figures;
  return [
    atMost('g accepted p99 ms', load.latencyMsByStatus['200']?.p99 ?? null, OVERLOAD_TARGETS.acceptedP99Ms),
    atMost('g 503 p99 ms', load.latencyMsByStatus['503']?.p99 ?? null, OVERLOAD_TARGETS.refusedP99Ms),
    atMost('peak RSS MB (g)', figures.peakRssMb ?? null, OVERLOAD_TARGETS.rssMb),
    atLeast('g/c accepted', ratioToC(figures), OVERLOAD_TARGETS.acceptedOverC),
    atMost('g 503 malformed', load.malformedRefusals, 0),
  ];
}

export function printOverload(figures: OverloadFigures | undefined): void {
  if (figures === undefined) return;
  const { load } = figures;
  const refused = load.statusCounts['503'] ?? 0;
  const share = load.responses === 0 ? 0 : (100 * refused) / load.responses;
  const accepted = load.latencyMsByStatus['200'];
  const refusal = load.latencyMsByStatus['503'];
  const ms = (value: number | undefined) => (value === undefined ? '-' : value.toFixed(1));
  const ratio = ratioToC(figures);
  console.log(
    `\ng: ${OVERLOAD_CONNECTIONS} connections for ${OVERLOAD_SECONDS} s: ` +
      `${load.transfersPerSecond.toFixed(0)} accepted transfers/s` +
      `${ratio === null ? '' : ` (g/c ${ratio.toFixed(2)})`}, ${share.toFixed(1)} % answered 503 ` +
      `(${load.malformedRefusals} without Retry-After or the contract's body)`,
  );
  console.log(
    `  accepted p50 ${ms(accepted?.p50)} ms, p99 ${ms(accepted?.p99)} ms; ` +
      `503 p50 ${ms(refusal?.p50)} ms, p99 ${ms(refusal?.p99)} ms; peak RSS ${ms(figures.peakRssMb)} MB`,
  );
  printServerTimes(figures.serverTimes);
}

/**
 * The server's own time (from the request's headers read to its answer written), as bucket
 * bounds: what the load generator's latencies hold beyond it waited before the server read them.
 */
function printServerTimes(times: OverloadFigures['serverTimes']): void {
  if (times === undefined) {
    console.log("  the server's own time: not read (its /metrics did not answer)");
    return;
  }
  const bound = (value: number | null | undefined) =>
    value === null || value === undefined ? '-' : value === Infinity ? '> 5000' : `≤ ${value}`;
  const part = (label: string, status: string) => {
    const figures = times[status];
    return `${label} p50 ${bound(figures?.p50Ms)} ms, p99 ${bound(figures?.p99Ms)} ms (${figures?.answers ?? 0})`;
  };
  console.log(
    `  the server's own time (its /metrics, lead-in included): ${part('accepted', '200')}; ${part('503', '503')}`,
  );
}
