import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ERRORS } from '../../src/domain/errors.js';
import { buildOpenApiDocument } from '../../src/http/openapi.js';
import { openApp, type AppFixture } from '../helpers/http-fixture.js';

type Operation = Record<string, unknown> & { 'x-error-codes'?: number[]; 'x-undocumented'?: boolean };
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };

let fixture: AppFixture;
let document: Document;

beforeAll(async () => {
  fixture = await openApp({ adminToken: 'token' });
  const response = await fixture.app.inject({ method: 'GET', url: '/openapi.json' });
  expect(response.statusCode).toBe(200);
  document = response.json<Document>();
});
afterAll(() => fixture.remove());

function operations(doc: Document): { method: string; path: string; operation: Operation }[] {
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
  );
}

/** `/admin/v1/accounts/{id}` → a concrete URL Fastify's router can look up. */
const fastifyUrl = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

describe('GET /openapi.json', () => {
  test('is a valid OpenAPI 3.1 document', async () => {
    expect(document.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  test('the validator does reject a broken document (the check above can fail)', async () => {
    const broken = structuredClone(document) as Record<string, unknown>;
    broken['paths'] = { '/v1/me': { get: { responses: 'none' } } };
    const result = await new Validator().validate(broken);
    expect(result.valid).toBe(false);
  });

  test('every registered route is documented, and every documented operation is routed', () => {
    const all = operations(document);
    expect(all.filter(({ operation }) => operation['x-undocumented'] === true)).toEqual([]);
    for (const { method, path } of all) {
      expect(
        fixture.app.hasRoute({ method: method as 'GET', url: fastifyUrl(path) }),
        `${method} ${path}`,
      ).toBe(true);
    }
    const listed = new Set(all.map(({ method, path }) => `${method} ${path}`));
    for (const route of [
      'POST /v1/subaccount/credit/add',
      'POST /v1/subaccount/credit/remove',
      'POST /v1/subaccount/create',
      'GET /v1/subaccount/list',
      'GET /v1/me',
      'GET /admin/v1/accounts',
      'POST /admin/v1/accounts/{id}/charge',
      'GET /admin/v1/transfers',
      'GET /healthz',
      'GET /metrics',
      'GET /openapi.json',
    ]) {
      expect(listed, route).toContain(route);
    }
  });

  test('a route with no schema is listed as undocumented rather than hidden', () => {
    const doc = buildOpenApiDocument([{ method: 'GET', url: '/v1/new-thing/:id' }]) as unknown as Document;
    expect(doc.paths['/v1/new-thing/{id}']?.['get']?.['x-undocumented']).toBe(true);
  });

  test('operation ids are unique and error answers come from the code table', () => {
    const all = operations(document);
    const ids = all.map(({ operation }) => operation['operationId']);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { method, path, operation } of all) {
      const responses = operation['responses'] as Record<string, unknown>;
      for (const code of operation['x-error-codes'] ?? []) {
        const entry = ERRORS[code as keyof typeof ERRORS];
        expect(entry, `${method} ${path} code ${code}`).toBeDefined();
        expect(Object.keys(responses), `${method} ${path} code ${code}`).toContain(String(entry.http));
      }
    }
  });

  test('security: api key routes name the header and query schemes, operator routes the bearer token', () => {
    const schemes = (document as unknown as { components: { securitySchemes: Record<string, unknown> } })
      .components.securitySchemes;
    expect(schemes).toMatchObject({
      apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
      apiKeyQuery: { type: 'apiKey', in: 'query', name: 'apiKey' },
      operatorToken: { type: 'http', scheme: 'bearer' },
    });
    for (const { path, operation } of operations(document)) {
      if (path.startsWith('/admin/v1/')) expect(operation['security']).toEqual([{ operatorToken: [] }]);
      if (path.startsWith('/v1/'))
        expect(operation['security']).toEqual([{ apiKeyHeader: [] }, { apiKeyQuery: [] }]);
    }
  });
});

describe('_format on /v1', () => {
  test('every /v1 operation documents `_format` and XML answers; other routes do not', () => {
    const all = operations(document);
    expect(all.filter(({ path }) => path.startsWith('/v1/')).length).toBeGreaterThanOrEqual(8);
    for (const { method, path, operation } of all) {
      const name = `${method} ${path}`;
      const parameters = (operation['parameters'] ?? []) as { name: string; in: string }[];
      const format = parameters.find((parameter) => parameter.name === '_format');
      const responses = operation['responses'] as Record<string, { content?: Record<string, unknown> }>;
      const types = Object.values(responses).map((response) => Object.keys(response.content ?? {}));
      if (!path.startsWith('/v1/')) {
        expect(format, name).toBeUndefined();
        expect(types.flat(), name).not.toContain('application/xml');
        continue;
      }
      expect(format, name).toMatchObject({ in: 'query', schema: { enum: ['json', 'xml'] } });
      for (const listed of types) expect(listed, name).toContain('application/xml');
      expect(JSON.stringify(responses['400']), name).toContain('code 22:');
      const body = operation['requestBody'] as
        { content: Record<string, { schema: { properties: object } }> } | undefined;
      if (body !== undefined)
        expect(body.content['application/json']!.schema.properties, name).toHaveProperty('_format');
    }
  });
});

describe('/docs', () => {
  test('serves the Swagger UI page and its assets from the package, no CDN', async () => {
    const page = await fixture.app.inject({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).not.toMatch(/https?:\/\/(?!localhost)[^"']*\.(js|css)/);
    const script = /src="\.?\/?([^"]*swagger-ui-bundle\.js)"/.exec(page.body)?.[1];
    expect(script).toBeDefined();
    const asset = await fixture.app.inject({ method: 'GET', url: `/docs/${script!.replace(/^\.\//, '')}` });
    expect(asset.statusCode).toBe(200);
    expect(asset.body.length).toBeGreaterThan(100_000);
  });

  test('the page reads the same document', async () => {
    const json = await fixture.app.inject({ method: 'GET', url: '/docs/json' });
    expect(json.json()).toEqual(document);
  });
});

describe('the /docs page and the examples it shows', () => {
  test('each error status shows one example per code, taken from the error table: a 401 shows code 10', () => {
    type Examples = Record<
      string,
      { value: { success: boolean; code: keyof typeof ERRORS; message: string } }
    >;
    type Responses = Record<string, { content: { 'application/json': { examples: Examples } } }>;
    const responses = document.paths['/v1/me']!['get']!['responses'] as Responses;
    const unauthorized = Object.values(responses['401']!.content['application/json'].examples);
    expect(unauthorized.map((example) => example.value)).toEqual([
      { success: false, code: 10, message: ERRORS[10].fr },
    ]);
    for (const { operation } of operations(document)) {
      for (const [status, response] of Object.entries(operation['responses'] as Responses)) {
        if (status === '200' || status === 'default') continue;
        const examples = Object.values(response.content['application/json'].examples);
        expect(examples.length).toBeGreaterThan(0);
        for (const { value } of examples) {
          expect(ERRORS[value.code].http).toBe(Number(status));
          expect(value).toEqual({ success: false, code: value.code, message: ERRORS[value.code].fr });
        }
      }
    }
  });

  test('names a server: the one serving the document', () => {
    expect((document as unknown as { servers: unknown }).servers).toEqual([
      { url: '/', description: expect.any(String) },
    ]);
  });

  test("the page is Tirelire's: its title and wordmark, not the framework's banner", async () => {
    const page = await fixture.app.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<title>Tirelire API</title>');
    const script = await fixture.app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
    const logo = /img\.src = 'data:image\/svg\+xml;base64,([^']+)'/.exec(script.body)?.[1];
    expect(Buffer.from(logo ?? '', 'base64').toString()).toContain('>Tirelire</text>');
  });
});
