import { svg } from 'lit-html';
import type { SVGTemplateResult } from 'lit-html';
import { parseAmount } from '../../src/domain/money.js';

export interface BalancePoint {
  readonly at: number;
  /** Balance in micro-euros, read exactly from the API's decimal text. */
  readonly micros: bigint;
  readonly label: string;
}

export interface ChartBox {
  readonly width: number;
  readonly height: number;
  readonly padding: number;
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
    const micros = balanceMicros(transfer.balanceAfter);
    const at = Date.parse(transfer.createdAt);
    if (micros === null || Number.isNaN(at)) continue;
    points.push({ at, micros, label: transfer.balanceAfter });
  }
  return points.sort((a, b) => a.at - b.at);
}

function balanceMicros(text: string): bigint | null {
  // parseAmount is the ledger's one parser; it calls zero "not positive", which for a balance is just 0.
  const parsed = parseAmount(text);
  if (parsed.kind === 'positive') return parsed.micros;
  if (parsed.kind === 'not-positive' && !text.startsWith('-')) return 0n;
  return null;
}

/**
 * Screen coordinates of a step line: a balance holds until the next movement.
 * Numbers only appear here, as pixel positions, after the exact values are known.
 */
export function stepPath(points: readonly BalancePoint[], box: ChartBox): string {
  if (points.length === 0) return '';
  const first = points[0]!.at;
  const span = Math.max(points[points.length - 1]!.at - first, 1);
  const top = points.reduce((max, point) => (point.micros > max ? point.micros : max), 0n);
  const innerWidth = box.width - 2 * box.padding;
  const innerHeight = box.height - 2 * box.padding;
  const x = (at: number) =>
    box.padding + (points.length === 1 ? innerWidth : ((at - first) / span) * innerWidth);
  const y = (micros: bigint) =>
    box.padding + innerHeight - (top === 0n ? 0 : Number((micros * 10_000n) / top) / 10_000) * innerHeight;
  const parts = [`M${box.padding.toFixed(1)},${y(points[0]!.micros).toFixed(1)}`];
  for (const point of points) {
    parts.push(`H${x(point.at).toFixed(1)}`, `V${y(point.micros).toFixed(1)}`);
  }
  return parts.join(' ');
}

export function chartSvg(points: readonly BalancePoint[], box: ChartBox, title: string): SVGTemplateResult {
  // Words and figures go in the HTML beside the chart, where they keep their size on a phone;
  // with no text inside, the drawing may stretch to any width (the line keeps its stroke width).
  const bottom = box.height - box.padding;
  return svg`<svg class="chart" viewBox="0 0 ${box.width} ${box.height}" role="img" aria-label=${title}
    preserveAspectRatio="none">
    <line class="axis" x1=${box.padding} y1=${bottom} x2=${box.width - box.padding} y2=${bottom}></line>
    <line class="axis" x1=${box.padding} y1=${box.padding} x2=${box.padding} y2=${bottom}></line>
    <path class="line" d=${stepPath(points, box)}></path>
  </svg>`;
}

/** The largest balance plotted, for the chart's legend. */
export function highest(points: readonly BalancePoint[]): BalancePoint | undefined {
  return points.reduce<BalancePoint | undefined>(
    (max, point) => (max === undefined || point.micros > max.micros ? point : max),
    undefined,
  );
}
