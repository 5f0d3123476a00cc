import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { AppFixture } from './http-fixture.js';

export const ADMIN_TOKEN = 'test-operator-token-0123456789';

export interface AdminClient {
  get(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  post(url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
}

/** Requests to /admin/v1 with the operator token (unless a test overrides `authorization`). */
export function adminClient(fixture: AppFixture, operator = 'alice'): AdminClient {
  const send = (options: InjectOptions, headers: Record<string, string>) =>
    fixture.app.inject({
      ...options,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'x-operator': operator, ...headers },
    });
  return {
    get: (url, headers = {}) => send({ method: 'GET', url: `/admin/v1${url}` }, headers),
    post: (url, body, headers = {}) =>
      send(
        body === undefined
          ? { method: 'POST', url: `/admin/v1${url}` }
          : { method: 'POST', url: `/admin/v1${url}`, payload: JSON.stringify(body) },
        body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      ),
  };
}

/** What a refused request must leave untouched: the ledger's size and totals. */
export async function ledgerSnapshot(fixture: AppFixture) {
  const report = await fixture.store.verify();
  return {
    ok: report.ok,
    transfers: report.transfers,
    accounts: report.accounts,
    funded: report.fundedMicros,
    customers: report.customerBalanceMicros,
  };
}
