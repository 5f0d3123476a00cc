import { median, runLoad, type LoadOptions } from './load.js';
import { machineBusySeconds } from './server-process.js';

/**
 * Step s of `npm run bench`: the servers of a, b, c, d and f up at once, the load switched
 * from one to the next every few seconds, so that each ratio is taken between windows a few
 * seconds apart. These VMs run at full or half speed in phases of about a minute (docs/
 * benchmarks.md): a run of one target after the other puts c and f minutes apart, and a ratio
 * between them then says more about the phases than about the servers. Here a cycle gives
 * every server one window, in an order that turns by one each cycle; a ratio is taken per
 * cycle, and its median over the cycles is the figure.
 */

/** One server of the step, already started and warmed up. */
export interface Contender extends Pick<
  LoadOptions,
  'baseUrl' | 'connections' | 'nextRequest' | 'countTransfers'
> {
  readonly id: string;
}

/** A window's lead-in, measured seconds and drain (load.ts); `cycles` of them per contender. */
export interface AlternationOptions extends Required<
  Pick<LoadOptions, 'seconds' | 'leadInSeconds' | 'drainSeconds'>
> {
  readonly cycles: number;
}

/** One contender's window. */
export interface LoadWindow {
  readonly id: string;
  readonly cycle: number;
  readonly transfersPerSecond: number;
  readonly p99Ms: number;
  /** The whole machine's CPU µs per transfer of the window, or null when nothing was acknowledged. */
  readonly machineMicros: number | null;
  /** Transfers acknowledged in the window, its lead-in and its drain (for the balance check). */
  readonly acknowledged: number;
  readonly unanswered: number;
  readonly non2xx: number;
}

/** Whether a ledger moved by what its load acknowledged (run.ts checks each target and each contender). */
export interface BalanceCheck {
  readonly check: 'PASS' | 'FAIL' | 'n/a';
  readonly detail: string;
}

/** What step s measured: its windows, the contenders it could not start, each one's balance check. */
export interface SideBySideResult {
  readonly windows: readonly LoadWindow[];
  readonly unavailable: readonly { readonly id: string; readonly reason: string }[];
  readonly balances: readonly (BalanceCheck & { readonly id: string })[];
}

/** A ratio of two contenders over the cycles where both were measured. */
export interface CycleRatio {
  readonly top: string;
  readonly bottom: string;
  readonly perCycle: readonly number[];
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** The order of cycle `cycle` (0-based): the contenders turned by one per cycle. */
export function orderOf<T>(contenders: readonly T[], cycle: number): T[] {
  const shift = cycle % Math.max(1, contenders.length);
  return [...contenders.slice(shift), ...contenders.slice(0, shift)];
}

/** Loads each contender in turn, `cycles` times, and gives each window's figures. */
export async function alternate(
  contenders: readonly Contender[],
  options: AlternationOptions,
): Promise<LoadWindow[]> {
  const windows: LoadWindow[] = [];
  for (let cycle = 0; cycle < options.cycles; cycle += 1) {
    for (const contender of orderOf(contenders, cycle)) {
      let busyAtStart = 0;
      const started = setTimeout(() => (busyAtStart = machineBusySeconds()), options.leadInSeconds * 1000);
      let busyAtDeadline = 0;
      const ended = setTimeout(
        () => (busyAtDeadline = machineBusySeconds()),
        (options.leadInSeconds + options.seconds) * 1000,
      );
      const load = await runLoad({
        ...contender,
        seconds: options.seconds,
        leadInSeconds: options.leadInSeconds,
        drainSeconds: options.drainSeconds,
      });
      clearTimeout(started);
      clearTimeout(ended);
      windows.push({
        id: contender.id,
        cycle,
        transfersPerSecond: load.transfersPerSecond,
        p99Ms: load.latencyMs.p99,
        machineMicros:
          load.transfersInWindow > 0 && busyAtDeadline > 0
            ? ((busyAtDeadline - busyAtStart) / load.transfersInWindow) * 1e6
            : null,
        acknowledged: load.transfersAcknowledged,
        unanswered: load.unanswered,
        non2xx: load.responsesNon2xx,
      });
    }
  }
  return windows;
}

/** top/bottom per cycle where both had a window with transfers, with their median and range. */
export function cycleRatio(windows: readonly LoadWindow[], top: string, bottom: string): CycleRatio | null {
  const cycles = [...new Set(windows.map((w) => w.cycle))].sort((x, y) => x - y);
  const perCycle = cycles.flatMap((cycle) => {
    const over = windows.find((w) => w.cycle === cycle && w.id === top)?.transfersPerSecond;
    const under = windows.find((w) => w.cycle === cycle && w.id === bottom)?.transfersPerSecond;
    return over === undefined || under === undefined || under <= 0 ? [] : [over / under];
  });
  if (perCycle.length === 0) return null;
  return {
    top,
    bottom,
    perCycle,
    median: median(perCycle),
    min: Math.min(...perCycle),
    max: Math.max(...perCycle),
  };
}

/** The median of one figure of a contender's windows, or null when it has none. */
export function medianOf(
  windows: readonly LoadWindow[],
  id: string,
  figure: (window: LoadWindow) => number | null,
): number | null {
  const values = windows
    .filter((w) => w.id === id)
    .flatMap((w) => {
      const value = figure(w);
      return value === null ? [] : [value];
    });
  return values.length === 0 ? null : median(values);
}

/** The ratios of issue 18 step s can take (f/a reported, the others targets). */
export const SIDE_BY_SIDE_RATIOS: readonly (readonly [string, string])[] = [
  ['c', 'f'],
  ['d', 'f'],
  ['d', 'b'],
  ['f', 'a'],
];

export function printSideBySide(result: SideBySideResult, seconds: number): void {
  const ids = [...new Set(result.windows.map((w) => w.id))];
  const cycles = new Set(result.windows.map((w) => w.cycle)).size;
  console.log(
    `\ns: ${ids.join(', ')} up at once, the load switched from one to the next: ${cycles} cycles of ` +
      `${seconds} s windows, the order turned by one each cycle`,
  );
  for (const id of ids) {
    const own = result.windows.filter((w) => w.id === id);
    const middle = (figure: (w: LoadWindow) => number | null, digits: number) =>
      medianOf(result.windows, id, figure)?.toFixed(digits) ?? '-';
    const non2xx = own.reduce((sum, w) => sum + w.non2xx, 0);
    console.log(
      `  ${id}: ${own.map((w) => w.transfersPerSecond.toFixed(0)).join(', ')} transfers/s ` +
        `(median ${middle((w) => w.transfersPerSecond, 0)}), p99 median ${middle((w) => w.p99Ms, 1)} ms, ` +
        `machine CPU µs per transfer median ${middle((w) => w.machineMicros, 1)}` +
        (non2xx > 0 ? `, ${non2xx} non-2xx` : ''),
    );
  }
  for (const [top, bottom] of SIDE_BY_SIDE_RATIOS) {
    const ratio = cycleRatio(result.windows, top, bottom);
    if (ratio === null) continue;
    console.log(
      `  ${`${top}/${bottom}`.padEnd(4)} per cycle ${ratio.perCycle.map((r) => r.toFixed(2)).join(', ')}: ` +
        `median ${ratio.median.toFixed(2)} (${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)})`,
    );
  }
  for (const { id, reason } of result.unavailable) console.log(`  ${id}: not available: ${reason}`);
  for (const balance of result.balances)
    console.log(`  s ${balance.id}: balance ${balance.check}: ${balance.detail}`);
}
