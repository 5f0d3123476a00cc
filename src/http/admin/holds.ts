import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Account } from '../../domain/accounts.js';
import { errorAnswer } from '../../domain/answers/error-answer.js';
import { holdView } from '../../domain/answers/hold-view.js';
import type { HoldOutcome, HoldStatus } from '../../domain/holds.js';
import type { IdempotencyGuard } from '../../domain/idempotency.js';
import type { Store } from '../../domain/store.js';
import * as holds from '../../app/holds.js';
import { checkAudit, type OperatorResult } from '../../app/operator.js';
import { bodyFields, type Fields } from '../body.js';
import { DEFAULT_HOLD_PAGE, MAX_HOLD_PAGE } from '../bounds.js';
import { sendError } from '../errors.js';
import { queryFields, readField } from '../fields.js';
import { guardOf, readIdempotencyKey, renderJson, sendAnswer, type KeyRead } from '../idempotency.js';
import { operatorClaim, withBalances } from '../idempotency-admin.js';
import type { Written } from '../json.js';
import { preferredLanguage } from '../language.js';
import {
  readAll,
  readCredit,
  readCursor,
  readId,
  readLimit,
  readOperator,
  readOptionalText,
  readRequiredCredit,
  type Read,
} from './params.js';
import { accountView, transferView } from './views.js';

/**
 * Holds (contract section 9): place on a main account or one of its
 * subaccounts, capture (whole or in part: a `charge`), void, read, list.
 * Codes in the contract's order: 29 (the auth hook), the request's own
 * inputs (22, 2, 20, 5), then 30, 7, 33, 34, 35, 32, 6, 8.
 */
export function registerHoldRoutes(admin: FastifyInstance, store: Store): void {
  admin.post('/accounts/:id/holds', (request, reply) => place(store, request, reply));
  admin.post('/holds/:holdId/capture', (request, reply) => settle(store, request, reply, 'capture'));
  admin.post('/holds/:holdId/void', (request, reply) => settle(store, request, reply, 'void'));
  admin.get('/holds/:holdId', (request, reply) => getOne(store, request, reply));
  admin.get('/holds', (request, reply) => list(store, request, reply));
}

/** The main account an answer shows, read before the change, and its subaccount count. */
interface MainRead {
  readonly account: Account;
  readonly subaccountCount: number;
}

async function readMain(store: Store, mainAccountId: number): Promise<MainRead | null> {
  const account = await store.getAccount(mainAccountId);
  if (account === null || account.kind !== 'main') return null;
  return { account, subaccountCount: await store.countSubaccounts(mainAccountId) };
}

/** A hold's answer: the hold, its tree's main account after the change, and a capture's charge. */
function holdBody(main: MainRead, outcome: Extract<HoldOutcome, { ok: true }>): Written<'adminCaptureHold'> {
  const account = accountView(withBalances(main.account, outcome.mainAccount), main.subaccountCount);
  const hold = holdView(outcome.hold);
  const transfer = outcome.transfer === null ? {} : { transfer: transferView(outcome.transfer) };
  return { success: true, code: 200, hold, account, ...transfer };
}

function holdGuard(
  request: FastifyRequest,
  body: Fields,
  operatorName: string,
  idempotencyKey: KeyRead,
  main: MainRead | null,
): IdempotencyGuard<HoldOutcome> | undefined {
  if (idempotencyKey.kind !== 'key' || main === null) return undefined;
  const claim = operatorClaim(request, body, operatorName, idempotencyKey.key);
  const language = preferredLanguage(request.headers['accept-language']);
  return guardOf<HoldOutcome>(claim, (outcome) =>
    outcome.ok ? renderJson(200, holdBody(main, outcome)) : errorAnswer(outcome.code, language),
  );
}

async function answer(
  request: FastifyRequest,
  reply: FastifyReply,
  main: MainRead | null,
  result: OperatorResult<holds.HoldChange>,
  operatorName: string,
): Promise<FastifyReply> {
  if (result.answer !== undefined) return sendAnswer(reply, result.answer);
  if (!result.ok) return sendError(request, reply, result);
  if (main === null) throw new Error('a hold changed on a tree whose main account was not read');
  const { hold } = result.value;
  request.log.info(
    { operator: operatorName, action: `hold.${hold.status}`, accountId: hold.mainAccountId, holdId: hold.id },
    'operator action',
  );
  return reply.send(holdBody(main, { ok: true, ...result.value }));
}

/** `reason`: text of at most 500 characters (the use case's bound), 22 before `credit`'s 2 as the order says. */
function readReason(body: Fields): Read<string | undefined> {
  const reason = readOptionalText(body, 'reason');
  if (!reason.ok || reason.value === undefined) return reason;
  const code = checkAudit({ reason: reason.value });
  return code === null ? reason : { ok: false, code, param: 'reason' };
}

