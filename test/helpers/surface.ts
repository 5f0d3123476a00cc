import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { StoreApp } from './http-fixture.js';
import { postgresFactory } from './postgres-factory.js';
import { sqliteThreadFactory, type StoreFactory } from './stores.js';

/** The admin token of the suites on rules, holds and delete. */
export const SURFACE_TOKEN = 'surface-operator-token-0123456789';

/** The stores as a server opens them: SQLite with its writer thread, PostgreSQL. */
export const serverStores: readonly StoreFactory[] = [sqliteThreadFactory, postgresFactory];

/** A store available here, else the suite is skipped (never in CI). */
export async function availableOrSkip(factory: StoreFactory): Promise<boolean> {
  const available = await factory.available();
  if (!available && process.env['CI']) throw new Error(`${factory.name} must be reachable in CI`);
  return available;
}

export interface Requests {
  post(url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  get(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  send(options: InjectOptions): Promise<LightMyRequestResponse>;
}

/** Requests to an app; those under /admin/v1 carry the operator token. */
export function requests(fixture: StoreApp): Requests {
  const auth = (url: string): Record<string, string> =>
    url.startsWith('/admin/') ? { authorization: `Bearer ${SURFACE_TOKEN}` } : {};
  return {
    post: (url, body, headers = {}) =>
      fixture.app.inject({
        method: 'POST',
        url,
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
        headers: {
          ...auth(url),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
      }),
    get: (url, headers = {}) =>
      fixture.app.inject({ method: 'GET', url, headers: { ...auth(url), ...headers } }),
    send: (options) => fixture.app.inject(options),
  };
}

/** The code of an answer, success (200) or refusal. */
export function codeOf(response: LightMyRequestResponse): number {
  return (response.json() as { code: number }).code;
}
