import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CloseSubaccountOutcome } from '../domain/accounts.js';
import { errorAnswer } from '../domain/answers/error-answer.js';
import type { Store } from '../domain/store.js';
import { newTransferId } from '../app/ids.js';
import { bodyFields } from './body.js';
import { sendError } from './errors.js';
import { buildClaim, guardOf, readIdempotencyKey, renderJson, scopeOf, sendAnswer } from './idempotency.js';
import { money, type Written } from './json.js';
import { preferredLanguage } from './language.js';
import { readSubaccountTarget } from './subaccount-target.js';

const DELETE_PATH = '/v1/subaccount/delete';

/**
 * `POST` (and `DELETE`) `/v1/subaccount/delete` (contract section 6): the
 * subaccount's balance back to its main account as a `close` transfer, then
 * the subaccount closed, in one transaction. Codes 1, 3 here; 10, 4, 7, 36
 * decided by the store.
 */
export function registerSubaccountDeleteRoutes(app: FastifyInstance, store: Store): void {
  app.post(DELETE_PATH, (request, reply) => handleDelete(store, request, reply));
  app.delete(DELETE_PATH, (request, reply) => handleDelete(store, request, reply));
}

async function handleDelete(
  store: Store,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const idempotencyKey = readIdempotencyKey(request);
  if (idempotencyKey.kind === 'invalid') return sendError(request, reply, 26);
  const body = bodyFields(request);
  const target = readSubaccountTarget(request, body);
  if (typeof target === 'number') return sendError(request, reply, target);
  const command = {
    by: { keyHash: target.keyHash },
    tokenSubaccount: target.token,
    transferId: newTransferId(),
    createdAt: new Date(),
  };
  const language = preferredLanguage(request.headers['accept-language']);
  const outcome = await store.closeSubaccount(
    idempotencyKey.kind === 'key'
      ? {
          ...command,
          idempotency: guardOf<CloseSubaccountOutcome>(
            buildClaim(request, body, scopeOf(target.apiKey, 'api'), idempotencyKey.key, command.createdAt),
            (done) => (done.ok ? renderJson(200, deletedBody(done)) : errorAnswer(done.code, language)),
          ),
        }
      : command,
  );
  if (outcome.answer !== undefined) return sendAnswer(reply, outcome.answer);
  if (!outcome.ok) return sendError(request, reply, outcome);
  return reply.send(deletedBody(outcome));
}

function deletedBody(outcome: Extract<CloseSubaccountOutcome, { ok: true }>): Written<'deleteSubaccount'> {
  return {
    success: true,
    code: 200,
    credit: money(outcome.mainAvailableMicros),
    transferId: outcome.transferId,
  };
}
