import type { ErrorCode } from './error-codes.js';

/**
 * Every operation the SDK calls: method, path and every code it may answer
 * besides 200, in the server's order. The client builds its requests from
 * this table and test/sdk/sdk-openapi.test.ts checks it against /openapi.json
 * both ways (same operations, same codes), so a drift fails a test.
 */

/** Any route: timeouts, rate limiting, faults, an unreachable store. */
const COMMON = [408, 429, 500, 503] as const;
/** Any POST besides: an unreadable or too large body. */
const POST = [21, 413] as const;
/** The idempotency key's codes, on the POSTs whose server side honours it. */
const KEYED = [24, 25, 26] as const;

export type Method = 'GET' | 'POST' | 'DELETE';

export interface OperationSpec {
  readonly method: Method;
  readonly path: string;
  readonly codes: readonly ErrorCode[];
  /**
   * Whether a repeat of the request is harmless: GETs, and POSTs whose server
   * side honours Idempotency-Key (or that are idempotent by nature). Only
   * these are retried.
   */
  readonly retrySafe: boolean;
}

function get<const C extends readonly ErrorCode[]>(path: string, codes: C) {
  return {
    method: 'GET',
    path,
    codes: [...codes, ...COMMON] as [...C, ...typeof COMMON],
    retrySafe: true,
  } as const;
}

/** A POST the server deduplicates by Idempotency-Key: retried with the call's key. */
function post<const C extends readonly ErrorCode[]>(path: string, codes: C) {
  return {
    method: 'POST',
    path,
    codes: [...codes, ...POST, ...KEYED, ...COMMON] as [
      ...C,
      ...typeof POST,
      ...typeof KEYED,
      ...typeof COMMON,
    ],
    retrySafe: true,
  } as const;
}

/**
 * A POST whose server side does not record Idempotency-Key (suspend, resume
 * and rotate-key move no money): it still gets a key but is retried only when
 * `natural`, idempotent by nature (suspend, resume). A repeated rotate-key
 * would issue another key, so it is never retried.
 */
function postOnce<const C extends readonly ErrorCode[]>(path: string, codes: C, natural = false) {
  return {
    method: 'POST',
    path,
    codes: [...codes, ...POST, ...COMMON] as [...C, ...typeof POST, ...typeof COMMON],
    retrySafe: natural,
  } as const;
}

/** A DELETE: a repeat after a lost answer is harmless (it answers 37), so it is retried. */
function del<const C extends readonly ErrorCode[]>(path: string, codes: C) {
  return {
    method: 'DELETE',
    path,
    codes: [...codes, ...COMMON] as [...C, ...typeof COMMON],
    retrySafe: true,
  } as const;
}

const CREDIT = [1, 2, 3, 10, 4, 20, 5, 7, 6, 8] as const;
const CALLER = [1, 10, 4] as const;
const ACCOUNT_STATUS = [29, 22, 30] as const;

