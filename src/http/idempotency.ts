import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isLosslessNumber } from 'lossless-json';
import { recordUnlessCallerRefused } from '../domain/answers/credit-answer.js';
import type { ErrorCode } from '../domain/errors.js';
import {
  MAX_IDEMPOTENCY_KEY_LENGTH,
  type IdempotencyClaim,
  type IdempotencyGuard,
  type IdempotentAnswer,
  type TextAnswer,
} from '../domain/idempotency.js';
import { FORMAT_FIELD } from './answer-format.js';
import { isPlainObject, type Fields } from './body.js';
import { queryFields } from './fields.js';
import { JSON_TYPE, serializeJson } from './json.js';

/**
 * The HTTP side of idempotency keys (contract section 4, docs/idempotency-and-history.md).
 * Handlers read the header, build a guard whose `render` produces the exact
 * bytes of the answer, and hand it to the store with the work; whatever the
 * store answers (fresh or replayed) goes out through `sendAnswer`.
 */
export type KeyRead =
  { readonly kind: 'none' } | { readonly kind: 'key'; readonly key: string } | { readonly kind: 'invalid' };

/** `Idempotency-Key`: 1–255 characters; sent twice or empty is invalid (code 26). */
export function readIdempotencyKey(request: FastifyRequest): KeyRead {
  const header = request.headers['idempotency-key'];
  if (header === undefined) return { kind: 'none' };
  if (typeof header !== 'string' || header.length === 0 || header.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    return { kind: 'invalid' };
  }
  return { kind: 'key', key: header };
}

/**
 * What the request means: method, path and every body and query field but the
 * API key (the scope already names it), keys sorted. A JSON number and a string
 * with the same text mean the same amount (section 2), so both hash alike.
 *
 * The answer's format is part of the request: a key first used for an XML
 * answer replays that XML, and asking it for JSON is another request (24).
 * `_format` itself is left out and the format is added only when it is XML,
 * so `_format=json`, an empty one and none are the same request, wherever
 * `_format` travels, and a JSON request hashes as it did before `_format`.
 */
function requestFingerprint(request: FastifyRequest, body: Fields): string {
  const path = request.url.split('?')[0] ?? '';
  const parts = [
    request.method,
    path,
    canonical(withoutFormat(body)),
    canonical(withoutFormat(queryFields(request))),
  ];
  const text = JSON.stringify(request.answerFormat === 'xml' ? [...parts, 'xml'] : parts);
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * The fields but `_format`, hashing as the same request without it would.
 * canonical() keeps a query object as it is (Fastify builds it on a prototype
 * of its own) while a URL without a query string reads as a plain `{}`: the
 * rest stays on the fields' prototype, or is `{}` when nothing is left.
 */
function withoutFormat(fields: Fields): Fields {
  if (!Object.hasOwn(fields, FORMAT_FIELD)) return fields;
  const names = Object.keys(fields).filter((name) => name !== FORMAT_FIELD);
  if (names.length === 0) return {};
  const rest = Object.create(Object.getPrototypeOf(fields) as object | null) as Fields;
  for (const name of names) rest[name] = fields[name];
  return rest;
}

function canonical(value: unknown): unknown {
  if (isLosslessNumber(value)) return String(value);
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object' && value !== null && isPlainObject(value)) {
    return Object.keys(value)
      .filter((name) => name !== 'apiKey')
      .sort()
      .map((name) => [name, canonical(value[name])]);
  }
  return value ?? null;
}

/** A hash of the secret that scopes keys: an API key, or the operator token. */
export function scopeOf(secret: string, realm: 'api' | 'operator'): string {
  return createHash('sha256').update(`${realm}\u0000${secret}`, 'utf8').digest('hex');
}

export function buildClaim(
  request: FastifyRequest,
  body: Fields,
  scope: string,
  key: string,
  now: Date,
): IdempotencyClaim {
  return { scope, key, fingerprint: requestFingerprint(request, body), createdAt: now };
}

/**
 * `secret`: an API key the answer shows once. The record keeps the answer with
 * that key written as `null`, so a replay never brings back a key (keys are
 * stored only as hashes).
 */
export function guardOf<O extends { ok: boolean; code?: ErrorCode }>(
  claim: IdempotencyClaim,
  render: (outcome: O) => TextAnswer,
  secret: string | null = null,
): IdempotencyGuard<O> {
  const guard = { claim, render, record: recordUnlessCallerRefused };
  if (secret === null) return guard;
  return { ...guard, renderRecord: (outcome: O) => withoutSecret(render(outcome), secret) };
}

function withoutSecret(answer: TextAnswer, secret: string): TextAnswer {
  return { ...answer, body: answer.body.replaceAll(JSON.stringify(secret), 'null') };
}

export function renderJson(status: number, payload: unknown): TextAnswer {
  return { status, body: serializeJson(payload) };
}

export function sendAnswer(reply: FastifyReply, answer: IdempotentAnswer): FastifyReply {
  if (answer.replayed) reply.header('idempotent-replayed', 'true');
  return reply.code(answer.status).type(JSON_TYPE).send(answer.body);
}
