import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import { CreditQueue } from './app/credit-queue.js';
import { startHoldExpirySweeper } from './app/hold-expiry-sweeper.js';
import { startIdempotencySweeper } from './app/idempotency-sweeper.js';
import { DeliveryWorker } from './app/webhooks/delivery-worker.js';
import { packageVersion, readConfig, type WebhookSettings } from './config.js';
import type { Store } from './domain/store.js';
import { DEFAULT_RETRY_SCHEDULE_MS } from './domain/webhooks.js';
import { setHeapGrowth } from './heap-growth.js';
import { buildApp, type AppOptions } from './http/app.js';
import { createMetrics } from './http/metrics.js';
import { openLimitsRedis } from './http/rate-limit-redis.js';
import { locateDatabase, openStore } from './store/open-store.js';

export interface ServerOptions {
  /** Each option falls back to its environment variable (src/config.ts), then to the default. */
  readonly host?: string | undefined;
  readonly port?: number | undefined;
  readonly databaseUrl?: string | undefined;
  readonly logLevel?: string | undefined;
  /** A store the caller opened, used instead of the one DATABASE_URL names; closed with the server. */
  readonly store?: Store | undefined;
  /** Close cleanly on SIGTERM and SIGINT (true by default). */
  readonly handleSignals?: boolean | undefined;
  /** The readable start-up line on stderr (true by default). */
  readonly banner?: boolean | undefined;
}

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly store: Store;
  /** e.g. `http://127.0.0.1:8080`, with the real port when 0 was asked for. */
  readonly url: string;
  close(): Promise<void>;
}

/** What wireApp needs besides the store: the app's own options, and how many writes may wait. */
export type WireOptions = Omit<AppOptions, 'creditQueue' | 'metrics' | 'webhooks'> & {
  /** Credit commands that may wait for group commit (config WRITE_QUEUE_MAX). */
  readonly writeQueueMax?: number | undefined;
  /** How long the oldest credit command may wait for the store (config WRITE_QUEUE_MAX_WAIT_MS). */
  readonly writeQueueMaxWaitMs?: number | undefined;
  /** WEBHOOK_ALLOW_PRIVATE and WEBHOOK_RETRY_SCHEDULE; absent: private targets refused, the contract's schedule. */
  readonly webhooks?: WebhookSettings | undefined;
  /** Run the webhook delivery worker with the app (startServer does; most HTTP tests do not). */
  readonly deliverWebhooks?: boolean | undefined;
  /** How often expired holds are swept for hold.expired (HOLD_SWEEP_INTERVAL_MS by default; tests go faster). */
  readonly holdSweepIntervalMs?: number | undefined;
};

/**
 * The app and the parts it runs with: its metrics, the group-commit queue
 * reporting to them, the idempotency and hold expiry sweepers and, when
 * asked, the webhook delivery worker, stopped when the app closes. startServer and the tests
 * (test/helpers/http-fixture.ts) build every app through it.
 */
export function wireApp(options: WireOptions): FastifyInstance {
  const {
    store,
    writeQueueMax,
    writeQueueMaxWaitMs,
    webhooks,
    deliverWebhooks,
    holdSweepIntervalMs,
    ...appOptions
  } = options;
  const allowPrivate = webhooks?.allowPrivate ?? false;
  const metrics = createMetrics(store);
  const creditQueue = new CreditQueue(store, {
    maxPending: writeQueueMax,
    maxWaitMs: writeQueueMaxWaitMs,
    observer: metrics.creditQueue,
  });
  const app = buildApp({ ...appOptions, store, creditQueue, metrics, webhooks: { allowPrivate } });
  const stopSweeper = startIdempotencySweeper(store, (error) =>
    app.log.warn({ err: error }, 'idempotency sweep failed'),
  );
  const stopHoldSweeper = startHoldExpirySweeper(
    store,
    (error) => app.log.warn({ err: error }, 'hold expiry sweep failed'),
    holdSweepIntervalMs,
  );
  app.addHook('onClose', async () => {
    stopSweeper();
    await stopHoldSweeper();
  });
  if (deliverWebhooks === true) wireDeliveryWorker(app, store, webhooks, metrics);
  return app;
}

/**
 * The worker delivers from this process. Every answered write (any method
 * but GET and HEAD, refused ones included: a refusal may write a notice)
 * nudges it, so a quiet system delivers an event milliseconds after its
 * commit; it stops when the app closes, before the store does.
 */
function wireDeliveryWorker(
  app: FastifyInstance,
  store: Store,
  settings: WebhookSettings | undefined,
  metrics: ReturnType<typeof createMetrics>,
): void {
  const worker = new DeliveryWorker({
    store,
    allowPrivate: settings?.allowPrivate ?? false,
    retryScheduleMs: settings?.retryScheduleMs ?? DEFAULT_RETRY_SCHEDULE_MS,
    observer: metrics.webhooks,
    log: app.log,
  });
  app.addHook('onResponse', (request, _reply, done) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') worker.nudge();
    done();
  });
  app.addHook('onReady', async () => worker.start());
  app.addHook('onClose', async () => worker.stop());
}

