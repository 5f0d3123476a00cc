import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorAnswer } from '../domain/answers/error-answer.js';
import { answerText } from './answer-bytes.js';
import { ApiError } from './api-error.js';
import { isPlainObject } from './body.js';
import { readBodyOrQuery, type Field } from './fields.js';
import { JSON_TYPE } from './json.js';
import { preferredLanguage } from './language.js';
import { jsonToXml, XML_TYPE } from './xml.js';

/**
 * `_format` (contract section 6): every /v1 answer, errors included, in JSON
 * (the default) or in the Mailpartner family's XML. Routes know nothing of
 * it: they write JSON, and the onSend hook below rewrites the bytes they
 * wrote (docs/http-api.md, "XML answers").
 */
export type AnswerFormat = 'json' | 'xml';
type FormatRead = AnswerFormat | 'invalid';

declare module 'fastify' {
  interface FastifyRequest {
    /** The `_format` read before the handler; null when not read (not /v1, or refused before). */
    answerFormat: FormatRead | null;
  }
}

export const FORMAT_FIELD = '_format';

/**
 * Registered after the metrics' onSend hook, which reads the JSON answer's
 * code: hooks run in the order they were added.
 *
 * Code 22 for a `_format` other than json or xml comes before every other
 * code: it cannot be answered in the format asked for, so it is answered
 * first, in JSON. The preHandler hook refuses it before any handler runs
 * (and before the per-key rate limit, a route-level hook that runs after it),
 * so nothing was done; an answer given earlier still (a body too large or
 * unreadable, a blocked address's 429, a URL that cannot be routed) was
 * decided before the body was read, and follows the query string's `_format`
 * only.
 */
export function registerAnswerFormats(app: FastifyInstance): void {
  app.decorateRequest('answerFormat', null);
  app.addHook('preHandler', (request, _reply, done) => {
    if (!isPublicApi(request.url)) return done();
    const format = readAnswerFormat(request, bodyFieldsOf(request));
    request.answerFormat = format;
    if (format === 'invalid') done(new ApiError(22, { parameter: FORMAT_FIELD }, FORMAT_FIELD));
    else done();
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    const format = request.answerFormat ?? formatBeforeBody(request);
    if (format === 'json') return done(null, payload);
    if (format === 'invalid') return done(null, refuseFormat(request, reply));
    const json = isJsonAnswer(reply) ? answerText(payload) : null;
    if (json === null) return done(null, payload);
    reply.header('content-type', XML_TYPE);
    done(null, jsonToXml(json));
  });
}

/** The public API: `/v1` and below, unknown routes included. */
function isPublicApi(url: string): boolean {
  return url.startsWith('/v1') && (url.length === 3 || url[3] === '/' || url[3] === '?');
}

function formatBeforeBody(request: FastifyRequest): FormatRead {
  return isPublicApi(request.url) ? readAnswerFormat(request, {}) : 'json';
}

/**
 * The body's top-level fields as parsed (a multipart body arrives flat, a
 * form's nested keys expanded: `_format` is top-level in both).
 */
function bodyFieldsOf(request: FastifyRequest): Record<string, unknown> {
  return isPlainObject(request.body) ? request.body : {};
}

/**
 * `_format` from the body, else the query string, as `apiKey` is read; absent
 * or empty is json. Any other text, or a value that is not text (a number, an
 * array from a repeated field), is invalid.
 */
function readAnswerFormat(request: FastifyRequest, body: Record<string, unknown>): FormatRead {
  return formatOf(readBodyOrQuery(request, body, FORMAT_FIELD));
}

function formatOf(field: Field): FormatRead {
  if (field.kind === 'absent') return 'json';
  if (field.kind === 'text' && (field.text === 'json' || field.text === 'xml')) return field.text;
  return 'invalid';
}

/** Only JSON answers become XML: a CSV history stays CSV. */
function isJsonAnswer(reply: FastifyReply): boolean {
  const type = reply.getHeader('content-type');
  return typeof type === 'string' && type.startsWith('application/json');
}

/**
 * Code 22 in JSON, whatever had been decided before `_format` was read: no
 * handler ran. A Retry-After of a refusal it replaces does not apply to it.
 */
function refuseFormat(request: FastifyRequest, reply: FastifyReply): string {
  const answer = errorAnswer(22, preferredLanguage(request.headers['accept-language']), FORMAT_FIELD);
  reply.removeHeader('retry-after');
  reply.code(answer.status).header('content-type', JSON_TYPE);
  return answer.body;
}
