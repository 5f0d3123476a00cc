/**
 * CPU per transfer, from the CPU percentages a run measures over its load
 * window (100 % = one core): what `npm run bench` prints against issue 18's
 * target and what `npm run bench:ab` compares between two builds.
 */
export interface CpuFigures {
  readonly serverCpuPercent?: number | undefined;
  /** The server's main thread (its event loop) alone. */
  readonly eventLoopCpuPercent?: number | undefined;
  readonly loadGeneratorCpuPercent?: number | undefined;
  /** Every other process meanwhile (PostgreSQL included). */
  readonly otherCpuPercent?: number | undefined;
}

/** µs of CPU per transfer of the load window, from a CPU percentage of that window. */
export function microsPerTransfer(
  transfersPerSecond: number | undefined,
  percent: number | undefined,
): number | null {
  if (transfersPerSecond === undefined || transfersPerSecond <= 0 || percent === undefined) return null;
  return (percent / 100 / transfersPerSecond) * 1e6;
}

/** The whole machine: server, load generator and every other process. */
export function machinePercent(figures: CpuFigures): number {
  return (
    (figures.serverCpuPercent ?? 0) + (figures.loadGeneratorCpuPercent ?? 0) + (figures.otherCpuPercent ?? 0)
  );
}
