import {
  amountInput,
  cursorQuery,
  dateQuery,
  dateTime,
  integer,
  limitQuery,
  moneyString,
  nullable,
  allRequired,
  object,
  ok,
  text,
  tokenQuery,
  type JsonSchema,
  type ParameterDoc,
  type RouteDoc,
} from './common.js';

/** The operator API under /admin/v1 (docs/admin-api.md). */

export const accountSchema: JsonSchema = allRequired({
  id: integer,
  email: text(),
  status: { enum: ['active', 'suspended'] },
  balance: moneyString,
  subaccountCount: integer,
  createdAt: dateTime,
});

const subaccountSchema = allRequired({
  id: integer,
  email: text(),
  token: text(),
  type: { enum: ['simple', 'advanced'] },
  balance: moneyString,
  createdAt: dateTime,
});

export const transferSchema: JsonSchema = allRequired({
  id: text(),
  kind: { enum: ['add', 'remove', 'topup', 'charge'] },
  amount: moneyString,
  accountId: { type: 'integer', description: 'The main account.' },
  tokenSubaccount: nullable(text()),
  debitAccountId: integer,
  creditAccountId: integer,
  mainBalanceAfter: nullable(moneyString),
  subaccountBalanceAfter: nullable(moneyString),
  reason: nullable(text()),
  operator: nullable(text()),
  idempotencyKey: nullable(text()),
  createdAt: dateTime,
});

const idPath: ParameterDoc = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'A main account id.',
  schema: { type: 'integer', minimum: 1 },
};

const operatorHeader: ParameterDoc = {
  name: 'X-Operator',
  in: 'header',
  description:
    "The operator's name kept with the action: 1–64 printable ASCII characters (`operator` when absent).",
  schema: { type: 'string', maxLength: 64 },
};

const moveBody = (withToken: boolean): JsonSchema =>
  object(
    {
      credit: amountInput,
      reason: text('Free text kept on the transfer.'),
      ...(withToken
        ? { tokenSubaccount: text('Charge this subaccount of the account instead of the account itself.') }
        : {}),
    },
    ['credit'],
  );

const moved = ok({ transfer: transferSchema, account: accountSchema }, ['transfer', 'account']);
const accountOnly = ok({ account: accountSchema }, ['account']);

const actionSchema = allRequired({
  id: integer,
  action: { enum: ['suspend', 'resume', 'rotate-key'] },
  operator: text(),
  reason: nullable(text()),
  createdAt: dateTime,
});

/**
 * Suspend, resume and rotate-key move no money: Idempotency-Key is not
 * recorded for them (suspend and resume are idempotent by nature). Each is
 * kept in the account's audit trail with the operator and the reason.
 */
const statusRoute = (operationId: string, summary: string): RouteDoc => ({
  operationId,
  summary,
  tag: 'operator',
  auth: 'admin',
  parameters: [idPath, operatorHeader],
  body: object({ reason: text('Free text kept in the audit trail.') }, []),
  ok: accountOnly,
  codes: [29, 22, 30],
  idempotent: false,
});

export const ADMIN_ROUTES: Record<string, RouteDoc> = {
  'GET /admin/v1/accounts': {
    operationId: 'adminListAccounts',
    summary: 'Main accounts, newest first, by cursor',
    tag: 'operator',
    auth: 'admin',
    parameters: [
      { name: 'search', in: 'query', description: 'Part of an email, case-insensitive.', schema: text() },
      limitQuery('1–100, default 50.'),
      cursorQuery,
    ],
    ok: ok({ data: { type: 'array', items: accountSchema }, nextCursor: nullable(text()) }, [
      'data',
      'nextCursor',
    ]),
    codes: [29, 22],
  },
  'POST /admin/v1/accounts': {
    operationId: 'adminCreateAccount',
    summary: 'Create a main account, with an optional opening credit',
    description: 'The account key is in this answer only.',
    tag: 'operator',
    auth: 'admin',
    parameters: [operatorHeader],
    body: object({ email: text(), credit: amountInput, reason: text() }, ['email']),
    ok: ok({ account: accountSchema, apiKey: text(), transferId: nullable(text()) }, [
      'account',
      'apiKey',
      'transferId',
    ]),
    codes: [29, 22, 20, 5, 23],
  },
  'GET /admin/v1/accounts/:id': {
    operationId: 'adminGetAccount',
    summary: 'One main account, its subaccounts (the first 1000) and its latest 100 operator actions',
    tag: 'operator',
    auth: 'admin',
    parameters: [idPath],
    ok: ok(
      {
        account: accountSchema,
        subaccounts: { type: 'array', items: subaccountSchema },
        actions: {
          type: 'array',
          items: actionSchema,
          description: 'Suspend, resume, rotate-key; newest first.',
        },
      },
      ['account', 'subaccounts', 'actions'],
    ),
    codes: [29, 22, 30],
  },
  'POST /admin/v1/accounts/:id/topup': {
    operationId: 'adminTopUp',
    summary: 'Add credit to a main account (after a payment)',
    tag: 'operator',
    auth: 'admin',
    parameters: [idPath, operatorHeader],
    body: moveBody(false),
    ok: moved,
    codes: [29, 22, 2, 20, 5, 30],
  },
  'POST /admin/v1/accounts/:id/charge': {
    operationId: 'adminCharge',
    summary: 'Charge usage to a main account or one of its subaccounts',
    tag: 'operator',
    auth: 'admin',
    parameters: [idPath, operatorHeader],
    body: moveBody(true),
    ok: moved,
    codes: [29, 22, 2, 20, 5, 30, 7, 6, 8],
  },
  'POST /admin/v1/accounts/:id/suspend': statusRoute(
    'adminSuspend',
    'Suspend a main account: its key gets code 4',
  ),
  'POST /admin/v1/accounts/:id/resume': statusRoute('adminResume', 'Resume a suspended main account'),
  'POST /admin/v1/accounts/:id/rotate-key': {
    ...statusRoute('adminRotateKey', 'Replace the account key; the old one is refused at once'),
    idempotent: false,
    ok: ok({ account: accountSchema, apiKey: text() }, ['account', 'apiKey']),
  },
  'GET /admin/v1/transfers': {
    operationId: 'adminListTransfers',
    summary: 'Every transfer of the platform, filtered, newest first',
    description:
      'With `Accept: text/csv` the same rows come as CSV: without `limit`, the whole filtered history, streamed; with `limit`, one page and `X-Next-Cursor` for the next.',
    tag: 'operator',
    auth: 'admin',
    parameters: [
      { name: 'accountId', in: 'query', description: 'A main account id.', schema: { type: 'integer' } },
      tokenQuery('A subaccount token.'),
      {
        name: 'kind',
        in: 'query',
        description: 'One kind only.',
        schema: { enum: ['add', 'remove', 'topup', 'charge'] },
      },
      dateQuery('since', 'Inclusive'),
      dateQuery('until', 'Exclusive'),
      limitQuery('JSON: 1–1000, default 50; CSV: 1–10000, default none (the whole history).'),
      cursorQuery,
    ],
    ok: ok({ data: { type: 'array', items: transferSchema }, nextCursor: nullable(text()) }, [
      'data',
      'nextCursor',
    ]),
    csv: true,
    codes: [29, 22, 30, 7],
  },
};
