import { afterAll, beforeAll, expect, test } from 'vitest';
import { OPERATIONS } from 'tirelire-client';
import { openApp, type AppFixture } from '../helpers/http-fixture.js';

/**
 * The SDK's operation table against the served document, both ways: every
 * operation the SDK calls exists with the same method, path and codes, and
 * every API operation of the document has an SDK method.
 */
const NOT_IN_SDK = new Set([
  'GET /metrics',
  'GET /openapi.json',
  // The same operation as POST /v1/subaccount/delete, which the SDK calls.
  'DELETE /v1/subaccount/delete',
]);

type Operation = { operationId: string; 'x-error-codes': number[] };
let fixture: AppFixture;
let documented: Map<string, Operation>;

beforeAll(async () => {
  fixture = await openApp({ adminToken: 'token' });
  const doc = (await fixture.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
    paths: Record<string, Record<string, Operation>>;
  }>();
  documented = new Map(
    Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(
        ([method, operation]) => [`${method.toUpperCase()} ${path}`, operation] as const,
      ),
    ),
  );
});
afterAll(() => fixture.remove());

test.each(Object.entries(OPERATIONS))('SDK %s exists in /openapi.json with the same codes', (name, spec) => {
  const operation = documented.get(`${spec.method} ${spec.path}`);
  expect(operation, `${spec.method} ${spec.path}`).toBeDefined();
  expect(operation!.operationId).toBe(name);
  expect(operation!['x-error-codes']).toEqual([...spec.codes]);
});

test('every documented operation has an SDK method', () => {
  const inSdk = new Set(Object.values(OPERATIONS).map((spec) => `${spec.method} ${spec.path}`));
  const missing = [...documented.keys()].filter((key) => !inSdk.has(key) && !NOT_IN_SDK.has(key));
  expect(missing).toEqual([]);
  expect(documented.size).toBeGreaterThanOrEqual(Object.keys(OPERATIONS).length);
});
