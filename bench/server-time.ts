/**
 * The server's own time for each answer, read from its `/metrics`
 * (`tirelire_http_request_duration_seconds`: Fastify's `reply.elapsedTime`, from the request's
 * headers read to its answer written). The load generator times the same answers from the
 * request's send, so the difference is what a request waited before the server read it: in the
 * socket, in the kernel, for the event loop's turn. Target g prints both.
 */

const HISTOGRAM = 'tirelire_http_request_duration_seconds_bucket';
const LINE = new RegExp(`^${HISTOGRAM}\\{([^}]*)\\} (\\d+(?:\\.\\d+)?)$`, 'gm');
const LABEL = /(\w+)="([^"]*)"/g;

/** Cumulative counts by upper bound in seconds (`+Inf` last), per HTTP status, of one route and method. */
export type ServerTimes = ReadonlyMap<string, ReadonlyMap<number, number>>;

/** The duration histogram's buckets of `method route` in a Prometheus text, by status. */
export function serverTimesOf(text: string, method: string, route: string): ServerTimes {
  const byStatus = new Map<string, Map<number, number>>();
  for (const [, labelText, count] of text.matchAll(LINE)) {
    const labels = new Map([...labelText!.matchAll(LABEL)].map(([, name, value]) => [name!, value!]));
    if (labels.get('route') !== route || labels.get('method') !== method) continue;
    const status = labels.get('status');
    const le = labels.get('le');
    if (status === undefined || le === undefined) continue;
    const buckets = byStatus.get(status) ?? new Map<number, number>();
    buckets.set(le === '+Inf' ? Infinity : Number(le), Number(count));
    byStatus.set(status, buckets);
  }
  return byStatus;
}

/** What `after` counted that `before` had not (a histogram's counts only grow). */
export function serverTimesBetween(before: ServerTimes, after: ServerTimes): ServerTimes {
  const between = new Map<string, Map<number, number>>();
  for (const [status, buckets] of after) {
    const earlier = before.get(status);
    between.set(status, new Map([...buckets].map(([le, count]) => [le, count - (earlier?.get(le) ?? 0)])));
  }
  return between;
}

/** How many answers of `status` the buckets hold. */
export function answersOf(times: ServerTimes, status: string): number {
  return times.get(status)?.get(Infinity) ?? 0;
}

/**
 * The bound of the first bucket holding the `quantile` of the answers of `status`, in ms: the
 * quantile is at most that. Infinity when it is past the last finite bound; null with no answer.
 */
export function quantileBoundMs(times: ServerTimes, status: string, quantile: number): number | null {
  const buckets = times.get(status);
  const total = answersOf(times, status);
  if (buckets === undefined || total === 0) return null;
  const wanted = quantile * total;
  for (const [le, count] of [...buckets].sort(([a], [b]) => a - b)) {
    if (count >= wanted) return le * 1000;
  }
  return Infinity;
}

/** GET `/metrics` of a server; null when it does not answer 200 within `timeoutMs`. */
export async function readServerTimes(
  baseUrl: string,
  method: string,
  route: string,
  timeoutMs = 5_000,
): Promise<ServerTimes | null> {
  try {
    const response = await fetch(new URL('/metrics', baseUrl), { signal: AbortSignal.timeout(timeoutMs) });
    if (response.status !== 200) return null;
    return serverTimesOf(await response.text(), method, route);
  } catch {
    return null;
  }
}

/** One status's answers as the server timed them: how many, and the bounds of their p50 and p99. */
export interface ServerTimeFigures {
  readonly answers: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
}

/** The figures of each of `statuses` between two readings (a missing reading gives none). */
export function serverTimeFigures(
  before: ServerTimes | null,
  after: ServerTimes | null,
  statuses: readonly string[],
): Readonly<Record<string, ServerTimeFigures>> | undefined {
  if (before === null || after === null) return undefined;
  const between = serverTimesBetween(before, after);
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        answers: answersOf(between, status),
        p50Ms: quantileBoundMs(between, status, 0.5),
        p99Ms: quantileBoundMs(between, status, 0.99),
      },
    ]),
  );
}
