import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { ERRORS, type ErrorCode } from '../domain/errors.js';
import {
  hasBody,
  ROUTE_DOCS,
  routeCodes,
  type JsonSchema,
  type ParameterDoc,
  type RouteDoc,
} from './schemas/index.js';

const OPENAPI_PATH = '/openapi.json';
const DOCS_PREFIX = '/docs';

/** Routes that are pages or assets, not API operations: the console, the docs page itself, the favicon. */
const NOT_OPERATIONS = /^\/(console|docs)(\/|$)|^\/favicon\.ico$/;
const DOCUMENTED_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
/** The routes that answer in XML on `_format=xml` (src/http/answer-format.ts). */
const PUBLIC_API = /^\/v1(\/|$)/;

export interface RegisteredRoute {
  readonly method: string;
  readonly url: string;
}

/**
 * Serves the OpenAPI 3.1 document at /openapi.json and the Swagger UI at /docs
 * (its assets come from the @fastify/swagger-ui package, no CDN). Must run
 * before any route is added: an onRoute hook lists every route the app
 * really has, and the document is built from that list and each route's
 * schema in ./schemas once the app is ready. A route without a schema still
 * appears (flagged `x-undocumented`), so the document never hides a route;
 * test/http/openapi-document.test.ts keeps that list empty.
 */
export function registerOpenApi(app: FastifyInstance): void {
  const routes: RegisteredRoute[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  // @fastify/swagger in static mode serves this very object to the UI; it is filled once routes are known.
  const document: Record<string, unknown> = {};
  app.addHook('onReady', async () => {
    Object.assign(document, buildOpenApiDocument(routes));
  });
  app.get(OPENAPI_PATH, async () => document);
  void app.register(swagger, { mode: 'static', specification: { document: document as never } });
  void app.register(swaggerUi, {
    routePrefix: DOCS_PREFIX,
    uiConfig: { deepLinking: true },
    // The page is Tirelire's, not the framework's: its title and a wordmark instead of the Fastify banner.
    theme: { title: 'Tirelire API' },
    logo: { type: 'image/svg+xml', content: WORDMARK_SVG, href: DOCS_PREFIX, target: '_self' },
  });
}

const WORDMARK_SVG = [
  '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="40" viewBox="0 0 160 40">',
  '<text x="0" y="29" font-family="sans-serif" font-size="26" font-weight="700" fill="#ffffff">Tirelire</text>',
  '</svg>',
].join('');

/** `/admin/v1/accounts/:id` → `/admin/v1/accounts/{id}`. */
function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

export function buildOpenApiDocument(routes: readonly RegisteredRoute[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const { method, url } of routes) {
    if (!DOCUMENTED_METHODS.has(method) || NOT_OPERATIONS.test(url)) continue;
    const doc = ROUTE_DOCS[`${method} ${url}`];
    const path = (paths[openApiPath(url)] ??= {});
    path[method.toLowerCase()] =
      doc === undefined ? undocumented(method, url) : operation(method, doc, PUBLIC_API.test(url));
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tirelire',
      version: '1',
      description: INFO_DESCRIPTION,
    },
    // Relative: the document is served by the server it describes, whatever its address behind a proxy.
    servers: [{ url: '/', description: 'The server serving this document' }],
    tags: TAGS,
    paths,
    components: {
      securitySchemes: {
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
        apiKeyQuery: { type: 'apiKey', in: 'query', name: 'apiKey' },
        operatorToken: { type: 'http', scheme: 'bearer', description: 'TIRELIRE_ADMIN_TOKEN' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['success', 'code', 'message'],
          properties: {
            success: { const: false },
            code: { $ref: '#/components/schemas/ErrorCode' },
            message: { type: 'string', description: 'French, or English with `Accept-Language: en`.' },
            param: {
              type: 'string',
              description:
                'Code 22 only, when the refused parameter is known: its name as the request spells it (`limit`, `_format`, `X-Operator`). Added after `message`; absent otherwise.',
            },
          },
        },
        ErrorCode: {
          description: 'Every refusal code, with its HTTP status and message.',
          oneOf: (Object.keys(ERRORS) as unknown as ErrorCode[]).map((key) => {
            const code = Number(key) as ErrorCode;
            return {
              const: code,
              title: ERRORS[code].en,
              description: `HTTP ${ERRORS[code].http}: ${ERRORS[code].fr}`,
            };
          }),
        },
      },
    },
  };
}