export const OPERATIONS = {
  addCredit: post('/v1/subaccount/credit/add', CREDIT),
  removeCredit: post('/v1/subaccount/credit/remove', CREDIT),
  batchCredit: post('/v1/subaccount/credit/batch', [1, 28, 22, 10, 4, 2, 3, 20, 5, 7, 6, 8]),
  createSubaccount: post('/v1/subaccount/create', [1, 10, 4, 22, 20, 5, 23, 6, 8]),
  listSubaccounts: get('/v1/subaccount/list', [1, 10, 4, 22]),
  me: get('/v1/me', [1, 10, 4]),
  listTransfers: get('/v1/subaccount/credit/transfers', [1, 10, 4, 22, 7]),
  getTransfer: get('/v1/subaccount/credit/transfers/{id}', [1, 10, 4, 27]),
  health: get('/healthz', []),
  ready: get('/readyz', []),
  adminListAccounts: get('/admin/v1/accounts', [29, 22]),
  adminCreateAccount: post('/admin/v1/accounts', [29, 22, 20, 5, 23]),
  adminGetAccount: get('/admin/v1/accounts/{id}', ACCOUNT_STATUS),
  adminTopUp: post('/admin/v1/accounts/{id}/topup', [29, 22, 2, 20, 5, 30]),
  adminCharge: post('/admin/v1/accounts/{id}/charge', [29, 22, 2, 20, 5, 30, 7, 32, 6, 8]),
  adminSuspend: postOnce('/admin/v1/accounts/{id}/suspend', ACCOUNT_STATUS, true),
  adminResume: postOnce('/admin/v1/accounts/{id}/resume', ACCOUNT_STATUS, true),
  adminRotateKey: postOnce('/admin/v1/accounts/{id}/rotate-key', ACCOUNT_STATUS),
  adminListTransfers: get('/admin/v1/transfers', [29, 22, 30, 7]),
  listEvents: get('/v1/events', [...CALLER, 22]),
  createWebhook: post('/v1/webhooks', [...CALLER, 22, 38, 39]),
  listWebhooks: get('/v1/webhooks', CALLER),
  deleteWebhook: del('/v1/webhooks/{id}', [...CALLER, 37]),
  // A new secret each time: never repeated behind the caller's back.
  rotateWebhookSecret: postOnce('/v1/webhooks/{id}/rotate-secret', [...CALLER, 37]),
  listWebhookDeliveries: get('/v1/webhooks/{id}/deliveries', [...CALLER, 22, 37]),
  // A repeat queues the event once more: receivers de-duplicate by webhook-id.
  resendWebhookEvent: postOnce('/v1/webhooks/{id}/resend', [...CALLER, 37, 22], true),
  adminListEvents: get('/admin/v1/events', [29, 22, 30]),
  adminCreateWebhook: post('/admin/v1/webhooks', [29, 22, 38]),
  adminListWebhooks: get('/admin/v1/webhooks', [29, 22, 30]),
  adminDeleteWebhook: del('/admin/v1/webhooks/{id}', [29, 37]),
  adminRotateWebhookSecret: postOnce('/admin/v1/webhooks/{id}/rotate-secret', [29, 37]),
  adminListWebhookDeliveries: get('/admin/v1/webhooks/{id}/deliveries', [29, 22, 37]),
  adminResendWebhookEvent: postOnce('/admin/v1/webhooks/{id}/resend', [29, 37, 22], true),
  deleteSubaccount: post('/v1/subaccount/delete', [1, 3, 10, 4, 7, 36]),
  getRules: get('/v1/subaccount/rules', [1, 3, 10, 4, 7]),
  // A rules change sets values: a repeat sets them again (idempotent by nature, no record kept).
  setRules: postOnce('/v1/subaccount/rules', [1, 3, 10, 4, 7, 22, 20, 5], true),
  adminGetRules: get('/admin/v1/accounts/{id}/rules', [29, 22, 30, 7]),
  adminSetRules: postOnce('/admin/v1/accounts/{id}/rules', [29, 22, 30, 7, 20, 5], true),
  adminCloseSubaccount: post('/admin/v1/accounts/{id}/subaccounts/{token}/close', [29, 22, 30, 7, 36]),
  adminPlaceHold: post('/admin/v1/accounts/{id}/holds', [29, 22, 2, 20, 5, 30, 7, 32, 6, 8]),
  adminCaptureHold: post('/admin/v1/holds/{holdId}/capture', [29, 22, 20, 5, 33, 34, 35]),
  adminVoidHold: post('/admin/v1/holds/{holdId}/void', [29, 22, 33, 34]),
  adminGetHold: get('/admin/v1/holds/{holdId}', [29, 33]),
  adminListHolds: get('/admin/v1/holds', [29, 22, 30]),
  adminCreateSubaccount: post('/admin/v1/accounts/{id}/subaccounts', [29, 22, 30, 20, 5, 23, 6, 8]),
  adminSearchSubaccounts: get('/admin/v1/subaccounts', [29, 22]),
} as const satisfies Record<string, OperationSpec>;

export type OperationName = keyof typeof OPERATIONS;

/** The codes an operation may answer besides 200. */
export type CodeOf<K extends OperationName> = (typeof OPERATIONS)[K]['codes'][number];