/** `expiresIn`: whole seconds as text (a JSON number keeps its text), 1–604800; else 22. */
function readExpiresIn(body: Fields): Read<string | undefined> {
  const field = readField(body, 'expiresIn');
  if (field.kind === 'absent') return { ok: true, value: undefined };
  if (field.kind !== 'text') return { ok: false, code: 22, param: 'expiresIn' };
  const seconds = holds.readExpiresIn(field.text);
  return seconds.ok ? { ok: true, value: field.text } : { ...seconds, param: 'expiresIn' };
}

async function place(store: Store, request: FastifyRequest, reply: FastifyReply) {
  const idempotencyKey = readIdempotencyKey(request);
  if (idempotencyKey.kind === 'invalid') return sendError(request, reply, 26);
  const body = bodyFields(request);
  const read = readAll(
    readOperator(request),
    readId((request.params as { id?: unknown }).id),
    readReason(body),
    // A token of any length is looked up after the account: one that names nothing is 7, after 30.
    readOptionalText(body, 'tokenSubaccount'),
    readExpiresIn(body),
    readRequiredCredit(body),
  );
  if (!read.ok) return sendError(request, reply, read);
  const [operatorName, id, reason, tokenSubaccount, expiresIn, credit] = read.value;
  const main = await readMain(store, id);
  const guard = holdGuard(request, body, operatorName, idempotencyKey, main);
  const input = { credit, reason, expiresIn, guard };
  const result = await holds.placeHold(store, { mainAccountId: id, tokenSubaccount }, input);
  return answer(request, reply, main, result, operatorName);
}

function holdIdOf(request: FastifyRequest): string {
  const holdId = (request.params as { holdId?: unknown }).holdId;
  return typeof holdId === 'string' ? holdId : '';
}

async function settle(store: Store, request: FastifyRequest, reply: FastifyReply, kind: 'capture' | 'void') {
  const idempotencyKey = readIdempotencyKey(request);
  if (idempotencyKey.kind === 'invalid') return sendError(request, reply, 26);
  const body = bodyFields(request);
  const read = readAll(readOperator(request), kind === 'capture' ? readCredit(body) : ok(undefined));
  if (!read.ok) return sendError(request, reply, read);
  const [operatorName, credit] = read.value;
  const holdId = holdIdOf(request);
  // The answer shows the hold's main account: the hold names it (none: the store answers 33).
  const found = holds.isHoldId(holdId) ? await store.getHold(holdId) : null;
  const main = found === null ? null : await readMain(store, found.mainAccountId);
  const guard = holdGuard(request, body, operatorName, idempotencyKey, main);
  const result = await holds.settleHold(store, holdId, kind, { credit, operator: operatorName, guard });
  return answer(request, reply, main, result, operatorName);
}

const ok = <T>(value: T): Read<T> => ({ ok: true, value });

async function getOne(store: Store, request: FastifyRequest, reply: FastifyReply) {
  const result = await holds.getHold(store, holdIdOf(request));
  if (!result.ok) return sendError(request, reply, result);
  return reply.send({
    success: true,
    code: 200,
    hold: holdView(result.value),
  } satisfies Written<'adminGetHold'>);
}

const STATUSES: readonly HoldStatus[] = ['pending', 'captured', 'voided', 'expired'];

function readStatus(query: Fields): Read<HoldStatus | undefined> {
  const field = readField(query, 'status');
  if (field.kind === 'absent') return ok(undefined);
  const status = STATUSES.find((known) => field.kind === 'text' && field.text === known);
  return status === undefined ? { ok: false, code: 22, param: 'status' } : ok(status);
}

async function list(store: Store, request: FastifyRequest, reply: FastifyReply) {
  const query = queryFields(request);
  const accountId = readField(query, 'accountId');
  const read = readAll(
    readId(accountId.kind === 'text' ? accountId.text : undefined, 'accountId'),
    readStatus(query),
    readLimit(query, DEFAULT_HOLD_PAGE, MAX_HOLD_PAGE),
    readCursor(query),
  );
  if (!read.ok) return sendError(request, reply, read);
  const [id, status, limit, cursor] = read.value;
  const result = await holds.listHolds(store, { accountId: id, status, limit, cursor });
  if (!result.ok) return sendError(request, reply, result);
  return reply.send({
    success: true,
    code: 200,
    data: result.value.items.map(holdView),
    nextCursor: result.value.nextCursor,
  } satisfies Written<'adminListHolds'>);
}
