import { object, text, ANSWERS, transferKindSchema } from 'tirelire-client/shapes';
import {
  amountInput,
  cursorQuery,
  dateQuery,
  limitQuery,
  tokenQuery,
  type JsonSchema,
  type ParameterDoc,
  type RouteDoc,
} from './common.js';
import {
  DEFAULT_ACCOUNT_PAGE,
  DEFAULT_TRANSFER_PAGE,
  MAX_ACCOUNT_PAGE,
  MAX_ACTIONS_SHOWN,
  MAX_SUBACCOUNTS_SHOWN,
  MAX_TRANSFER_CSV_PAGE,
  MAX_TRANSFER_PAGE,
  DEFAULT_HOLD_PAGE,
  MAX_HOLD_PAGE,
  DEFAULT_SUBACCOUNT_PAGE,
  MAX_SUBACCOUNT_PAGE,
  MAX_SUBACCOUNTS_EXAMINED,
} from '../bounds.js';
import { MAX_TRANSFERS_EXAMINED } from '../../domain/pages.js';
import { rulesFields, subaccountCreateBody } from './public.js';

/** The operator API under /admin/v1 (docs/admin-api.md); its answers are packages/client/src/shapes.ts's. */

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

/**
 * Suspend, resume and rotate-key move no money: Idempotency-Key is not
 * recorded for them (suspend and resume are idempotent by nature). Each is
 * kept in the account's audit trail with the operator and the reason.
 */
const statusRoute = (
  operationId: 'adminSuspend' | 'adminResume' | 'adminRotateKey',
  summary: string,
): RouteDoc => ({
  operationId,
  summary,
  tag: 'operator',
  auth: 'admin',
  parameters: [idPath, operatorHeader],
  body: object({ reason: text('Free text kept in the audit trail.') }, []),
  ok: ANSWERS[operationId],
  codes: [29, 22, 30],
  idempotent: false,
});

const holdIdPath: ParameterDoc = {
  name: 'holdId',
  in: 'path',
  required: true,
  description: 'A hold id (`hold_…`).',
  schema: { type: 'string' },
};

const settleRoute = (operationId: 'adminCaptureHold' | 'adminVoidHold', summary: string): RouteDoc => ({
  operationId,
  summary,
  tag: 'operator',
  auth: 'admin',
  parameters: [holdIdPath, operatorHeader],
  ...(operationId === 'adminCaptureHold'
    ? {
        body: object(
          {
            credit: {
              ...amountInput,
              description: `At most the hold's amount (35); the whole hold when absent. ${amountInput['description'] as string}`,
            },
          },
          [],
        ),
        codes: [29, 22, 20, 5, 33, 34, 35],
      }
    : { codes: [29, 22, 33, 34] }),
  ok: ANSWERS[operationId],
});

const HOLD_ROUTES: Record<string, RouteDoc> = {
  'POST /admin/v1/accounts/:id/holds': {
    operationId: 'adminPlaceHold',
    summary: 'Reserve credit on a main account or one of its subaccounts',
    description:
      "Reserves from the available balance (balance − pending holds), under the account's rules: the spending cap counts it (32), an automatic top-up may come first, then 6 or 8. The hold expires after `expiresIn` seconds unless captured or voided.",
    tag: 'operator',
    auth: 'admin',
    parameters: [idPath, operatorHeader],
    body: object(
      {
        credit: amountInput,
        tokenSubaccount: text('Hold on this subaccount of the account instead of the account itself.'),
        reason: text('Free text kept on the hold and on its capture.'),
        expiresIn: {
          type: 'integer',
          minimum: 1,
          maximum: 604800,
          default: 3600,
          description: 'Whole seconds.',
        },
      },
      ['credit'],
    ),
    ok: ANSWERS.adminPlaceHold,
    codes: [29, 22, 2, 20, 5, 30, 7, 32, 6, 8],
  },
  'POST /admin/v1/holds/:holdId/capture': settleRoute(
    'adminCaptureHold',
    'Capture a pending hold, whole or in part: a `charge`; the rest is released',
  ),
  'POST /admin/v1/holds/:holdId/void': settleRoute('adminVoidHold', 'Release a pending hold'),
  'GET /admin/v1/holds/:holdId': {
    operationId: 'adminGetHold',
    summary: 'One hold, as it stands now (a pending hold past its expiry reads as expired)',
    tag: 'operator',
    auth: 'admin',
    parameters: [holdIdPath],
    ok: ANSWERS.adminGetHold,
    codes: [29, 33],
  },
  'GET /admin/v1/holds': {
    operationId: 'adminListHolds',
    summary: "A main account's holds and its subaccounts', newest first, by cursor",
    tag: 'operator',
    auth: 'admin',
    parameters: [
      {
        name: 'accountId',
        in: 'query',
        required: true,
        description: 'A main account id.',
        schema: { type: 'integer' },
      },
      {
        name: 'status',
        in: 'query',
        description: 'One status only.',
        schema: { enum: ['pending', 'captured', 'voided', 'expired'] },
      },
      limitQuery(`1–${MAX_HOLD_PAGE}, default ${DEFAULT_HOLD_PAGE}.`),
      cursorQuery,
    ],
    ok: ANSWERS.adminListHolds,
    codes: [29, 22, 30],
  },
};

