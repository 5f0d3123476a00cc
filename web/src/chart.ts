import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatDateTime, formatDay, formatMoney, formatMoneyExact } from './format.js';
import type { Language } from './i18n.js';

/** What the balance chart draws; the view hands it to the chart's container as a property. */
export interface ChartSpec {
  /** When it changes the chart is drawn anew; otherwise it is left as the operator zoomed it. */
  readonly key: string;
  readonly xs: readonly number[];
  readonly ys: readonly number[];
  /** The exact balance of each point, shown on hover. */
  readonly labels: readonly string[];
  readonly language: Language;
  readonly seriesLabel: string;
  readonly dateLabel: string;
  /** The first second shown (a date range); undefined for every point. */
  readonly from: number | undefined;
  readonly to: number;
}

export interface ChartHost extends HTMLElement {
  chartSpec?: ChartSpec;
}

const HEIGHT = 260;
let current: { host: ChartHost; plot: uPlot; key: string; observer: ResizeObserver } | null = null;

/**
 * uPlot draws on a canvas outside lit-html's knowledge: after each render the
 * page calls this with the chart's container (or null when none is shown),
 * and the chart is created, redrawn or destroyed to match.
 */
export function syncChart(host: ChartHost | null): void {
  const spec = host?.chartSpec;
  if (current !== null && (host !== current.host || spec?.key !== current.key)) {
    current.observer.disconnect();
    current.plot.destroy();
    current = null;
  }
  if (host === null || spec === undefined || current !== null) return;
  const plot = new uPlot(options(spec, host.clientWidth), [[...spec.xs], [...spec.ys]], host);
  if (spec.from !== undefined) plot.setScale('x', { min: spec.from, max: spec.to });
  const observer = new ResizeObserver(() => plot.setSize({ width: host.clientWidth, height: HEIGHT }));
  observer.observe(host);
  current = { host, plot, key: spec.key, observer };
}

function options(spec: ChartSpec, width: number): uPlot.Options {
  const lang = spec.language;
  const grid = { show: true, stroke: '#e3e6ea', width: 1 };
  const hover = (index: number | null) => {
    const label = index === null ? undefined : spec.labels[index];
    if (label === undefined) return '—';
    const [shown, exact] = [formatMoney(label, lang), formatMoneyExact(label, lang)];
    return shown === exact ? shown : `${shown} (${exact})`;
  };
  return {
    width: Math.max(width, 200),
    height: HEIGHT,
    cursor: { drag: { x: true, y: false } },
    scales: { x: { time: true } },
    series: [
      {
        label: spec.dateLabel,
        value: (_plot, seconds) => (seconds == null ? '—' : formatDateTime(seconds * 1000, lang)),
      },
      {
        label: spec.seriesLabel,
        stroke: '#1f5fbf',
        fill: 'rgba(31, 95, 191, 0.08)',
        width: 2,
        paths: uPlot.paths.stepped!({ align: 1 }),
        points: { show: false },
        value: (_plot, _value, _series, index) => hover(index),
      },
    ],
    axes: [
      {
        grid,
        // A French or ISO day is ~80 px wide: room for it between two ticks.
        space: 110,
        values: (_plot, splits, _axis, _space, increment) =>
          splits.map((seconds) => axisTime(seconds, increment, lang)),
      },
      {
        grid,
        size: 80,
        // Tick positions are chart geometry, not amounts: two decimals of a pixel scale.
        values: (_plot, splits) => splits.map((euros) => formatMoney(euros.toFixed(2), lang)),
      },
    ],
  };
}

/** Days on a wide range; the hour too when the ticks are less than a day apart. */
function axisTime(seconds: number, increment: number, lang: Language): string {
  const date = new Date(seconds * 1000);
  const day = formatDay(date, lang);
  if (increment >= 86_400) return day;
  const time = `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
  return `${day}\n${time}`;
}
