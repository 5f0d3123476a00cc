import {
  amountInput,
  apiKeyField,
  apiKeyQuery,
  cursorQuery,
  dateQuery,
  dateTime,
  integer,
  limitQuery,
  moneyNumber,
  moneyString,
  nullable,
  allRequired,
  object,
  ok,
  text,
  tokenQuery,
  type JsonSchema,
  type RouteDoc,
} from './common.js';

/** The Mailpartner-compatible API and what goes beyond it (CONTRACT.md sections 2 and 4). */

const creditBody = object(
  {
    apiKey: apiKeyField,
    credit: amountInput,
    tokenSubaccount: text('The subaccount token, as `/v1/subaccount/create` gave it.'),
  },
  ['credit', 'tokenSubaccount'],
);

const creditAnswer = ok(
  {
    credit: { ...moneyNumber, description: "The main account's balance after the transfer (exact)." },
    subaccountCredit: { ...moneyNumber, description: "The subaccount's balance after the transfer (exact)." },
    currency: { const: 'EUR' },
    transferId: text(),
  },
  ['credit', 'subaccountCredit', 'currency', 'transferId'],
);

const CREDIT_CODES = [1, 2, 3, 10, 4, 20, 5, 7, 6, 8] as const;

/** One transfer of the public history: the caller's moves and the operator's top-ups and charges. */
export const historyTransfer: JsonSchema = allRequired({
  id: text(),
  direction: { enum: ['add', 'remove', 'topup', 'charge'] },
  tokenSubaccount: nullable(text()),
  amount: moneyNumber,
  credit: nullable({
    ...moneyNumber,
    description: "The main account's balance after it (null when untouched).",
  }),
  subaccountCredit: nullable({ ...moneyNumber, description: "The subaccount's balance after it." }),
  createdAt: dateTime,
  idempotencyKey: nullable(text()),
});

const batchOperation = allRequired({
  direction: { enum: ['add', 'remove'] },
  tokenSubaccount: text(),
  credit: amountInput,
});

const batchResult = object(
  {
    success: { type: 'boolean' },
    code: integer,
    message: text('On a refusal: the message of `code`.'),
    credit: moneyNumber,
    subaccountCredit: moneyNumber,
    transferId: text(),
  },
  ['success', 'code'],
);

