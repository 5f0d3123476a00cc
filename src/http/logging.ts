import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LogController } from 'fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';

export interface LoggerOptions {
  readonly level?: string | undefined;
  /** Where the JSON lines go; stdout when absent. Tests pass a stream to read them. */
  readonly destination?: DestinationStream | undefined;
}

/**
 * API keys must never reach a log. Request lines carry the path without its
 * query string (which may hold `?apiKey=`), no header and no body; redaction
 * covers the places a key could still be logged by mistake.
 */
export function buildLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      redact: {
        paths: [
          'apiKey',
          '*.apiKey',
          'headers["x-api-key"]',
          'headers.authorization',
          '*.headers["x-api-key"]',
          '*.headers.authorization',
        ],
        censor: '[redacted]',
      },
      serializers: { req: serializeRequest, res: serializeReply, err: pino.stdSerializers.err },
    },
    options.destination ?? pino.destination(1),
  );
}

interface LoggedRequest {
  readonly method?: string;
  readonly url?: string;
  readonly ip?: string;
}

function serializeRequest(request: LoggedRequest) {
  return { method: request.method, path: pathOf(request.url), remoteAddress: request.ip };
}

function serializeReply(reply: { readonly statusCode?: number }) {
  return { statusCode: reply.statusCode };
}

export function pathOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Honours a caller's X-Request-Id when it is short and plain, so ids can be followed across services. */
export function requestIdOf(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id'];
  if (typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming)) return incoming;
  return randomUUID();
}

/**
 * One line per answered request instead of Fastify's two (incoming and
 * completed): under load the request log took a tenth of the server's CPU.
 * The line carries the request id (bound to the request's logger), the path
 * without its query string, the status and the time taken — never a header
 * or a body, so never a key.
 */
export class ConciseLogController extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const line = {
      method: request.method,
      path: pathOf(request.url),
      statusCode: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}