const TAGS = [
  { name: 'credit', description: 'Moving credit between a main account and its subaccounts' },
  { name: 'subaccounts', description: 'Creating and listing subaccounts' },
  { name: 'account', description: "The caller's own account" },
  { name: 'history', description: 'The transfer history' },
  { name: 'events', description: 'Events: the pull feed and the webhook endpoints that receive them' },
  { name: 'operator', description: 'The operator API (bearer token)' },
  { name: 'operations', description: 'Probes, metrics and this document' },
];

const INFO_DESCRIPTION = [
  'Prepaid credit ledger speaking the Mailpartner subaccount API.',
  '',
  'Public routes take the main account key as `apiKey` in the body (POST) or query (GET), or the `X-Api-Key` header. ' +
    'POST bodies may be JSON, `application/x-www-form-urlencoded` or `multipart/form-data`; a body that is a JSON object is read as JSON whatever its type.',
  'Every answer is JSON with `success` and `code`; a refusal is `{"success":false,"code":N,"message":"…"}` (see the `ErrorCode` schema for the whole table). ' +
    'Money is exact: send amounts as decimal strings; read the JSON numbers of answers without a float (they are written exactly).',
  "Every `/v1` route takes `_format` (query string or body field): `json` (the default) or `xml`, the Mailpartner family's XML, `<result>` holding each value of the JSON answer in order as an `<entry>` (`application/xml`), errors included. Any other value is code 22, in JSON, before any other code.",
  'The POSTs that list the `Idempotency-Key` header honour it (1–255 characters): a retry with the same key and request returns the first answer with `Idempotent-Replayed: true`.',
].join('\n');

/**
 * `public`: a /v1 route, which also answers in XML (`_format`). Its
 * x-error-codes stay those of a request without `_format` (the SDK's, which
 * never sends it); the parameter says where 22 comes.
 */
function operation(method: string, doc: RouteDoc, xml: boolean): Record<string, unknown> {
  const parameters: ParameterDoc[] = [...(doc.parameters ?? [])];
  if (xml) parameters.push(FORMAT_QUERY);
  if (hasBody(method, doc) && doc.idempotent !== false) parameters.push(IDEMPOTENCY_HEADER);
  if (doc.auth === 'apiKey' || doc.auth === 'admin') parameters.push(LANGUAGE_HEADER);
  const codes = routeCodes(method, doc);
  const body = doc.body === undefined ? undefined : xml ? withFormatField(doc.body) : doc.body;
  return {
    operationId: doc.operationId,
    summary: doc.summary,
    ...(doc.description === undefined ? {} : { description: doc.description }),
    tags: [doc.tag],
    security: SECURITY[doc.auth],
    ...(parameters.length === 0 ? {} : { parameters }),
    ...(body === undefined ? {} : { requestBody: requestBody(body) }),
    responses: { '200': okResponse(doc, xml), ...errorResponses(codes, xml) },
    'x-error-codes': codes,
  };
}

function undocumented(method: string, url: string): Record<string, unknown> {
  return {
    operationId: `undocumented ${method} ${url}`,
    summary: 'Undocumented route',
    'x-undocumented': true,
    responses: { default: { description: 'Not documented yet' } },
  };
}

const SECURITY: Record<RouteDoc['auth'], readonly Record<string, string[]>[]> = {
  apiKey: [{ apiKeyHeader: [] }, { apiKeyQuery: [] }],
  admin: [{ operatorToken: [] }],
  none: [],
};

const IDEMPOTENCY_HEADER: ParameterDoc = {
  name: 'Idempotency-Key',
  in: 'header',
  description:
    'Makes a retry safe: the same key and request within 24 h answers the first answer again, moving nothing.',
  schema: { type: 'string', minLength: 1, maxLength: 255 },
};

