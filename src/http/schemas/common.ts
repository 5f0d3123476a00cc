import { ERRORS, type ErrorCode } from '../../domain/errors.js';

/** A JSON Schema (2020-12, the dialect of OpenAPI 3.1) as a plain object. */
export type JsonSchema = Readonly<Record<string, unknown>>;

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
  readonly tag: 'credit' | 'subaccounts' | 'account' | 'history' | 'operator' | 'operations';
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
  /** POST only: false while the route does not honour `Idempotency-Key` yet (no 24, 25, 26). */
  readonly idempotent?: boolean;
  /** The route's own refusal codes, in the contract's order; the common ones are added for every route. */
  readonly codes: readonly ErrorCode[];
}

/** Codes any route may answer: timeouts, rate limiting, faults, an unreachable store. */
export const COMMON_CODES = [408, 429, 500, 503] as const satisfies readonly ErrorCode[];
/** Codes any POST may answer besides: its body and its size. */
export const POST_CODES = [21, 413] as const satisfies readonly ErrorCode[];
/** Codes of the idempotency key, on the POSTs that honour it. */
export const IDEMPOTENCY_CODES = [24, 25, 26] as const satisfies readonly ErrorCode[];

/** Every code a route may answer, in order: its own, then the POST ones, then the common ones. */
export function routeCodes(method: string, doc: RouteDoc): ErrorCode[] {
  const post =
    method !== 'POST' ? [] : doc.idempotent === false ? POST_CODES : [...POST_CODES, ...IDEMPOTENCY_CODES];
  const all: ErrorCode[] = [...doc.codes, ...post, ...COMMON_CODES];
  return [...new Set(all)];
}

export const ALL_CODES = Object.keys(ERRORS).map(Number) as ErrorCode[];

export const ok = (properties: Record<string, JsonSchema>, required: readonly string[] = []): JsonSchema => ({
  type: 'object',
  required: ['success', 'code', ...required],
  properties: {
    success: { const: true },
    code: { const: 200 },
    ...properties,
  },
});

export const object = (
  properties: Record<string, JsonSchema>,
  required: readonly string[] = [],
): JsonSchema =>
  required.length === 0
    ? { type: 'object', properties }
    : { type: 'object', required: [...required], properties };

/** An object whose every property is always present. */
export const allRequired = (properties: Record<string, JsonSchema>): JsonSchema =>
  object(properties, Object.keys(properties));

export const text = (description?: string): JsonSchema =>
  description === undefined ? { type: 'string' } : { type: 'string', description };
export const nullable = (schema: JsonSchema): JsonSchema => ({ anyOf: [schema, { type: 'null' }] });
export const integer: JsonSchema = { type: 'integer' };
export const dateTime: JsonSchema = { type: 'string', format: 'date-time' };

/** Money written as a bare JSON number, exactly: read it without a float (e.g. lossless-json) to keep every digit. */
export const moneyNumber: JsonSchema = {
  type: 'number',
  description: 'EUR, exact decimal in its shortest form (at most 6 decimals); parse losslessly.',
  examples: [2869.2],
};
/** Money written as decimal text with at least 3 decimals, as the Mailpartner list does. */
export const moneyString: JsonSchema = {
  type: 'string',
  pattern: '^-?\\d+\\.\\d{3,6}$',
  description: 'EUR, exact decimal text with 3 to 6 decimals.',
  examples: ['12.500'],
};
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
