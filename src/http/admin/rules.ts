import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Account, CloseSubaccountOutcome } from '../../domain/accounts.js';
import { errorAnswer } from '../../domain/answers/error-answer.js';
import { formatMicrosPadded } from '../../domain/money.js';
import type { Store } from '../../domain/store.js';
import * as rules from '../../app/rules.js';
import { bodyFields, type Fields } from '../body.js';
import { sendError } from '../errors.js';
import { queryFields } from '../fields.js';
import { guardOf, readIdempotencyKey, renderJson, sendAnswer } from '../idempotency.js';
import { operatorClaim } from '../idempotency-admin.js';
import type { Written } from '../json.js';
import { preferredLanguage } from '../language.js';
import { readRulesPatch } from '../rules-request.js';
import { readAll, readId, readOperator, readOptionalText } from './params.js';
import { rulesView, subaccountView } from './views.js';

/**
 * The operator's side of balance rules (contract section 8) on any account:
 * a main account by id, or with `tokenSubaccount` one of its subaccounts;
 * and closing a subaccount (section 6), as its owner's delete does.
 */
export function registerAccountRulesRoutes(admin: FastifyInstance, store: Store): void {
  admin.get('/accounts/:id/rules', (request, reply) => handleRules(store, request, reply, false));
  admin.post('/accounts/:id/rules', (request, reply) => handleRules(store, request, reply, true));
  admin.post('/accounts/:id/subaccounts/:token/close', (request, reply) => close(store, request, reply));
}

function pathParam(request: FastifyRequest, name: 'id' | 'token'): unknown {
  return (request.params as Record<string, unknown>)[name];
}

/**
 * Codes 29, 22, 30, 7, then the patch's 22, 20, 5 (and 22 for an automatic
 * top-up of a main account, which has no one to draw from). `tokenSubaccount`
 * may be in the body or the query string.
 */
async function handleRules(store: Store, request: FastifyRequest, reply: FastifyReply, change: boolean) {
  const body: Fields = change ? bodyFields(request) : {};
  const fromBody = readOptionalText(body, 'tokenSubaccount');
  const read = readAll(
    readId(pathParam(request, 'id')),
    fromBody.ok && fromBody.value === undefined
      ? readOptionalText(queryFields(request), 'tokenSubaccount')
      : fromBody,
  );
  if (!read.ok) return sendError(request, reply, read);
  const [id, tokenSubaccount] = read.value;
  const ref = { mainAccountId: id, tokenSubaccount };
  const result = change
    ? await rules.setRules(store, ref, readRulesPatch(body))
    : await rules
        .getRules(store, ref)
        .then((found) => (found.ok ? { ...found, value: found.value.rules } : found));
  if (!result.ok) return sendError(request, reply, result);
  if (change) request.log.info({ action: 'rules', accountId: id }, 'operator action');
  return reply.send({
    success: true,
    code: 200,
    rules: rulesView(result.value),
  } satisfies Written<'adminGetRules'>);
}

function closedBody(subaccount: Account, outcome: Extract<CloseSubaccountOutcome, { ok: true }>) {
  return {
    success: true,
    code: 200,
    subaccount: subaccountView(subaccount),
    transferId: outcome.transferId,
    mainAvailable: formatMicrosPadded(outcome.mainAvailableMicros),
  } satisfies Written<'adminCloseSubaccount'>;
}

/** Codes 29, 26, 22, 30, 7, 36; Idempotency-Key as on every operator POST that changes balances. */
async function close(store: Store, request: FastifyRequest, reply: FastifyReply) {
  const idempotencyKey = readIdempotencyKey(request);
  if (idempotencyKey.kind === 'invalid') return sendError(request, reply, 26);
  const body = bodyFields(request);
  const token = pathParam(request, 'token');
  const read = readAll(readOperator(request), readId(pathParam(request, 'id')));
  if (!read.ok) return sendError(request, reply, read);
  const [operatorName, id] = read.value;
  const language = preferredLanguage(request.headers['accept-language']);
  const guard =
    idempotencyKey.kind === 'key'
      ? (after: Account) =>
          guardOf<CloseSubaccountOutcome>(
            operatorClaim(request, body, operatorName, idempotencyKey.key),
            (outcome) =>
              outcome.ok ? renderJson(200, closedBody(after, outcome)) : errorAnswer(outcome.code, language),
          )
      : undefined;
  const ref = { mainAccountId: id, tokenSubaccount: typeof token === 'string' ? token : '' };
  const result = await rules.closeSubaccount(store, ref, guard);
  if (result.answer !== undefined) return sendAnswer(reply, result.answer);
  if (!result.ok) return sendError(request, reply, result);
  const { subaccount, transferId } = result.value;
  request.log.info({ operator: operatorName, action: 'close', accountId: id, transferId }, 'operator action');
  return reply.send(closedBody(subaccount, { ok: true, ...result.value }));
}
