import { micros } from './format.js';

export interface BalancePoint {
  /** Milliseconds since the epoch. */
  readonly at: number;
  /** Balance in micro-euros, read exactly from the API's decimal text. */
  readonly micros: bigint;
  /** The API's exact text, shown on hover. */
  readonly label: string;
}

/**
 * The balance after each movement, oldest first, from movements in the API's
 * order (newest first); movements that did not touch the plotted balance are
 * skipped. Movements within one millisecond keep the API's order, reversed.
 */
export function balancePoints(
  transfers: readonly { createdAt: string; balanceAfter: string | null }[],
): BalancePoint[] {
  const points: BalancePoint[] = [];
  for (const transfer of [...transfers].reverse()) {
    if (transfer.balanceAfter === null) continue;
    const value = micros(transfer.balanceAfter);
    const at = Date.parse(transfer.createdAt);
    if (value === null || Number.isNaN(at)) continue;
    points.push({ at, micros: value, label: transfer.balanceAfter });
  }
  return points.sort((a, b) => a.at - b.at);
}

/** The chart's date ranges: the latest days, or every movement loaded. */
export const CHART_RANGES = ['7d', '30d', '90d', 'all'] as const;
export type ChartRange = (typeof CHART_RANGES)[number];

const DAY_MS = 86_400_000;

/** The first moment a range shows, counted back from `now`; undefined for everything. */
export function rangeStart(range: ChartRange, now: number): number | undefined {
  const days = { '7d': 7, '30d': 30, '90d': 90, all: undefined }[range];
  return days === undefined ? undefined : now - days * DAY_MS;
}

/**
 * The step line's columns for uPlot: x is time in seconds, so a burst of
 * movements takes the width of its minutes and the rest of the history keeps
 * its place; y is euros as a number, used only to place pixels (the legend
 * shows the exact text of `labels`). The balance holds until `now`, so the
 * line reaches the right edge.
 */
export function chartColumns(points: readonly BalancePoint[], now: number) {
  const xs = points.map((point) => point.at / 1000);
  const ys = points.map((point) => Number(point.micros) / 1_000_000);
  const labels = points.map((point) => point.label);
  const last = points[points.length - 1];
  if (last !== undefined && now > last.at) {
    xs.push(now / 1000);
    ys.push(ys[ys.length - 1]!);
    labels.push(last.label);
  }
  return { xs, ys, labels };
}