const RULES_ROUTES: Record<string, RouteDoc> = {
  'GET /admin/v1/accounts/:id/rules': {
    operationId: 'adminGetRules',
    summary: "An account's balance rules: the main account's, or with `tokenSubaccount` a subaccount's",
    tag: 'operator',
    auth: 'admin',
    parameters: [idPath, tokenQuery('A subaccount of the account.')],
    ok: ANSWERS.adminGetRules,
    codes: [29, 22, 30, 7],
  },
  'POST /admin/v1/accounts/:id/rules': {
    operationId: 'adminSetRules',
    summary: "Set or remove an account's balance rules (a main account's or a subaccount's)",
    description:
      'The body of `POST /v1/subaccount/rules`; `autoTopup` applies to subaccounts only (22 on a main account). Idempotent by nature: `Idempotency-Key` is not recorded.',
    tag: 'operator',
    auth: 'admin',
    parameters: [idPath, tokenQuery('A subaccount of the account (or in the body).')],
    body: object({ tokenSubaccount: text('A subaccount of the account.'), ...rulesFields }, []),
    ok: ANSWERS.adminSetRules,
    codes: [29, 22, 30, 7, 20, 5],
    idempotent: false,
  },
  'POST /admin/v1/accounts/:id/subaccounts/:token/close': {
    operationId: 'adminCloseSubaccount',
    summary: 'Close a subaccount: its balance back to the main account, its history kept',
    tag: 'operator',
    auth: 'admin',
    parameters: [
      idPath,
      { name: 'token', in: 'path', required: true, description: 'The subaccount token.', schema: text() },
      operatorHeader,
    ],
    ok: ANSWERS.adminCloseSubaccount,
    codes: [29, 22, 30, 7, 36],
  },
};

const SUBACCOUNT_ROUTES: Record<string, RouteDoc> = {
  'POST /admin/v1/accounts/:id/subaccounts': {
    operationId: 'adminCreateSubaccount',
    summary: 'Create a subaccount of a main account, as its owner would',
    description:
      "The body of `POST /v1/subaccount/create` without the key: the same rules, defaults and `subaccount.created` event (a simple subaccount without `email` gets a generated one; `creditToAttribute` is an `add` from the main account in the same transaction). A suspended main account may be given one. An advanced subaccount's key is `apiKey` in this answer only (null in an idempotent replay).",
    tag: 'operator',
    auth: 'admin',
    parameters: [idPath, operatorHeader],
    body: subaccountCreateBody,
    ok: ANSWERS.adminCreateSubaccount,
    codes: [29, 22, 30, 20, 5, 23, 6, 8],
  },
  'GET /admin/v1/subaccounts': {
    operationId: 'adminSearchSubaccounts',
    summary: 'Find subaccounts of every main account by email or token, newest first, by cursor',
    description: `A whole token answers its subaccount alone (by its unique index). Otherwise, subaccounts whose email contains \`search\` (case-insensitive; closed ones too), each with its main account: a page examines at most ${MAX_SUBACCOUNTS_EXAMINED} subaccounts, so it may hold fewer than \`limit\`, none even, and still have a \`nextCursor\`.`,
    tag: 'operator',
    auth: 'admin',
    parameters: [
      {
        name: 'search',
        in: 'query',
        description: 'Part of an email (case-insensitive), or a whole token; at most 254 characters.',
        schema: { type: 'string', maxLength: 254, examples: ['shop@example.com'] },
      },
      limitQuery(`1–${MAX_SUBACCOUNT_PAGE}, default ${DEFAULT_SUBACCOUNT_PAGE}.`),
      cursorQuery,
    ],
    ok: ANSWERS.adminSearchSubaccounts,
    codes: [29, 22],
  },
};

