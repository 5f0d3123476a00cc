import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Account } from '../../domain/accounts.js';
import type { Store } from '../../domain/store.js';
import * as operator from '../../app/operator.js';
import { bodyFields, type Fields } from '../body.js';
import {
  DEFAULT_ACCOUNT_PAGE,
  MAX_ACCOUNT_PAGE,
  MAX_ACTIONS_SHOWN,
  MAX_SUBACCOUNTS_SHOWN,
} from '../bounds.js';
import { readIdempotencyKey, sendAnswer, type KeyRead } from '../idempotency.js';
import { createAccountGuard, moveGuard } from '../idempotency-admin.js';
import { sendError } from '../errors.js';
import { queryFields } from '../fields.js';
import {
  readCredit,
  readRequiredCredit,
  readCursor,
  readEmail,
  readId,
  readLimit,
  readOperator,
  readOptionalText,
  readSearch,
  readAll,
  readToken,
  type Read,
} from './params.js';
import type { WrittenFields } from '../json.js';
import { accountView, actionView, subaccountView, transferView } from './views.js';

type Handler = (store: Store, request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

/** Account routes; each action calls the operator service the CLI also calls. */
export function registerAccountRoutes(admin: FastifyInstance, store: Store): void {
  const route = (handler: Handler) => (request: FastifyRequest, reply: FastifyReply) =>
    handler(store, request, reply);
  admin.get('/accounts', route(listAccounts));
  admin.post('/accounts', route(createAccount));
  admin.get('/accounts/:id', route(getAccount));
  admin.post('/accounts/:id/topup', route(topUp));
  admin.post('/accounts/:id/charge', route(charge));
  admin.post(
    '/accounts/:id/suspend',
    route((s, q, r) => setStatus(s, q, r, 'suspended')),
  );
  admin.post(
    '/accounts/:id/resume',
    route((s, q, r) => setStatus(s, q, r, 'active')),
  );
  admin.post('/accounts/:id/rotate-key', route(rotateKey));
}

function success(reply: FastifyReply, body: Record<string, unknown>): FastifyReply {
  return reply.send({ success: true, code: 200, ...body });
}

/** The account as the API shows it now, with its subaccount count. */
async function freshView(store: Store, account: Account | number) {
  const id = typeof account === 'number' ? account : account.id;
  const current = typeof account === 'number' ? await store.getAccount(id) : account;
  if (current === null) throw new Error(`account ${id} vanished`);
  return accountView(current, await store.countSubaccounts(id));
}

function pathId(request: FastifyRequest): Read<number> {
  return readId((request.params as { id?: unknown }).id);
}

async function listAccounts(store: Store, request: FastifyRequest, reply: FastifyReply) {
  const query = queryFields(request);
  const read = readAll(
    readSearch(query),
    readLimit(query, DEFAULT_ACCOUNT_PAGE, MAX_ACCOUNT_PAGE),
    readCursor(query),
  );
  if (!read.ok) return sendError(request, reply, read);
  const [search, limit, cursor] = read.value;
  const page = await store.listMainAccounts({ search, limit, cursor });
  return success(reply, {
    data: page.items.map((item) => accountView(item.account, item.subaccountCount)),
    nextCursor: page.nextCursor,
  } satisfies WrittenFields<'adminListAccounts'>);
}

async function createAccount(store: Store, request: FastifyRequest, reply: FastifyReply) {
  const idempotencyKey = readIdempotencyKey(request);
  if (idempotencyKey.kind === 'invalid') return sendError(request, reply, 26);
  const body = bodyFields(request);
  const read = readAll(
    readOperator(request),
    readEmail(body),
    readCredit(body),
    readOptionalText(body, 'reason'),
  );
  if (!read.ok) return sendError(request, reply, read);
  const [operatorName, email, credit, reason] = read.value;
  const input = { email, credit, reason, operator: operatorName };
  const result = await operator.createMainAccount(
    store,
    idempotencyKey.kind === 'key'
      ? { ...input, guard: createAccountGuard(request, body, operatorName, idempotencyKey.key) }
      : input,
  );
  if (result.answer !== undefined) return sendAnswer(reply, result.answer);
  if (!result.ok) return sendError(request, reply, result);
  const { account, apiKey, transferId } = result.value;
  request.log.info(
    { operator: operatorName, action: 'create', accountId: account.id, transferId },
    'operator action',
  );
  return success(reply, {
    account: accountView(account, 0),
    apiKey,
    transferId,
  } satisfies WrittenFields<'adminCreateAccount'>);
}

async function getAccount(store: Store, request: FastifyRequest, reply: FastifyReply) {
  const id = pathId(request);
  if (!id.ok) return sendError(request, reply, id);
  const found = await operator.findMainAccountByRef(store, { accountId: id.value });
  if (!found.ok) return sendError(request, reply, found);
  // The operator sees closed subaccounts too, with their history; `subaccountCount` counts the open ones.
  const subaccounts = await store.listSubaccounts(id.value, 1, MAX_SUBACCOUNTS_SHOWN, true);
  const actions = await operator.listActions(store, id.value, MAX_ACTIONS_SHOWN);
  return success(reply, {
    account: accountView(found.value, subaccounts.total),
    subaccounts: subaccounts.items.map(subaccountView),
    actions: actions.map(actionView),
  } satisfies WrittenFields<'adminGetAccount'>);
}

async function topUp(store: Store, request: FastifyRequest, reply: FastifyReply) {
  const idempotencyKey = readIdempotencyKey(request);
  if (idempotencyKey.kind === 'invalid') return sendError(request, reply, 26);
  const body = bodyFields(request);
  const read = readAll(
    readOperator(request),
    pathId(request),
    readRequiredCredit(body),
    readOptionalText(body, 'reason'),
  );
  if (!read.ok) return sendError(request, reply, read);
  const [operatorName, id, credit, reason] = read.value;
  const guard = await guardOfMove(store, request, body, operatorName, idempotencyKey, id);
  const input = { credit, reason, operator: operatorName, guard };
  const result = await operator.topUp(store, { accountId: id }, input);
  return answerMove(store, request, reply, result, operatorName);
}

async function charge(store: Store, request: FastifyRequest, reply: FastifyReply) {
  const idempotencyKey = readIdempotencyKey(request);
  if (idempotencyKey.kind === 'invalid') return sendError(request, reply, 26);
  const body = bodyFields(request);
  const read = readAll(
    readOperator(request),
    pathId(request),
    readRequiredCredit(body),
    readOptionalText(body, 'reason'),
    readToken(body, 'tokenSubaccount'),
  );
  if (!read.ok) return sendError(request, reply, read);
  const [operatorName, id, credit, reason, tokenSubaccount] = read.value;
  const target = { mainAccountId: id, tokenSubaccount };
  const guard = await guardOfMove(store, request, body, operatorName, idempotencyKey, id);
  const result = await operator.charge(store, target, { credit, reason, operator: operatorName, guard });
  return answerMove(store, request, reply, result, operatorName);
}

async function answerMove(
  store: Store,
  request: FastifyRequest,
  reply: FastifyReply,
  result: operator.OperatorResult<operator.MovedCredit>,
  operatorName: string,
) {
  if (result.answer !== undefined) return sendAnswer(reply, result.answer);
  if (!result.ok) return sendError(request, reply, result);
  const { transfer } = result.value;
  request.log.info(
    {
      operator: operatorName,
      action: transfer.kind,
      accountId: transfer.mainAccountId,
      transferId: transfer.id,
    },
    'operator action',
  );
  return success(reply, {
    transfer: transferView(transfer),
    account: await freshView(store, transfer.mainAccountId),
  } satisfies WrittenFields<'adminTopUp' | 'adminCharge'>);
}

function guardOfMove(
  store: Store,
  request: FastifyRequest,
  body: Fields,
  operatorName: string,
  idempotencyKey: KeyRead,
  mainAccountId: number,
) {
  if (idempotencyKey.kind !== 'key') return Promise.resolve(undefined);
  return moveGuard(store, request, body, operatorName, idempotencyKey.key, mainAccountId);
}

/**
 * Suspend, resume and rotate-key move no money, so they leave no ledger
 * transfer: the service records them (operator, reason) in the audit trail,
 * in the transaction of the change. The log line carries the request id.
 */
function readAction(request: FastifyRequest) {
  return readAll(readOperator(request), pathId(request), readOptionalText(bodyFields(request), 'reason'));
}

async function setStatus(
  store: Store,
  request: FastifyRequest,
  reply: FastifyReply,
  status: 'active' | 'suspended',
) {
  const read = readAction(request);
  if (!read.ok) return sendError(request, reply, read);
  const [operatorName, id, reason] = read.value;
  const audit = { operator: operatorName, reason };
  const result = await operator.setAccountStatus(store, { accountId: id }, status, audit);
  if (!result.ok) return sendError(request, reply, result);
  request.log.info(
    { operator: operatorName, action: status === 'active' ? 'resume' : 'suspend', accountId: id },
    'operator action',
  );
  return success(reply, {
    account: await freshView(store, result.value),
  } satisfies WrittenFields<'adminSuspend' | 'adminResume'>);
}

async function rotateKey(store: Store, request: FastifyRequest, reply: FastifyReply) {
  const read = readAction(request);
  if (!read.ok) return sendError(request, reply, read);
  const [operatorName, id, reason] = read.value;
  const result = await operator.rotateKey(store, { accountId: id }, { operator: operatorName, reason });
  if (!result.ok) return sendError(request, reply, result);
  request.log.info({ operator: operatorName, action: 'rotate-key', accountId: id }, 'operator action');
  return success(reply, {
    account: await freshView(store, result.value.account),
    apiKey: result.value.apiKey,
  } satisfies WrittenFields<'adminRotateKey'>);
}
