import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { answerText } from './answer-bytes.js';
import { LedgerGauges } from './ledger-gauges.js';
import { CounterSeries, HistogramSeries } from './metric-series.js';
import { processRegistry } from './process-metrics.js';
import { OverloadError, StoreUnavailableError, type Store } from '../domain/store.js';
import type { CreditQueueObserver } from '../app/credit-queue.js';
import type { DeliveryObserver } from '../app/webhooks/delivery-worker.js';

const METRICS_PATH = '/metrics';
const PREFIX = 'tirelire_';

/**
 * Routes that move money: their answers are counted by outcome code. Labels
 * are the route template and the code, both from closed sets (the routes
 * below, the error table), so no request can add a series.
 */
const TRANSFER_ROUTES = new Set([
  '/v1/subaccount/credit/add',
  '/v1/subaccount/credit/remove',
  '/v1/subaccount/credit/batch',
  '/v1/subaccount/create',
  '/admin/v1/accounts',
  '/admin/v1/accounts/:id/topup',
  '/admin/v1/accounts/:id/charge',
  '/v1/subaccount/delete',
  '/admin/v1/accounts/:id/subaccounts/:token/close',
  '/admin/v1/accounts/:id/holds',
  '/admin/v1/holds/:holdId/capture',
  '/admin/v1/holds/:holdId/void',
]);

/** Our serializer writes `success` then `code` first, so the outcome is read without parsing the body. */
const ENVELOPE_CODE = /^\{"success":(?:true|false),"code":(\d{1,3})[,}]/;
/** Enough of an answer's first bytes for ENVELOPE_CODE: `{"success":false,"code":123,`. */
const ENVELOPE_HEAD_BYTES = 32;

export interface Metrics {
  readonly registry: Registry;
  /** Handed to the CreditQueue: group-commit batch sizes and timings. */
  readonly creditQueue: CreditQueueObserver;
  /** Handed to the webhook delivery worker: events, attempts by outcome, delivery lag. */
  readonly webhooks: DeliveryObserver;
  /** The Prometheus text: the process's metrics, this app's, and the ledger's (cached: ledger-gauges.ts). */
  scrape(): Promise<string>;
}

/**
 * The metrics of one app, in a registry of its own (tests build many apps in
 * one process); the process metrics (CPU, memory, event loop) are one shared
 * registry, started with the first app (process-metrics.ts).
 */
export function createMetrics(store: Store): Metrics {
  const processMetrics = processRegistry(PREFIX);
  const ledger = new LedgerGauges(store, PREFIX);
  const registry = new Registry();
  const latency = new HistogramSeries(
    `${PREFIX}http_request_duration_seconds`,
    'Time from request to answer, by route template, method and HTTP status.',
    registry,
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  );
  const transfers = new CounterSeries(
    `${PREFIX}transfer_requests_total`,
    'Answers of the routes that move money, by route and outcome code (200 or the error code).',
    registry,
  );
  const storeErrors = new Counter({
    name: `${PREFIX}store_errors_total`,
    help: 'Requests that failed on the store: overload (refused to bound the waits, 503), unavailable (503) or another fault (500).',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const batchSize = new Histogram({
    name: `${PREFIX}credit_batch_size`,
    help: 'Commands carried by one group-commit transaction.',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    registers: [registry],
  });
  const batchDuration = new Histogram({
    name: `${PREFIX}credit_batch_duration_seconds`,
    help: 'Time of one group-commit transaction, commit included.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  const batchFailures = new Counter({
    name: `${PREFIX}credit_batch_failures_total`,
    help: 'Group-commit transactions that threw (every command of the batch failed).',
    registers: [registry],
  });
  new Gauge({
    name: `${PREFIX}store_pool_connections`,
    help: 'Database pool connections by state (PostgreSQL only): total, idle, and waiting requests.',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const stats = store.poolStats?.();
      if (stats === undefined) return;
      this.set({ state: 'total' }, stats.total);
      this.set({ state: 'idle' }, stats.idle);
      this.set({ state: 'waiting' }, stats.waiting);
    },
  });
  const webhooks = webhookMetrics(store, registry);
  const hooks = { latency, transfers, storeErrors };
  metricHooks.set(registry, hooks);
  return {
    registry,
    creditQueue: {
      batchCommitted(size, durationMs) {
        batchSize.observe(size);
        batchDuration.observe(durationMs / 1000);
      },
      batchFailed(size, durationMs) {
        batchSize.observe(size);
        batchDuration.observe(durationMs / 1000);
        batchFailures.inc();
      },
    },
    webhooks,
    async scrape() {
      const [own, app, figures] = await Promise.all([
        processMetrics.metrics(),
        registry.metrics(),
        ledger.text(),
      ]);
      return `${own}\n${app}\n${figures}`;
    },
  };
}

/**
 * Events and deliveries. Events are counted as this process's fan-out takes
 * them (each event once, by one process); on SQLite the fan-out does not run
 * while no endpoint is enabled, so the events written are
 * `ledger_events_total` (ledger-gauges.ts). The backlog is read from the
 * store at scrape.
 */
function webhookMetrics(store: Store, registry: Registry): DeliveryObserver {
  const events = new Counter({
    name: `${PREFIX}events_total`,
    help: "Events this process's webhook fan-out took (sum over processes); the events written are tirelire_ledger_events_total.",
    registers: [registry],
  });
  const attempts = new Counter({
    name: `${PREFIX}webhook_attempts_total`,
    help: 'Webhook delivery attempts by outcome: delivered (2xx), retrying (failed, a retry is due), failed (failed, no retry left).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const lag = new Histogram({
    name: `${PREFIX}webhook_delivery_lag_seconds`,
    help: "Time from an event's commit to its 2xx from an endpoint.",
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 7200],
    registers: [registry],
  });
  new Gauge({
    name: `${PREFIX}webhook_backlog`,
    help: 'What waits: events not yet handed to the endpoints, deliveries not yet done (retries included).',
    labelNames: ['kind'] as const,
    registers: [registry],
    async collect() {
      // A store out of reach leaves the gauge as it was: /metrics still answers.
      const backlog = await store.webhookBacklog().catch(() => null);
      if (backlog === null) return;
      this.set({ kind: 'events' }, backlog.events);
      this.set({ kind: 'deliveries' }, backlog.deliveries);
    },
  });
  for (const outcome of ['delivered', 'retrying', 'failed']) attempts.inc({ outcome }, 0);
  return {
    eventsHandedOut(count) {
      events.inc(count);
    },
    attempted(outcome, lagMs) {
      attempts.inc({ outcome });
      if (lagMs !== null) lag.observe(lagMs / 1000);
    },
  };
}

