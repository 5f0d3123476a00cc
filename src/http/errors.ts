import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { errorAnswer, type Refusal } from '../domain/answers/error-answer.js';
import type { ErrorCode } from '../domain/errors.js';
import { OverloadError, StoreUnavailableError } from '../domain/store.js';
import { ApiError } from './api-error.js';
import { isUnreadableMultipart } from './body.js';
import { JSON_TYPE } from './json.js';
import { preferredLanguage } from './language.js';

/**
 * The one way an error leaves: status and message both come from the code
 * table, and the bytes from `errorAnswer`, the same function that renders an
 * error for an idempotency record.
 */
export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  refusal: ErrorCode | Refusal,
): FastifyReply {
  const { code, param } = typeof refusal === 'number' ? { code: refusal, param: undefined } : refusal;
  const answer = errorAnswer(code, preferredLanguage(request.headers['accept-language']), param);
  if (code === 503) reply.header('retry-after', RETRY_UNAVAILABLE_AFTER_SECONDS);
  return reply.code(answer.status).type(JSON_TYPE).send(answer.body);
}

/** A 503 is a store out of reach or a write queue past its bound (WRITE_QUEUE_MAX…): worth trying again soon. */
const RETRY_UNAVAILABLE_AFTER_SECONDS = '1';

/**
 * Maps anything thrown to a code. Fastify's own request errors (body too
 * large, broken body, bad content length, multipart trouble) carry a 4xx
 * status; everything else is a fault whose detail stays in the log.
 */
export function codeOfError(error: unknown, request: FastifyRequest): ErrorCode {
  if (error instanceof ApiError) return error.code;
  if (error instanceof StoreUnavailableError) return 503;
  const status = (error as Partial<FastifyError> | null)?.statusCode;
  if (status === 413) return 413;
  if (status === 408) return 408;
  if (status !== undefined && status >= 400 && status < 500) return 21;
  if (status === undefined && isUnreadableMultipart(error, request)) return 21;
  return 500;
}

export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const code = codeOfError(error, request);
  const param = error instanceof ApiError ? error.param : undefined;
  if (code === 500) request.log.error({ err: error }, 'internal fault');
  // Shedding under overload is expected, thousands a second: the request line and /metrics count it.
  else if (error instanceof OverloadError) request.log.debug('refused under overload');
  else if (code === 503) request.log.warn({ err: error }, 'store unavailable');
  else request.log.info({ code, ...(error instanceof ApiError ? error.logFields : {}) }, 'request refused');
  return sendError(request, reply, { code, param });
}