const FORMAT_SCHEMA: JsonSchema = { enum: ['json', 'xml'], default: 'json' };

const FORMAT_QUERY: ParameterDoc = {
  name: '_format',
  in: 'query',
  description:
    "The answer's format, errors included: `json` or `xml` (the Mailpartner family's XML, `application/xml`). May travel as a body field instead (the body's wins). Any other value: code 22 (HTTP 400), in JSON, before any other code.",
  schema: FORMAT_SCHEMA,
};

/** The XML answer: the JSON answer's values in order, as `<entry>` elements of one `<result>`. */
const XML_ANSWER = {
  schema: {
    type: 'string',
    description:
      "`<?xml version='1.0' encoding='UTF-8'?>` and one `<result>` holding each value of the JSON answer, in its key order, as an `<entry>`: strings in CDATA, numbers as written in JSON, `true`/`false`, null as `<entry/>`, objects and arrays as nested entries.",
  },
};

/** A body schema with `_format` among its fields. */
function withFormatField(schema: JsonSchema): JsonSchema {
  const properties = (schema as { properties?: Record<string, JsonSchema> }).properties;
  if (properties === undefined) return schema;
  return { ...schema, properties: { ...properties, _format: FORMAT_SCHEMA } } as JsonSchema;
}

const LANGUAGE_HEADER: ParameterDoc = {
  name: 'Accept-Language',
  in: 'header',
  description: '`en` for English messages; French otherwise.',
  schema: { type: 'string' },
};

function requestBody(schema: JsonSchema): Record<string, unknown> {
  return {
    // A body whose fields are all optional may be left out (suspend, resume, rotate-key).
    required: 'required' in schema,
    content: {
      'application/json': { schema },
      'application/x-www-form-urlencoded': { schema },
      'multipart/form-data': { schema },
    },
  };
}

function okResponse(doc: RouteDoc, xml: boolean): Record<string, unknown> {
  const content: Record<string, unknown> =
    doc.okMediaType === undefined
      ? { 'application/json': { schema: doc.ok } }
      : { [doc.okMediaType]: { schema: doc.ok } };
  if (xml) content['application/xml'] = XML_ANSWER;
  if (doc.csv === true) content['text/csv'] = { schema: { type: 'string' } };
  return { description: 'Success', content };
}

/**
 * One example per code of a status, the answer as the server writes it (the
 * French message, the default), taken from the error table: a 401 shows code
 * 10, never an example the UI would make up from the schema.
 */
function errorExamples(codes: readonly ErrorCode[]): Record<string, unknown> {
  return Object.fromEntries(
    codes.map((code) => [
      `code${code}`,
      {
        summary: `code ${code}: ${ERRORS[code].en}`,
        value: { success: false, code, message: ERRORS[code].fr },
      },
    ]),
  );
}

/**
 * One response per HTTP status, listing the codes that answer it in the
 * route's order; on a /v1 route, 22 for `_format` comes first among the 400s
 * and each refusal may also be XML.
 */
function errorResponses(codes: readonly ErrorCode[], xml: boolean): Record<string, unknown> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of xml ? [22 as const, ...codes] : codes) {
    const status = ERRORS[code].http;
    const statusCodes = byStatus.get(status) ?? [];
    if (!statusCodes.includes(code)) byStatus.set(status, [...statusCodes, code]);
  }
  const responses: Record<string, unknown> = {};
  for (const [status, statusCodes] of [...byStatus].sort(([a], [b]) => a - b)) {
    const json = {
      schema: {
        allOf: [
          { $ref: '#/components/schemas/Error' },
          { type: 'object', properties: { code: { enum: statusCodes } } },
        ],
      },
      examples: errorExamples(statusCodes),
    };
    responses[String(status)] = {
      description: statusCodes.map((code) => `code ${code}: ${ERRORS[code].en}`).join('; '),
      content: xml
        ? { 'application/json': json, 'application/xml': XML_ANSWER }
        : { 'application/json': json },
    };
  }
  return responses;
}
