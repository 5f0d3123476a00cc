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

/**
 * µs of the whole machine's CPU per transfer (server, load generator, every
 * other process), or null when the run measured no CPU (the server's is the
 * one a measured run always has).
 */
export function machineMicros(transfersPerSecond: number | undefined, figures: CpuFigures): number | null {
  if (figures.serverCpuPercent === undefined) return null;
  const percent =
    figures.serverCpuPercent + (figures.loadGeneratorCpuPercent ?? 0) + (figures.otherCpuPercent ?? 0);
  return microsPerTransfer(transfersPerSecond, percent);
}
