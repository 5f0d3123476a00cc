import type { FastifyRequest } from 'fastify';
import { isLosslessNumber } from 'lossless-json';
import type { Fields } from './body.js';
import type { ErrorCode } from '../domain/errors.js';
import { MAX_API_KEY_LENGTH, MAX_TOKEN_LENGTH } from './bounds.js';

/**
 * One field as the checks need it: absent (or empty string), text (a string,
 * or a JSON number's exact text), or some other JSON type.
 */
export type Field =
  { readonly kind: 'absent' } | { readonly kind: 'text'; readonly text: string } | { readonly kind: 'other' };

const ABSENT: Field = { kind: 'absent' };
const OTHER: Field = { kind: 'other' };

export function readField(fields: Fields, name: string): Field {
  if (!Object.hasOwn(fields, name)) return ABSENT;
  return fieldOf(fields[name]);
}

/**
 * A NUL character has no meaning in any field and PostgreSQL refuses it in
 * text, where it would fail the whole group-commit transaction of other
 * callers: such a string is a value of the wrong kind (10, 20, 7 or 22
 * depending on the field), refused before it reaches a store.
 */
export function fieldOf(value: unknown): Field {
  if (value === undefined || value === '') return ABSENT;
  if (typeof value === 'string') return value.includes('\u0000') ? OTHER : { kind: 'text', text: value };
  if (isLosslessNumber(value)) return { kind: 'text', text: value.toString() };
  return OTHER;
}

/** A parameter as the Mailpartner family reads it: from the body, else the query string. */
export function readBodyOrQuery(request: FastifyRequest, body: Fields, name: string): Field {
  const fromBody = readField(body, name);
  return fromBody.kind !== 'absent' ? fromBody : readField(queryFields(request), name);
}

/** `apiKey` from the body, else the query string, else the `X-Api-Key` header. */
export function readApiKey(request: FastifyRequest, body: Fields): Field {
  const apiKey = readBodyOrQuery(request, body, 'apiKey');
  return apiKey.kind !== 'absent' ? apiKey : fieldOf(request.headers['x-api-key']);
}

/** Fastify's query parser builds objects on a prototype of its own, so any non-array object is accepted. */
export function queryFields(request: FastifyRequest): Fields {
  const query = request.query;
  return typeof query === 'object' && query !== null && !Array.isArray(query) ? (query as Fields) : {};
}

/** The key's text, or the code that refuses it before any lookup (1 absent, 10 unusable). */
export function apiKeyOrCode(request: FastifyRequest, body: Fields): string | ErrorCode {
  const apiKey = readApiKey(request, body);
  if (apiKey.kind === 'absent') return 1;
  return usableApiKey(apiKey) ?? 10;
}

/** The text of a key field that can be a key (text, not too long), else null (code 10). */
export function usableApiKey(apiKey: Field): string | null {
  return apiKey.kind === 'text' && apiKey.text.length <= MAX_API_KEY_LENGTH ? apiKey.text : null;
}

/** A token of the wrong type or length matches nothing: `''` is never a token (code 7). */
export function usableToken(token: Field): string {
  return token.kind === 'text' && token.text.length <= MAX_TOKEN_LENGTH ? token.text : '';
}
