import type { Registry } from 'prom-client';

/**
 * A counter and a histogram for the per-request metrics, registered in a
 * prom-client Registry and written by it in the same exposition format as its
 * own. prom-client hashes the label set on every observation (even through
 * `labels()`): about 15 µs of the event loop per request under
 * `npm run bench` (--cpu-prof). Here each series is resolved once by the
 * caller and an observation is a few additions.
 */
type Labels = Readonly<Record<string, string | number>>;

interface Value {
  readonly labels: Labels;
  readonly sharedLabels: Labels;
  readonly value: number;
  readonly metricName: string;
}

abstract class Series<S> {
  private readonly byId = new Map<string, { readonly labels: Labels; readonly state: S }>();
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    registry: Registry,
  ) {
    // The Registry only reads name, help, type, aggregator, get() and reset() of a metric.
    registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  /** The series of `labels`, made on first use; `id` must name the label values. */
  series(id: string, labels: () => Labels): S {
    let found = this.byId.get(id);
    if (found === undefined) {
      found = { labels: labels(), state: this.fresh() };
      this.byId.set(id, found);
    }
    return found.state;
  }

  reset(): void {
    this.byId.clear();
  }

  async get() {
    const values: Value[] = [];
    for (const { labels, state } of this.byId.values()) values.push(...this.values(labels, state));
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  abstract readonly type: 'counter' | 'histogram';
  protected abstract fresh(): S;
  protected abstract values(labels: Labels, state: S): Value[];
}

export class CounterSeries extends Series<{ value: number }> {
  readonly type = 'counter';

  protected fresh() {
    return { value: 0 };
  }

  protected values(labels: Labels, state: { value: number }): Value[] {
    return [{ labels, sharedLabels: {}, value: state.value, metricName: this.name }];
  }
}

export class HistogramState {
  sum = 0;
  count = 0;
  readonly counts: number[];

  constructor(private readonly bounds: readonly number[]) {
    this.counts = bounds.map(() => 0);
  }

  observe(value: number): void {
    this.sum += value;
    this.count += 1;
    // A loop, not findIndex: no closure per request.
    for (let bucket = 0; bucket < this.bounds.length; bucket += 1) {
      if (value <= this.bounds[bucket]!) {
        this.counts[bucket]! += 1;
        return;
      }
    }
  }
}

export class HistogramSeries extends Series<HistogramState> {
  readonly type = 'histogram';

  constructor(
    name: string,
    help: string,
    registry: Registry,
    private readonly bounds: readonly number[],
  ) {
    super(name, help, registry);
  }

  protected fresh() {
    return new HistogramState(this.bounds);
  }

  /** As prom-client's Histogram writes them: cumulative buckets, +Inf, sum and count. */
  protected values(labels: Labels, state: HistogramState): Value[] {
    let cumulative = 0;
    const bucket = `${this.name}_bucket`;
    const values: Value[] = this.bounds.map((bound, index) => {
      cumulative += state.counts[index]!;
      return { labels: { le: bound }, sharedLabels: labels, value: cumulative, metricName: bucket };
    });
    values.push(
      { labels: { le: '+Inf' }, sharedLabels: labels, value: state.count, metricName: bucket },
      { labels: {}, sharedLabels: labels, value: state.sum, metricName: `${this.name}_sum` },
      { labels: {}, sharedLabels: labels, value: state.count, metricName: `${this.name}_count` },
    );
    return values;
  }
}
