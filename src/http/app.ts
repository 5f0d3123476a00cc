import { fastify } from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { Socket } from 'node:net';
import type { Store } from '../domain/store.js';
import { CreditQueue } from '../service/credit-queue.js';
import { registerAdminRoutes } from './admin/admin-routes.js';
import { registerBodyParsers } from './body.js';
import { registerConsoleRoutes } from './console.js';
import { DEFAULT_BODY_LIMIT_BYTES } from './bounds.js';
import { registerCreditRoutes } from './credit.js';
import { handleError, sendError } from './errors.js';
import { errorMessage } from '../domain/errors.js';
import { registerHealthRoutes } from './health.js';
import { serializeJson } from './json.js';
import { buildLogger, requestIdOf } from './logging.js';
import type { LoggerOptions } from './logging.js';
import { registerMeRoutes } from './me.js';
import { registerSubaccountRoutes } from './subaccounts.js';

export interface AppOptions {
  readonly store: Store;
  /** false: no logs (the default); true: JSON lines on stdout; or a level and a destination. */
  readonly logger?: boolean | LoggerOptions | undefined;
  readonly bodyLimitBytes?: number | undefined;
  /** TIRELIRE_ADMIN_TOKEN: the operator API's bearer token; unset or empty turns /admin/v1 off (code 29). */
  readonly adminToken?: string | undefined;
}

/** The HTTP API over a store. The caller owns the store: closing the app does not close it. */
export function buildApp(options: AppOptions): FastifyInstance {
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const app = fastify({
    ...loggerOption(options.logger),
    bodyLimit,
    genReqId: requestIdOf,
    clientErrorHandler: answerClientError,
    // A URL Fastify cannot route is a 404 like any unknown route, in JSON.
    frameworkErrors: (_error, request, reply) => sendError(request, reply, 404),
  }) as unknown as FastifyInstance;
  app.setReplySerializer(serializeJson);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => sendError(request, reply, 404));
  registerBodyParsers(app, bodyLimit);
  registerHealthRoutes(app, options.store);
  registerCreditRoutes(app, new CreditQueue(options.store));
  registerSubaccountRoutes(app, options.store);
  registerMeRoutes(app, options.store);
  registerAdminRoutes(app, { store: options.store, adminToken: options.adminToken });
  registerConsoleRoutes(app);
  return app;
}

function loggerOption(logger: AppOptions['logger']) {
  if (logger === undefined || logger === false) return { logger: false };
  return { loggerInstance: buildLogger(logger === true ? {} : logger) };
}

/** Even a request too broken to parse as HTTP gets a JSON answer (code 21), never Node's bare text. */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) return;
  const body = JSON.stringify({ success: false, code: 21, message: errorMessage(21, 'fr') });
  const status =
    error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
  socket.end(
    `HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
