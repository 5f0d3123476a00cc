import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Direction } from '../domain/transfers.js';
import { CreditQueueFullError, type CreditQueue } from '../app/credit-queue.js';
import { buildCreditCommand } from './credit-command.js';
import { bodyFields } from './body.js';
import { sendError } from './errors.js';
import { readApiKey, readField, usableApiKey, usableToken } from './fields.js';
import { buildClaim, readIdempotencyKey, scopeOf, sendAnswer } from './idempotency.js';
import { successJson } from '../domain/answers/credit-answer.js';
import { keyHashOf } from './key-hash.js';
import { JSON_TYPE } from './json.js';
import { preferredLanguage } from './language.js';

export function registerCreditRoutes(app: FastifyInstance, queue: CreditQueue): void {
  const onRequest = refuseWhenOverloaded(queue);
  app.post('/v1/subaccount/credit/add', { onRequest }, (request, reply) =>
    handleCredit('add', queue, request, reply),
  );
  app.post('/v1/subaccount/credit/remove', { onRequest }, (request, reply) =>
    handleCredit('remove', queue, request, reply),
  );
}

/**
 * Past the queue's bound a credit request is refused before its body is
 * read, keyed or decided: under overload most requests are refused, and each
 * refusal should cost the event loop as little as possible. One error
 * serves them all (no stack captured per refusal); the error handler answers
 * 503 with Retry-After and the contract's body.
 */
function refuseWhenOverloaded(queue: CreditQueue) {
  const refusal = new CreditQueueFullError();
  return (_request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void => {
    if (queue.overloaded()) done(refusal);
    else done();
  };
}

/**
 * Code 26 (a malformed Idempotency-Key) comes first. Codes 1, 2, 3 are about presence and are answered here; a key that cannot
 * be one (wrong type, too long) is 10, which comes next anyway. Everything
 * else (10, 4, 20, 5, 7, 6, 8) is decided by the store inside the transaction.
 */
async function handleCredit(
  direction: Direction,
  queue: CreditQueue,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const idempotencyKey = readIdempotencyKey(request);
  if (idempotencyKey.kind === 'invalid') return sendError(request, reply, 26);
  const body = bodyFields(request);
  const apiKey = readApiKey(request, body);
  const credit = readField(body, 'credit');
  const token = readField(body, 'tokenSubaccount');
  if (apiKey.kind === 'absent') return sendError(request, reply, 1);
  if (credit.kind === 'absent') return sendError(request, reply, 2);
  if (token.kind === 'absent') return sendError(request, reply, 3);
  const secret = usableApiKey(apiKey);
  if (secret === null) return sendError(request, reply, 10);
  const command = buildCreditCommand({
    direction,
    keyHash: keyHashOf(request, secret),
    tokenSubaccount: usableToken(token),
    creditText: credit.kind === 'text' ? credit.text : null,
    idempotencyKey: idempotencyKey.kind === 'key' ? idempotencyKey.key : null,
  });
  const guarded =
    idempotencyKey.kind === 'key'
      ? {
          ...command,
          idempotency: {
            claim: buildClaim(request, body, scopeOf(secret, 'api'), idempotencyKey.key, command.createdAt),
            language: preferredLanguage(request.headers['accept-language']),
          },
        }
      : command;
  const outcome = await queue.submit(guarded);
  if (outcome.answer !== undefined) return sendAnswer(reply, outcome.answer);
  if (!outcome.ok) return sendError(request, reply, outcome);
  return reply.type(JSON_TYPE).send(successJson(outcome));
}