export const PUBLIC_ROUTES: Record<string, RouteDoc> = {
  'POST /v1/subaccount/credit/add': {
    operationId: 'addCredit',
    summary: 'Move credit from the main account to a subaccount',
    tag: 'credit',
    auth: 'apiKey',
    body: creditBody,
    ok: creditAnswer,
    codes: CREDIT_CODES,
  },
  'POST /v1/subaccount/credit/remove': {
    operationId: 'removeCredit',
    summary: 'Move credit from a subaccount back to the main account',
    tag: 'credit',
    auth: 'apiKey',
    body: creditBody,
    ok: creditAnswer,
    codes: CREDIT_CODES,
  },
  'POST /v1/subaccount/credit/batch': {
    operationId: 'batchCredit',
    summary: 'Up to 1000 adds and removes in one request',
    description:
      'One result per operation, in order. With `"atomic": true` the batch is all-or-nothing: a batch with any refusal applies nothing and answers the first refusal\'s code and status; its results give each refusal its own code and every other operation code 31 (not applied).',
    tag: 'credit',
    auth: 'apiKey',
    body: object(
      {
        apiKey: apiKeyField,
        operations: { type: 'array', minItems: 1, maxItems: 1000, items: batchOperation },
        atomic: { type: 'boolean', default: false },
      },
      ['operations'],
    ),
    ok: ok(
      {
        results: { type: 'array', items: batchResult },
        credit: { ...moneyNumber, description: "The main account's balance after the batch." },
      },
      ['results', 'credit'],
    ),
    codes: [1, 28, 22, 10, 4, 2, 3, 20, 5, 7, 6, 8],
  },
  'POST /v1/subaccount/create': {
    operationId: 'createSubaccount',
    summary: 'Create a subaccount, optionally with an opening credit',
    description: 'An `advanced` subaccount gets its own `apiKey`, shown in this answer only.',
    tag: 'subaccounts',
    auth: 'apiKey',
    body: object(
      {
        apiKey: apiKeyField,
        type: { enum: ['simple', 'advanced'], default: 'simple' },
        parameters: object({
          email: {
            type: 'string',
            format: 'email',
            description: 'Required for `advanced`; generated for `simple`.',
          },
          creditToAttribute: amountInput,
          isBuyer: { anyOf: [{ type: 'boolean' }, { enum: ['1', '0', 'true', 'false'] }] },
          title: text(),
          firstname: text(),
          lastname: text(),
        }),
      },
      [],
    ),
    ok: ok(
      {
        subaccount: object({ email: text(), token: text(), apiKey: text('advanced subaccounts only') }, [
          'email',
          'token',
        ]),
        parent_email: text(),
        transferId: text('When `creditToAttribute` was given: the opening transfer.'),
      },
      ['subaccount', 'parent_email'],
    ),
    codes: [1, 10, 4, 22, 20, 5, 23, 6, 8],
  },
  'GET /v1/subaccount/list': {
    operationId: 'listSubaccounts',
    summary: 'The subaccounts of the main account, 20 per page',
    tag: 'subaccounts',
    auth: 'apiKey',
    parameters: [
      apiKeyQuery,
      { name: 'page', in: 'query', description: '1 by default.', schema: { type: 'integer', minimum: 1 } },
    ],
    ok: ok(
      {
        total: integer,
        nb_per_page: { const: 20 },
        page: integer,
        data: {
          type: 'array',
          items: object(
            {
              id: integer,
              email: text(),
              type: { enum: ['simple', 'advanced'] },
              token: text(),
              createdAt: { type: 'string', description: '`YYYY-MM-DD HH:MM:SS`, UTC' },
              credits: object({ balance: moneyString, currency: { const: 'EUR' } }, ['balance', 'currency']),
            },
            ['id', 'email', 'type', 'token', 'createdAt', 'credits'],
          ),
        },
      },
      ['total', 'nb_per_page', 'page', 'data'],
    ),
    codes: [1, 10, 4, 22],
  },
  'GET /v1/me': {
    operationId: 'me',
    summary: "The caller's own account and balance",
    tag: 'account',
    auth: 'apiKey',
    parameters: [apiKeyQuery],
    ok: ok(
      {
        user: object({ username: text() }, ['username']),
        credits: object({ balance: moneyString, currency: { const: 'EUR' } }, ['balance', 'currency']),
      },
      ['user', 'credits'],
    ),
    codes: [1, 10, 4],
  },
  'GET /v1/subaccount/credit/transfers': {
    operationId: 'listTransfers',
    summary: 'The transfer history, newest first, by cursor',
    description:
      'With `Accept: text/csv` the same rows come as CSV: without `limit`, the whole filtered history, streamed; with `limit`, one page and `X-Next-Cursor` for the next.',
    tag: 'history',
    auth: 'apiKey',
    parameters: [
      apiKeyQuery,
      tokenQuery('Only this subaccount.'),
      dateQuery('since', 'Inclusive'),
      dateQuery('until', 'Exclusive'),
      limitQuery('Page size.'),
      cursorQuery,
    ],
    ok: ok({ data: { type: 'array', items: historyTransfer }, nextCursor: nullable(text()) }, [
      'data',
      'nextCursor',
    ]),
    csv: true,
    codes: [1, 10, 4, 22, 7],
  },
  'GET /v1/subaccount/credit/transfers/:id': {
    operationId: 'getTransfer',
    summary: 'One transfer of the history',
    tag: 'history',
    auth: 'apiKey',
    parameters: [
      apiKeyQuery,
      { name: 'id', in: 'path', required: true, description: 'The transfer id.', schema: text() },
    ],
    ok: ok({ transfer: historyTransfer }, ['transfer']),
    codes: [1, 10, 4, 27],
  },
};