/** The one place that wires configuration → store → queue and sweeper → app → listen. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const config = readConfig();
  // Before the writer thread starts: the flag is the process's.
  setHeapGrowth(config.heapGrowingPercent);
  const databaseUrl = options.databaseUrl ?? config.databaseUrl;
  const store =
    options.store ??
    (await openStore({
      databaseUrl,
      poolMax: config.pgPoolMax,
      silentAfterMs: config.pgSilentAfterMs,
      writeQueueMax: config.writeQueueMax,
    }));
  const redis = config.redisUrl === undefined ? undefined : openLimitsRedis(config.redisUrl);
  const app = wireApp({
    store,
    logger: { level: options.logLevel ?? config.logLevel },
    adminToken: config.adminToken,
    abuseLimits: { ...config.abuseLimits, redis },
    requestTimeoutMs: config.requestTimeoutMs,
    trustProxy: config.trustProxy,
    writeQueueMax: config.writeQueueMax,
    writeQueueMaxWaitMs: config.writeQueueMaxWaitMs,
    eventLoopDelayMaxMs: config.eventLoopDelayMaxMs,
    webhooks: config.webhooks,
    deliverWebhooks: true,
  });
  const release = once(async () => {
    await store.close();
    redis?.disconnect();
  });
  let url: string;
  try {
    url = await app.listen({ host: options.host ?? config.host, port: options.port ?? config.port });
  } catch (error) {
    await release();
    throw error;
  }
  // A stable line that scripts and the black-box tests wait for.
  app.log.info({ url, store: store.engine }, 'tirelire listening');
  // LOG_LEVEL=silent asks for nothing on the terminal: the banner too.
  if ((options.banner ?? true) && config.logLevel !== 'silent') {
    const database = options.store === undefined ? locateDatabase(databaseUrl).label : store.engine;
    process.stderr.write(startupBanner({ url, database, adminToken: config.adminToken }));
  }
  let releaseSignals = (): void => undefined;
  const close = once(async () => {
    // Closed by its owner (tests), the server no longer holds the process's signals.
    releaseSignals();
    // Fastify waits for requests in flight (and so for their commits) before the store goes.
    await app.close();
    await release();
  });
  if (options.handleSignals ?? true) releaseSignals = closeOnSignals(app, close);
  return { app, store, url, close };
}

/**
 * The one readable line a person starting the server looks for, besides the
 * JSON log on stdout: where it listens, which database (PostgreSQL's password
 * redacted), where the console and the docs are; and a warning when the
 * operator API is shut for want of a token.
 */
export function startupBanner(input: {
  readonly url: string;
  readonly database: string;
  readonly adminToken: string | undefined;
}): string {
  const { url, database, adminToken } = input;
  const line = `tirelire ${packageVersion()} listening on ${url} — store ${database} — console ${url}/console/ — docs ${url}/docs\n`;
  if (adminToken !== undefined && adminToken !== '') return line;
  return `${line}tirelire: warning: TIRELIRE_ADMIN_TOKEN is unset: the operator API and the console refuse everyone (code 29)\n`;
}

/**
 * SIGTERM or SIGINT (or a crash: an uncaught exception or rejection) closes
 * the server gracefully through close-with-grace: Fastify stops accepting,
 * answers the requests in flight (so their group commits finish), stops the
 * sweepers and the webhook worker, then the store closes; exit 0 (1 after a
 * crash). A second signal, or a close that takes longer than the grace
 * period, exits 1 at once: the ledger is durable without a clean close.
 */
function closeOnSignals(app: FastifyInstance, close: () => Promise<void>): () => void {
  const handlers = closeWithGrace(
    {
      delay: SHUTDOWN_GRACE_MS,
      skip: SIGNALS_LEFT_ALONE,
      logger: { error: (message: unknown) => app.log.error({ err: message }, 'shutdown') },
    },
    async ({ signal, err }) => {
      if (err !== undefined) app.log.error({ err }, 'crashed: closing');
      else app.log.info({ signal }, 'closing');
      await close();
    },
  );
  return handlers.uninstall;
}

/** How long in-flight requests may take to finish after SIGTERM before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 10_000;

/** Only SIGTERM and SIGINT ask for a clean stop; the others keep Node's own behaviour. */
const SIGNALS_LEFT_ALONE: closeWithGrace.AllEvents[] = [
  'SIGHUP',
  'SIGQUIT',
  'SIGILL',
  'SIGTRAP',
  'SIGABRT',
  'SIGBUS',
  'SIGFPE',
  'SIGSEGV',
  'SIGUSR2',
  'beforeExit',
];

function once(action: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= action());
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  startServer().catch((error: unknown) => {
    console.error(`tirelire: cannot start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
