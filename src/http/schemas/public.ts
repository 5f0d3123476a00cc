import { allRequired, enumOf, object, text, ANSWERS, SUBACCOUNTS_PER_PAGE } from 'tirelire-client/shapes';
import { MAX_BATCH_OPERATIONS } from '../bounds.js';
import { MAX_TRANSFERS_EXAMINED } from '../../domain/pages.js';
import {
  amountInput,
  apiKeyField,
  apiKeyQuery,
  cursorQuery,
  dateQuery,
  limitQuery,
  tokenQuery,
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

const CREDIT_CODES = [1, 2, 3, 10, 4, 20, 5, 7, 6, 8] as const;

const batchOperation = allRequired({
  direction: enumOf(['add', 'remove']),
  tokenSubaccount: text(),
  credit: amountInput,
});

const tokenField = text('The subaccount token (`token` is read too, as the Mailpartner family names it).');

const deleteDoc = (operationId: string): RouteDoc => ({
  operationId,
  summary: 'Delete (close) a subaccount: its balance back to the main account',
  description:
    "In one transaction the whole balance goes back to the main account as a transfer of kind `close`, then the subaccount is closed: its token answers 7 from then on, `list` no longer shows it, an advanced subaccount's key answers 10, its email may be used again; its history stays in the main account's. `credit` is the main account's available balance after. Parameters in the body or the query string.",
  tag: 'subaccounts',
  auth: 'apiKey',
  parameters: [apiKeyQuery, tokenQuery('The subaccount token (or `token`).')],
  body: object({ apiKey: apiKeyField, tokenSubaccount: tokenField, token: tokenField }, []),
  ok: ANSWERS.deleteSubaccount,
  codes: [1, 3, 10, 4, 7, 36],
});

const ruleAmount = (description: string) => ({
  ...amountInput,
  description: `${description} ${amountInput['description'] as string}`,
});
const nullOr = (schema: Record<string, unknown>, description: string) => ({
  description: `${description} \`null\` removes the rule; left out, it is unchanged.`,
  anyOf: [schema, { type: 'null' }],
});

/** The rules fields of a rules request (contract section 8), public and operator alike. */
export const rulesFields = {
  lowBalance: nullOr(ruleAmount('EUR.'), 'balance.low when the available balance falls below this.'),
  autoTopup: nullOr(
    {
      oneOf: [
        object({ below: ruleAmount('EUR.'), to: ruleAmount('Above `below`.') }, ['below', 'to']),
        object({ below: ruleAmount('EUR.'), add: ruleAmount('EUR.') }, ['below', 'add']),
      ],
    },
    'Before a usage debit that would leave less than `below`: a top-up from the main account to leave `to`, or of `add`. Subaccounts only.',
  ),
  spendingCap: nullOr(
    object({ amount: ruleAmount('EUR.'), period: enumOf(['day', 'month']) }, ['amount', 'period']),
    'Usage (charges, holds) per UTC day or month; beyond it, code 32.',
  ),
};

/** What a subaccount creation says of the subaccount, on /v1 (with the key) and /admin/v1 alike. */
const subaccountCreateFields = {
  type: { enum: ['simple', 'advanced'], default: 'simple' },
  parameters: object({
    email: {
      type: 'string',
      format: 'email',
      description: 'Required for `advanced`; generated for `simple`.',
      examples: ['shop@example.com'],
    },
    creditToAttribute: amountInput,
    isBuyer: { anyOf: [{ type: 'boolean' }, { enum: ['1', '0', 'true', 'false'] }] },
    title: text(),
    firstname: text(),
    lastname: text(),
  }),
} as const;

/** The operator's subaccount creation takes the body of /v1/subaccount/create without its key. */
export const subaccountCreateBody = object(subaccountCreateFields, []);

export const PUBLIC_ROUTES: Record<string, RouteDoc> = {
  'POST /v1/subaccount/credit/add': {
    operationId: 'addCredit',
    summary: 'Move credit from the main account to a subaccount',
    tag: 'credit',
    auth: 'apiKey',
    body: creditBody,
    ok: ANSWERS.addCredit,
    codes: CREDIT_CODES,
  },
  'POST /v1/subaccount/credit/remove': {
    operationId: 'removeCredit',
    summary: 'Move credit from a subaccount back to the main account',
    tag: 'credit',
    auth: 'apiKey',
    body: creditBody,
    ok: ANSWERS.removeCredit,
    codes: CREDIT_CODES,
  },
  'POST /v1/subaccount/credit/batch': {
    operationId: 'batchCredit',
    summary: `Up to ${MAX_BATCH_OPERATIONS} adds and removes in one request`,
    description:
      'One result per operation, in order. With `"atomic": true` the batch is all-or-nothing: a batch with any refusal applies nothing and answers the first refusal\'s code and status; its results give each refusal its own code and every other operation code 31 (not applied).',
    tag: 'credit',
    auth: 'apiKey',
    body: object(
      {
        apiKey: apiKeyField,
        operations: { type: 'array', minItems: 1, maxItems: MAX_BATCH_OPERATIONS, items: batchOperation },
        atomic: { type: 'boolean', default: false },
      },
      ['operations'],
    ),
    ok: ANSWERS.batchCredit,
    codes: [1, 28, 22, 10, 4, 2, 3, 20, 5, 7, 6, 8],
  },
  'POST /v1/subaccount/create': {
    operationId: 'createSubaccount',
    summary: 'Create a subaccount, optionally with an opening credit',
    description: 'An `advanced` subaccount gets its own `apiKey`, shown in this answer only.',
    tag: 'subaccounts',
    auth: 'apiKey',
    body: object({ apiKey: apiKeyField, ...subaccountCreateFields }, []),
    ok: ANSWERS.createSubaccount,
    codes: [1, 10, 4, 22, 20, 5, 23, 6, 8],
  },
  'GET /v1/subaccount/list': {
    operationId: 'listSubaccounts',
    summary: `The subaccounts of the main account, ${SUBACCOUNTS_PER_PAGE} per page`,
    tag: 'subaccounts',
    auth: 'apiKey',
    parameters: [
      apiKeyQuery,
      { name: 'page', in: 'query', description: '1 by default.', schema: { type: 'integer', minimum: 1 } },
    ],
    ok: ANSWERS.listSubaccounts,
    codes: [1, 10, 4, 22],
  },
  'POST /v1/subaccount/delete': deleteDoc('deleteSubaccount'),
  'DELETE /v1/subaccount/delete': deleteDoc('deleteSubaccountByDelete'),
  'GET /v1/subaccount/rules': {
    operationId: 'getRules',
    summary: "A subaccount's balance rules",
    tag: 'subaccounts',
    auth: 'apiKey',
    parameters: [apiKeyQuery, tokenQuery('The subaccount token.')],
    ok: ANSWERS.getRules,
    codes: [1, 3, 10, 4, 7],
  },
  'POST /v1/subaccount/rules': {
    operationId: 'setRules',
    summary: "Set or remove a subaccount's balance rules",
    description:
      'A field left out is unchanged, `null` removes the rule (the text `null` too, for forms), one bad field refuses the whole request. Answers the rules as a GET then reads them. Setting values is idempotent by nature: `Idempotency-Key` is not recorded.',
    tag: 'subaccounts',
    auth: 'apiKey',
    body: object({ apiKey: apiKeyField, tokenSubaccount: tokenField, ...rulesFields }, ['tokenSubaccount']),
    ok: ANSWERS.setRules,
    codes: [1, 3, 10, 4, 7, 22, 20, 5],
    idempotent: false,
  },
  'GET /v1/me': {
    operationId: 'me',
    summary: "The caller's own account and balance",
    tag: 'account',
    auth: 'apiKey',
    parameters: [apiKeyQuery],
    ok: ANSWERS.me,
    codes: [1, 10, 4],
  },
  'GET /v1/subaccount/credit/transfers': {
    operationId: 'listTransfers',
    summary: 'The transfer history, newest first, by cursor',
    description: `A page filtered by what its index does not hold (\`since\`, \`until\`) reads at most ${MAX_TRANSFERS_EXAMINED} transfers, so it may hold fewer than \`limit\`, none even, and still have a \`nextCursor\`. With \`Accept: text/csv\` the same rows come as CSV: without \`limit\`, the whole filtered history, streamed; with \`limit\`, one page and \`X-Next-Cursor\` for the next.`,
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
    ok: ANSWERS.listTransfers,
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
    ok: ANSWERS.getTransfer,
    codes: [1, 10, 4, 27],
  },
};