type Hooks = {
  readonly latency: HistogramSeries;
  readonly transfers: CounterSeries;
  readonly storeErrors: Counter<'kind'>;
};
const metricHooks = new WeakMap<Registry, Hooks>();

/**
 * GET /metrics and the hooks that feed it. /metrics is open, like /healthz:
 * it exposes counts and timings per route, never a key, an email or an
 * account. Where the port is reachable from outside, keep /metrics off the
 * public proxy (docs/operators.md).
 */
export function registerMetrics(app: FastifyInstance, metrics: Metrics): void {
  const hooks = metricHooks.get(metrics.registry)!;
  // Callback hooks (no promise per request); the series of each route, method and status is
  // resolved once (metric-series.ts), so an observation is a map lookup and a bucket increment.
  app.addHook('onSend', (request: FastifyRequest, _reply: FastifyReply, payload: unknown, done) => {
    const route = request.routeOptions.url;
    if (route !== undefined && TRANSFER_ROUTES.has(route) && request.method === 'POST') {
      const head = answerText(payload, ENVELOPE_HEAD_BYTES) ?? '';
      const code = ENVELOPE_CODE.exec(head)?.[1] ?? 'other';
      hooks.transfers.series(`${route} ${code}`, () => ({ route, code })).value += 1;
    }
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const { method } = request;
    const status = reply.statusCode;
    hooks.latency
      .series(`${route} ${method} ${status}`, () => ({ route, method, status }))
      .observe(reply.elapsedTime / 1000);
    done();
  });
  app.addHook('onError', (_request, _reply, error, done) => {
    if (error instanceof OverloadError) hooks.storeErrors.inc({ kind: 'overload' });
    else if (error instanceof StoreUnavailableError) hooks.storeErrors.inc({ kind: 'unavailable' });
    else if (isFault(error)) hooks.storeErrors.inc({ kind: 'fault' });
    done();
  });
  app.get(METRICS_PATH, async (_request, reply) =>
    reply.type('text/plain; version=0.0.4; charset=utf-8').send(await metrics.scrape()),
  );
}

/** Fastify's own request errors (4xx) are the client's; anything else is a fault. */
function isFault(error: unknown): boolean {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return !(typeof status === 'number' && status >= 400 && status < 500) && !isApiError(error);
}

function isApiError(error: unknown): boolean {
  return error instanceof Error && error.name === 'ApiError';
}
