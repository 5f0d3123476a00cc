import { fastify } from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { Socket } from 'node:net';
import type { Store } from '../domain/store.js';
import type { CreditQueue } from '../app/credit-queue.js';
import { registerAdminRoutes } from './admin/admin-routes.js';
import { registerAnswerFormats } from './answer-format.js';
import { registerBatchRoute } from './batch.js';
import { registerBodyParsers } from './body.js';
import { registerConsoleRoutes } from './console.js';
import { DEFAULT_BODY_LIMIT_BYTES } from './bounds.js';
import { registerCreditRoutes } from './credit.js';
import { handleError, sendError } from './errors.js';
import { errorMessage } from '../domain/errors.js';
import { registerHealthRoutes } from './health.js';
import { registerIndexRoute } from './index-route.js';
import { serializeJson } from './json.js';
import { ConciseLogController, buildLogger, requestIdOf } from './logging.js';
import type { LoggerOptions } from './logging.js';
import { registerMeRoutes } from './me.js';
import { registerEventRoutes } from './events.js';
import { registerWebhookRoutes } from './webhooks.js';
import { registerMetrics, type Metrics } from './metrics.js';
import { registerOpenApi } from './openapi.js';
import { registerOverloadShedding } from './overload.js';
import { notFoundLimit, registerAbuseLimits } from './rate-limit.js';
import type { AbuseLimits } from './rate-limit.js';
import { registerRulesRoutes } from './rules.js';
import { registerSubaccountDeleteRoutes } from './subaccount-delete.js';
import { registerSubaccountRoutes } from './subaccounts.js';
import { registerTransferHistoryRoutes } from './transfers.js';

/** The parts main.ts wires (wireApp): the app only uses them. */
export interface AppOptions {
  readonly store: Store;
  /** Group commit of credit/add and credit/remove. */
  readonly creditQueue: CreditQueue;
  /** This app's registry; the credit queue reports to it too. */
  readonly metrics: Metrics;
  /** false: no logs (the default); true: JSON lines on stdout; or a level and a destination. */
  readonly logger?: boolean | LoggerOptions | undefined;
  readonly bodyLimitBytes?: number | undefined;
  /** TIRELIRE_ADMIN_TOKEN: the operator API's bearer token; unset or empty turns /admin/v1 off (code 29). */
  readonly adminToken?: string | undefined;
  /** Per-key rate limit and wrong-key throttling (rate-limit.ts); none when absent. */
  readonly abuseLimits?: AbuseLimits | undefined;
  /** Time a client has to send a whole request (headers and body); 0 or absent: Node's defaults. */
  readonly requestTimeoutMs?: number | undefined;
  /** TIRELIRE_TRUST_PROXY: whose X-Forwarded-For gives the client's address (logs, throttling); none when absent. */
  readonly trustProxy?: boolean | string | undefined;
  /** EVENT_LOOP_DELAY_MAX_MS: every request gets 503 while the event loop lags past it; 0 or absent: off. */
  readonly eventLoopDelayMaxMs?: number | undefined;
  /** WEBHOOK_ALLOW_PRIVATE: endpoints may be registered on private addresses; refused when absent. */
  readonly webhooks?: { readonly allowPrivate: boolean } | undefined;
}

/** The HTTP API over a store. The caller owns the store and the queue: closing the app closes neither. */
export function buildApp(options: AppOptions): FastifyInstance {
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const app = fastify({
    ...loggerOption(options.logger),
    bodyLimit,
    ...timeoutOptions(options.requestTimeoutMs),
    genReqId: requestIdOf,
    trustProxy: options.trustProxy ?? false,
    logController: new ConciseLogController(),
    clientErrorHandler: answerClientError,
    // A URL Fastify cannot route is a 404 like any unknown route, in JSON.
    frameworkErrors: (_error, request, reply) => sendError(request, reply, 404),
  }) as unknown as FastifyInstance;
  app.setReplySerializer(serializeJson);
  // Callback hooks, not async ones: no promise and no extra microtask on every request.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  app.setErrorHandler(handleError);
  // Before the routes' own hooks and the body: a refusal under overload costs the least.
  registerOverloadShedding(app, options.eventLoopDelayMaxMs ?? 0);
  // The limiter hooks each route added once it is loaded: the routes come in app.after below.
  if (options.abuseLimits !== undefined) registerAbuseLimits(app, options.abuseLimits);
  // The document lists the routes added after it; the metrics hooks see every request.
  registerOpenApi(app);
  registerMetrics(app, options.metrics);
  registerBodyParsers(app, bodyLimit);
  // After the metrics (their onSend reads the JSON answer) and the body's own checks.
  registerAnswerFormats(app);
  app.after(() => registerRoutes(app, options));
  return app;
}

function registerRoutes(app: FastifyInstance, options: AppOptions): void {
  const preHandler = notFoundLimit(app, options.abuseLimits);
  app.setNotFoundHandler(preHandler === undefined ? {} : { preHandler }, (request, reply) =>
    sendError(request, reply, 404),
  );
  registerIndexRoute(app);
  registerHealthRoutes(app, options.store);
  registerCreditRoutes(app, options.creditQueue);
  registerBatchRoute(app, options.store);
  registerSubaccountRoutes(app, options.store);
  registerSubaccountDeleteRoutes(app, options.store);
  registerRulesRoutes(app, options.store);
  registerTransferHistoryRoutes(app, options.store);
  registerMeRoutes(app, options.store);
  const webhooks = { allowPrivate: options.webhooks?.allowPrivate ?? false };
  registerEventRoutes(app, options.store);
  registerWebhookRoutes(app, options.store, webhooks);
  registerAdminRoutes(app, { store: options.store, adminToken: options.adminToken, webhooks });
  registerConsoleRoutes(app);
}

function loggerOption(logger: AppOptions['logger']) {
  if (logger === undefined || logger === false) return { logger: false };
  return { loggerInstance: buildLogger(logger === true ? {} : logger) };
}

/**
 * A slow client (slow-loris) is cut off once `requestTimeoutMs` has passed
 * without a whole request. Node checks its connections on an interval (30 s
 * by default), so the interval follows the timeout for the cut to be timely.
 */
function timeoutOptions(requestTimeoutMs: number | undefined) {
  if (requestTimeoutMs === undefined || requestTimeoutMs <= 0) return {};
  const checkEveryMs = Math.max(100, Math.min(1000, Math.floor(requestTimeoutMs / 4)));
  return {
    requestTimeout: requestTimeoutMs,
    http: { headersTimeout: requestTimeoutMs, connectionsCheckingInterval: checkEveryMs },
  };
}

/** Even a request too broken to parse as HTTP gets a JSON answer (code 21), never Node's bare text. */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) return;
  const timedOut = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
  const code = timedOut ? 408 : 21;
  const body = JSON.stringify({ success: false, code, message: errorMessage(code, 'fr') });
  const status = timedOut
    ? '408 Request Timeout'
    : error.code === 'HPE_HEADER_OVERFLOW'
      ? '431 Request Header Fields Too Large'
      : '400 Bad Request';
  socket.end(
    `HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
