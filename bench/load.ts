import autocannon from 'autocannon';

/** One request of the load: a POST of a JSON body, built fresh for each request. */
export interface LoadRequest {
  readonly path: string;
  readonly body: string;
  /** Sent besides `content-type` (e.g. an `idempotency-key`). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface LoadOptions {
  readonly baseUrl: string;
  readonly connections: number;
  readonly seconds: number;
  /**
   * Seconds of load on the same connections before the measured `seconds` (0 by default): what
   * is answered then counts for the balance, not for the figures. Target g's warm-up, so that
   * its 2,048 connections are opened once, outside the measured window.
   */
  readonly leadInSeconds?: number;
  /** Seconds of the drain after the deadline (DRAIN_SECONDS by default). */
  readonly drainSeconds?: number;
  /** Builds the next request; called once per request, so it can rotate over subaccounts. */
  readonly nextRequest: () => LoadRequest;
  /** The transfers a 2xx answer acknowledges (one for credit/add, a batch's successes) and refuses. */
  readonly countTransfers: (body: string) => { readonly ok: number; readonly refused: number };
}

export interface LoadResult {
  readonly seconds: number;
  /** Money-moving requests written before the deadline. */
  readonly requestsIssued: number;
  readonly responses: number;
  /** 2xx answers. */
  readonly responses2xx: number;
  readonly responsesNon2xx: number;
  readonly statusCounts: Readonly<Record<string, number>>;
  /** Transfers acknowledged as successful by answers received before the deadline. */
  readonly transfersInWindow: number;
  /** Transfers acknowledged as successful by every answer, including those of the drain. */
  readonly transfersAcknowledged: number;
  /** Operations answered without success (e.g. success:false in a 2xx body). */
  readonly operationsRefused: number;
  /** Requests issued that never got an answer: their outcome is unknown. */
  readonly unanswered: number;
  readonly socketErrors: number;
  readonly timeouts: number;
  readonly latencyMs: Latency;
  /** The same, per HTTP status of the answer: accepted (200) and refused (503) apart under overload. */
  readonly latencyMsByStatus: Readonly<Record<string, Latency>>;
  /** 503 answers without Retry-After or without the contract's body (`"success":false,"code":503`). */
  readonly malformedRefusals: number;
  readonly transfersPerSecond: number;
}

export interface Latency {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

// After the deadline every connection switches to this cheap request, so that the money-moving
// requests still in flight are answered and counted instead of being cut off with their
// sockets: the balance check can then be exact.
const DRAIN_PATH = '/healthz';
const DRAIN_SECONDS = 2;

interface RequestContext {
  transfer?: boolean;
  /** Issued after the lead-in: its answer counts in the figures. */
  measured?: boolean;
}

/**
 * Runs autocannon in this process for `seconds`, then drains. Latency is that of the
 * money-moving requests only, measured by autocannon per request.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const leadInSeconds = options.leadInSeconds ?? 0;
  const windowStart = performance.now() + leadInSeconds * 1000;
  const deadline = windowStart + options.seconds * 1000;
  let issued = 0;
  let responses = 0;
  let responses2xx = 0;
  let inWindow = 0;
  let acknowledged = 0;
  let refused = 0;
  let malformedRefusals = 0;
  const statusCounts: Record<string, number> = {};
  const latencies: Record<string, number[]> = {};
  // Set by onResponse and read by the tracker's 'response' event, which autocannon emits
  // synchronously right after it, for the same answer.
  let lastWasTransfer = false;
  let lastMeasured = false;
  let lastStatus = 0;

  const request: autocannon.Request = {
    method: 'POST',
    path: DRAIN_PATH,
    setupRequest: (base: autocannon.Request, context: object) => {
      const state = context as RequestContext;
      const now = performance.now();
      if (now >= deadline) {
        state.transfer = false;
        return { ...base, method: 'GET', path: DRAIN_PATH, body: '', headers: {} };
      }
      state.transfer = true;
      state.measured = now >= windowStart;
      issued += 1;
      const next = options.nextRequest();
      return {
        ...base,
        method: 'POST',
        path: next.path,
        body: next.body,
        headers: { 'content-type': 'application/json', ...next.headers },
      };
    },
    onResponse: (status: number, body: string, context: object, headers?: Record<string, unknown>) => {
      const state = context as RequestContext;
      lastWasTransfer = state.transfer === true;
      lastMeasured = state.measured === true;
      lastStatus = status;
      if (!lastWasTransfer) return;
      responses += 1;
      if (lastMeasured) {
        statusCounts[status] = (statusCounts[status] ?? 0) + 1;
        if (status === 503 && !isContractRefusal(body, headers)) malformedRefusals += 1;
      }
      if (status < 200 || status >= 300) return;
      responses2xx += 1;
      const transfers = options.countTransfers(body);
      acknowledged += transfers.ok;
      refused += transfers.refused;
      const now = performance.now();
      if (now >= windowStart && now <= deadline) inWindow += transfers.ok;
    },
  } as autocannon.Request;

  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const tracker = autocannon(
      {
        url: options.baseUrl,
        connections: options.connections,
        pipelining: 1,
        duration: leadInSeconds + options.seconds + (options.drainSeconds ?? DRAIN_SECONDS),
        requests: [request],
      },
      (error: Error | null, value: autocannon.Result) => (error ? reject(error) : resolve(value)),
    );
    tracker.on('response', (_client: unknown, _status: number, _bytes: number, responseTimeMs: number) => {
      if (lastWasTransfer && lastMeasured) (latencies[lastStatus] ??= []).push(responseTimeMs);
    });
  });

  const all = Object.values(latencies).flat();
  return {
    seconds: options.seconds,
    requestsIssued: issued,
    responses,
    responses2xx,
    responsesNon2xx: responses - responses2xx,
    statusCounts,
    transfersInWindow: inWindow,
    transfersAcknowledged: acknowledged,
    operationsRefused: refused,
    unanswered: issued - responses,
    socketErrors: result.errors,
    timeouts: result.timeouts,
    latencyMs: latencyOf(all),
    latencyMsByStatus: Object.fromEntries(
      Object.entries(latencies).map(([status, values]) => [status, latencyOf(values)]),
    ),
    malformedRefusals,
    transfersPerSecond: inWindow / options.seconds,
  };
}

function latencyOf(values: number[]): Latency {
  values.sort((a, b) => a - b);
  return { p50: percentile(values, 0.5), p99: percentile(values, 0.99), max: values.at(-1) ?? 0 };
}

/** The contract's 503: Retry-After, and the error body of code 503. */
function isContractRefusal(body: string, headers: Record<string, unknown> | undefined): boolean {
  const retryAfter = headers?.['retry-after'] ?? headers?.['Retry-After'];
  return retryAfter !== undefined && /^\{"success":false,"code":503,"message":"/.test(body);
}

/** The median of values in any order (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The q-quantile of ascending values (nearest rank), 0 when there are none. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}