export const ADMIN_ROUTES: Record<string, RouteDoc> = {
  ...RULES_ROUTES,
  ...HOLD_ROUTES,
  ...SUBACCOUNT_ROUTES,
  'GET /admin/v1/accounts': {
    operationId: 'adminListAccounts',
    summary: 'Main accounts, newest first, by cursor',
    tag: 'operator',
    auth: 'admin',
    parameters: [
      { name: 'search', in: 'query', description: 'Part of an email, case-insensitive.', schema: text() },
      limitQuery(`1–${MAX_ACCOUNT_PAGE}, default ${DEFAULT_ACCOUNT_PAGE}.`),
      cursorQuery,
    ],
    ok: ANSWERS.adminListAccounts,
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
    ok: ANSWERS.adminCreateAccount,
    codes: [29, 22, 20, 5, 23],
  },
  'GET /admin/v1/accounts/:id': {
    operationId: 'adminGetAccount',
    summary: `One main account, its subaccounts (the first ${MAX_SUBACCOUNTS_SHOWN}, closed ones too) and its latest ${MAX_ACTIONS_SHOWN} operator actions`,
    tag: 'operator',
    auth: 'admin',
    parameters: [idPath],
    ok: ANSWERS.adminGetAccount,
    codes: [29, 22, 30],
  },
  'POST /admin/v1/accounts/:id/topup': {
    operationId: 'adminTopUp',
    summary: 'Add credit to a main account (after a payment)',
    tag: 'operator',
    auth: 'admin',
    parameters: [idPath, operatorHeader],
    body: moveBody(false),
    ok: ANSWERS.adminTopUp,
    codes: [29, 22, 2, 20, 5, 30],
  },
  'POST /admin/v1/accounts/:id/charge': {
    operationId: 'adminCharge',
    summary: 'Charge usage to a main account or one of its subaccounts',
    tag: 'operator',
    auth: 'admin',
    parameters: [idPath, operatorHeader],
    body: moveBody(true),
    ok: ANSWERS.adminCharge,
    codes: [29, 22, 2, 20, 5, 30, 7, 32, 6, 8],
  },
  'POST /admin/v1/accounts/:id/suspend': statusRoute(
    'adminSuspend',
    'Suspend a main account: its key gets code 4',
  ),
  'POST /admin/v1/accounts/:id/resume': statusRoute('adminResume', 'Resume a suspended main account'),
  'POST /admin/v1/accounts/:id/rotate-key': statusRoute(
    'adminRotateKey',
    'Replace the account key; the old one is refused at once',
  ),
  'GET /admin/v1/transfers': {
    operationId: 'adminListTransfers',
    summary: 'Every transfer of the platform, filtered, newest first',
    description: `A page filtered by what its index does not hold (\`since\`, \`until\`, \`kind=add\` or \`remove\`, a kind across every account) reads at most ${MAX_TRANSFERS_EXAMINED} transfers, so it may hold fewer than \`limit\`, none even, and still have a \`nextCursor\`. With \`Accept: text/csv\` the same rows come as CSV: without \`limit\`, the whole filtered history, streamed; with \`limit\`, one page and \`X-Next-Cursor\` for the next.`,
    tag: 'operator',
    auth: 'admin',
    parameters: [
      { name: 'accountId', in: 'query', description: 'A main account id.', schema: { type: 'integer' } },
      tokenQuery('A subaccount token.'),
      {
        name: 'kind',
        in: 'query',
        description: 'One kind only.',
        schema: transferKindSchema,
      },
      dateQuery('since', 'Inclusive'),
      dateQuery('until', 'Exclusive'),
      limitQuery(
        `JSON: 1–${MAX_TRANSFER_PAGE}, default ${DEFAULT_TRANSFER_PAGE}; CSV: 1–${MAX_TRANSFER_CSV_PAGE}, default none (the whole history).`,
      ),
      cursorQuery,
    ],
    ok: ANSWERS.adminListTransfers,
    csv: true,
    codes: [29, 22, 30, 7],
  },
};
