import { collectDefaultMetrics, type Counter, type Registry as RegistryType } from 'prom-client';
import { Registry } from 'prom-client';

/**
 * The process's metrics (CPU, memory, event loop), one registry for the
 * whole process, started when the first app is built rather than on the
 * first scrape: prom-client counts CPU from when it starts and samples the
 * event loop from then on, so started on the first scrape that scrape read
 * a CPU of about 0 and an event-loop minimum that was the empty histogram's
 * sentinel (9.2e9 s).
 */
let shared: RegistryType | undefined;

export function processRegistry(prefix: string): RegistryType {
  if (shared === undefined) shared = startProcessMetrics(prefix);
  return shared;
}

/** The event-loop delay statistics prom-client reads from one histogram, reset at each scrape. */
const EVENT_LOOP_STATS = ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99'];
/** An empty histogram's minimum, in seconds (2^63 ns): no sample was taken since the last scrape. */
const NO_SAMPLE_S = 9e9;

function startProcessMetrics(prefix: string): RegistryType {
  const registry = new Registry();
  const before = process.cpuUsage();
  collectDefaultMetrics({ register: registry, prefix });
  // prom-client counts from its start; what ran before (imports, migrations) counts too,
  // so that the counters are the process's CPU time, as their name says.
  const add = (name: string, seconds: number) =>
    (registry.getSingleMetric(`${prefix}${name}`) as Counter | undefined)?.inc(seconds);
  add('process_cpu_user_seconds_total', before.user / 1e6);
  add('process_cpu_system_seconds_total', before.system / 1e6);
  add('process_cpu_seconds_total', (before.user + before.system) / 1e6);
  hideEmptyEventLoopStats(registry, prefix);
  return registry;
}

/**
 * Two scrapes closer than the sampling period (10 ms) find the histogram
 * empty: its statistics are then left out of that scrape instead of showing
 * the sentinel, a NaN mean and zero percentiles. prom-client has no option
 * for it, so each statistic's get() is wrapped; the minimum is set with the
 * others before any of them is read (by the lag gauge's collect).
 */
function hideEmptyEventLoopStats(registry: RegistryType, prefix: string): void {
  const min = registry.getSingleMetric(`${prefix}nodejs_eventloop_lag_min_seconds`);
  if (min === undefined) return;
  const readMin = min.get.bind(min);
  for (const stat of EVENT_LOOP_STATS) {
    const metric = registry.getSingleMetric(`${prefix}nodejs_eventloop_lag_${stat}_seconds`);
    if (metric === undefined) continue;
    const get = metric.get.bind(metric);
    metric.get = async () => {
      const [read, minimum] = await Promise.all([get(), readMin()]);
      const empty = minimum.values.some((sample) => sample.value >= NO_SAMPLE_S);
      return (empty ? { ...read, values: [] } : read) as Awaited<ReturnType<typeof get>>;
    };
  }
}
