import type { ErrorCode } from '../../domain/errors.js';
import type { Schema } from 'tirelire-client/shapes';

/** A JSON Schema (2020-12, the dialect of OpenAPI 3.1), built with packages/client/src/schema.ts. */
export type JsonSchema = Schema;

export interface ParameterDoc {
  readonly name: string;
  readonly in: 'query' | 'path' | 'header';
  readonly description: string;
  readonly required?: boolean;
  readonly schema: JsonSchema;
}

/**
 * What one route says about itself for the OpenAPI document. These objects
 * are documentation only: Fastify never compiles them, so they cannot change
 * an answer (body reading, the contract's error order and the exact-money
 * serializer stay in charge).
 */
export interface RouteDoc {
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: 'credit' | 'subaccounts' | 'account' | 'history' | 'events' | 'operator' | 'operations';
  /** apiKey: a main account's key (body, query or X-Api-Key); admin: the operator bearer token. */
  readonly auth: 'apiKey' | 'admin' | 'none';
  readonly parameters?: readonly ParameterDoc[];
  /** The body's fields; sent as JSON, urlencoded or multipart alike. */
  readonly body?: JsonSchema;
  /** The 200 answer. */
  readonly ok: JsonSchema;
  /** The 200 answer is also available as CSV with `Accept: text/csv`. */
  readonly csv?: boolean;
  /** The 200 answer is not JSON but this media type (e.g. the Prometheus text format). */
  readonly okMediaType?: string;
  /** POST (and DELETE) only: false while the route does not honour `Idempotency-Key` (no 24, 25, 26). */
  readonly idempotent?: boolean;
  /** The route's own refusal codes, in the contract's order; the common ones are added for every route. */
  readonly codes: readonly ErrorCode[];
}

/**
 * A POST reads a body and honours Idempotency-Key; so does a DELETE that
 * documents a body (DELETE /v1/subaccount/delete), not one named by its path
 * alone (DELETE /v1/webhooks/{id}).
 */
export function hasBody(method: string, doc: Pick<RouteDoc, 'body'>): boolean {
  return method === 'POST' || (method === 'DELETE' && doc.body !== undefined);
}

/** Codes any route may answer: timeouts, rate limiting, faults, an unreachable store. */
const COMMON_CODES = [408, 429, 500, 503] as const satisfies readonly ErrorCode[];
/** Codes any POST may answer besides: its body and its size. */
const POST_CODES = [21, 413] as const satisfies readonly ErrorCode[];
/** Codes of the idempotency key, on the POSTs that honour it. */
const IDEMPOTENCY_CODES = [24, 25, 26] as const satisfies readonly ErrorCode[];

/** Every code a route may answer, in order: its own, then the POST ones, then the common ones. */
export function routeCodes(method: string, doc: RouteDoc): ErrorCode[] {
  const post = !hasBody(method, doc)
    ? []
    : doc.idempotent === false
      ? POST_CODES
      : [...POST_CODES, ...IDEMPOTENCY_CODES];
  const all: ErrorCode[] = [...doc.codes, ...post, ...COMMON_CODES];
  return [...new Set(all)];
}

/** An amount sent by a client: decimal text or a JSON number, at most 6 decimals, no exponent. */
export const amountInput: JsonSchema = {
  description:
    'EUR: a decimal string ("12.5") or JSON number (12.5), at most 6 decimals, no exponent, at most 1 000 000 000 (code 20), greater than 0 (code 5).',
  anyOf: [{ type: 'string', examples: ['12.5'] }, { type: 'number' }],
};

export const apiKeyField: JsonSchema = {
  type: 'string',
  description: 'The main account key; may instead travel in the query (`apiKey`) or the `X-Api-Key` header.',
};

export const apiKeyQuery: ParameterDoc = {
  name: 'apiKey',
  in: 'query',
  description: 'The main account key (or the `X-Api-Key` header).',
  schema: { type: 'string' },
};

export const cursorQuery: ParameterDoc = {
  name: 'cursor',
  in: 'query',
  description: 'The `nextCursor` of the previous page (opaque).',
  schema: { type: 'string' },
};

export const dateQuery = (name: 'since' | 'until', description: string): ParameterDoc => ({
  name,
  in: 'query',
  description: `${description}: \`YYYY-MM-DD\` (midnight UTC) or an ISO-8601 date-time with a zone.`,
  schema: { type: 'string' },
});

export const limitQuery = (description: string): ParameterDoc => ({
  name: 'limit',
  in: 'query',
  description,
  schema: { type: 'integer', minimum: 1 },
});

export const tokenQuery = (description: string): ParameterDoc => ({
  name: 'tokenSubaccount',
  in: 'query',
  description,
  schema: { type: 'string' },
});
