import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parse as parseLosslessJson } from 'lossless-json';
import { ApiError } from './api-error.js';
import { MAX_MULTIPART_PARTS } from './bounds.js';

/** A request body once read: plain fields; JSON numbers stay LosslessNumber (exact text). */
export type Fields = Record<string, unknown>;

/**
 * Contract section 2: a body that is a JSON object is JSON whatever its
 * declared type — the seed's PHP example posts JSON under curl's default
 * x-www-form-urlencoded, Python clients post it with no type at all. Other
 * urlencoded bodies are forms; multipart goes to @fastify/multipart; an empty
 * body is no fields. Anything else is unreadable: code 21.
 */
export function registerBodyParsers(app: FastifyInstance, bodyLimitBytes: number): void {
  app.removeAllContentTypeParsers();
  void app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fieldSize: bodyLimitBytes, parts: MAX_MULTIPART_PARTS, files: 0 },
  });
  app.addHook('preHandler', (request, _reply, done) => {
    bodiesRead.add(request);
    // busboy cuts a field at `fieldSize` without failing, and Fastify's
    // bodyLimit does not see multipart: fields whose bytes reach the limit
    // prove the body was over it, so the answer is 413, not a cut value.
    if (request.isMultipart() && multipartBytes(request.body) >= bodyLimitBytes) done(new ApiError(413));
    else done();
  });
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    try {
      done(null, parseBodyText(String(body), request.headers['content-type']));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}

/** The bytes of a multipart body's names and values: never more than the body itself. */
function multipartBytes(body: unknown): number {
  if (typeof body !== 'object' || body === null) return 0;
  let bytes = 0;
  for (const [name, value] of Object.entries(body)) {
    bytes += Buffer.byteLength(name);
    for (const item of Array.isArray(value) ? (value as unknown[]) : [value]) {
      if (typeof item === 'string') bytes += Buffer.byteLength(item);
      else if (Buffer.isBuffer(item)) bytes += item.length;
    }
  }
  return bytes;
}

/** Requests whose body was read whole: an error before that point is about the body. */
const bodiesRead = new WeakSet<FastifyRequest>();

/**
 * The multipart reader (busboy) throws plain errors for a broken body (no
 * boundary, truncated data); they come before the handler and are the
 * client's doing, so they answer 21 rather than 500.
 */
export function isUnreadableMultipart(error: unknown, request: FastifyRequest): boolean {
  return error instanceof Error && request.isMultipart() && !bodiesRead.has(request);
}

function parseBodyText(text: string, contentType: string | undefined): Fields {
  const trimmed = text.trim();
  if (trimmed === '') return {};
  if (trimmed.startsWith('{')) return parseJsonObject(trimmed);
  if (mediaType(contentType) === 'application/x-www-form-urlencoded') {
    return expandNestedKeys(new URLSearchParams(text));
  }
  throw new ApiError(21);
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

function parseJsonObject(text: string): Fields {
  const value = parseJsonExactly(text);
  if (!isPlainObject(value)) throw new ApiError(21);
  return value;
}

/**
 * JSON as lossless-json reads it: each number keeps its text, so
 * `0.10000000000000000001` reaches the amount parser as written (code 20),
 * never rounded to 0.1, and a key given twice with two values is refused.
 * JSON.parse (native, several times faster) gives the same value when the
 * text holds no number and no key twice, which is the common case (amounts
 * sent as strings); whenever it cannot be sure of that, lossless-json reads the
 * text. src/http/body-json.test.ts checks the two agree.
 */
export function parseJsonExactly(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    if (readsTheSame(value, text)) return value;
  } catch {
    // lossless-json decides below, with the same verdict on broken JSON.
  }
  try {
    return parseLosslessJson(text);
  } catch {
    // Also catches a RangeError from absurdly deep nesting.
    throw new ApiError(21);
  }
}

/**
 * No number anywhere, and no key given twice. Every key in the text ends in a
 * `"` followed by `:`; strings may hold that pair too, so the pairs are at
 * least as many as the keys, and as many as the parsed keys only when no key
 * was given twice (a repeated key leaves one property for two pairs).
 */
function readsTheSame(value: unknown, text: string): boolean {
  const keys = countKeysWithoutNumbers(value);
  if (keys < 0) return false;
  return keys === (text.match(KEY_END) ?? []).length;
}

const KEY_END = /"\s*:/g;
const MAX_FAST_DEPTH = 64;

/**
 * The properties of every object in `value`, or -1 when it holds a number or
 * nests deeper than MAX_FAST_DEPTH: lossless-json, which reads recursively,
 * refuses very deep texts (code 21) where JSON.parse does not, so those are
 * left to it.
 */
function countKeysWithoutNumbers(value: unknown, depth = 0): number {
  if (typeof value === 'number' || depth > MAX_FAST_DEPTH) return -1;
  if (typeof value !== 'object' || value === null) return 0;
  let keys = 0;
  const items = Array.isArray(value) ? (value as unknown[]) : Object.values(value);
  if (!Array.isArray(value)) keys += items.length;
  for (const item of items) {
    const inner = countKeysWithoutNumbers(item, depth + 1);
    if (inner < 0) return -1;
    keys += inner;
  }
  return keys;
}

export function isPlainObject(value: unknown): value is Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * PHP sends nested arrays as `parameters[email]=…`; one level of nesting is
 * all the API needs. Objects have no prototype so no key can reach one, and
 * a repeated key keeps its last value, as PHP does.
 */
function expandNestedKeys(entries: Iterable<[string, unknown]>): Fields {
  const fields: Fields = Object.create(null) as Fields;
  for (const [key, value] of entries) {
    const nested = /^([^[\]]+)\[([^[\]]+)\]$/.exec(key);
    if (nested === null) {
      fields[key] = value;
      continue;
    }
    const [, outer, inner] = nested as unknown as [string, string, string];
    const existing = fields[outer];
    const group: Fields = isPlainObject(existing) ? existing : (Object.create(null) as Fields);
    group[inner] = value;
    fields[outer] = group;
  }
  return fields;
}

/** The body as fields: multipart arrives flat from the plugin, so it is expanded here. */
export function bodyFields(request: FastifyRequest): Fields {
  const body = request.body;
  if (!isPlainObject(body)) return {};
  if (request.isMultipart()) return expandNestedKeys(Object.entries(body));
  return body;
}
