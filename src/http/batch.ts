import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { batchAnswer } from '../domain/answers/batch-answer.js';
import type { ErrorCode } from '../domain/errors.js';
import type { Store } from '../domain/store.js';
import type { BatchAnswerSpec, BatchApply, CreditCommand, Direction } from '../domain/transfers.js';
import { readAmount } from './credit-command.js';
import { newTransferId } from '../app/ids.js';
import { keyHashOf } from './key-hash.js';
import { bodyFields, isPlainObject, type Fields } from './body.js';
import { MAX_BATCH_BODY_BYTES, MAX_BATCH_OPERATIONS } from './bounds.js';
import { sendError } from './errors.js';
import { readApiKey, readField, usableApiKey, usableToken } from './fields.js';
import { buildClaim, readIdempotencyKey, scopeOf, sendAnswer } from './idempotency.js';
import { preferredLanguage } from './language.js';

const BATCH_PATH = '/v1/subaccount/credit/batch';

/**
 * `POST /v1/subaccount/credit/batch`: up to 1000 add/remove operations of one
 * caller in one store transaction, a result per operation in order.
 *
 * Checked once for the batch, in this order: 1 (no key), 28 (`operations`
 * not an array of 1–1000 objects), 22 (`atomic` not a boolean), 10, 4. Then
 * each operation in the single routes' order: 22 (direction neither add nor
 * remove), 2, 3, 20, 5, 7, 6, 8 — each against the balances the operations
 * before it left. Without `atomic` the answer is 200 whatever each result;
 * with `"atomic": true` a batch with any failure applies nothing and answers
 * the first failure's code and status, its results giving each failure its
 * own code and every other operation code 31 (not applied).
 */
export function registerBatchRoute(app: FastifyInstance, store: Store): void {
  app.post(BATCH_PATH, { bodyLimit: MAX_BATCH_BODY_BYTES }, (request, reply) =>
    handleBatch(store, request, reply),
  );
}

/** An operation as read from the body: what the store must decide, or a code found before it. */
type Operation = { readonly command: CreditCommand } | { readonly code: ErrorCode };

async function handleBatch(
  store: Store,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const idempotencyKey = readIdempotencyKey(request);
  if (idempotencyKey.kind === 'invalid') return sendError(request, reply, 26);
  const body = bodyFields(request);
  const apiKey = readApiKey(request, body);
  if (apiKey.kind === 'absent') return sendError(request, reply, 1);
  const operations = body['operations'];
  if (!isOperationList(operations)) return sendError(request, reply, 28);
  const atomic = body['atomic'] ?? false;
  if (typeof atomic !== 'boolean') return sendError(request, reply, { code: 22, param: 'atomic' });
  const secret = usableApiKey(apiKey);
  if (secret === null) return sendError(request, reply, 10);
  const keyHash = keyHashOf(request, secret);
  const createdAt = new Date();
  const key = idempotencyKey.kind === 'key' ? idempotencyKey.key : null;
  const read = operations.map((fields) => readOperation(fields, keyHash, createdAt, key));
  const commands: CreditCommand[] = [];
  for (const operation of read) if ('command' in operation) commands.push(operation.command);
  const refusedEarly = commands.length < read.length;
  const apply: BatchApply = !atomic ? 'each' : refusedEarly ? 'none' : 'all-or-nothing';
  const spec: BatchAnswerSpec = {
    language: preferredLanguage(request.headers['accept-language']),
    earlyCodes: read.map((operation) => ('code' in operation ? operation.code : null)),
    apply,
  };
  const batch = { keyHash, commands, apply };
  const outcome = await store.applyCreditBatch(
    key === null
      ? batch
      : {
          ...batch,
          idempotency: {
            ...spec,
            claim: buildClaim(request, body, scopeOf(secret, 'api'), key, createdAt),
          },
        },
  );
  if (outcome.answer !== undefined) return sendAnswer(reply, outcome.answer);
  if (!outcome.ok) return sendError(request, reply, outcome);
  return sendAnswer(reply, { ...batchAnswer(outcome, spec), replayed: false });
}

function isOperationList(value: unknown): value is Fields[] {
  return (
    Array.isArray(value) &&
    value.length >= 1 &&
    value.length <= MAX_BATCH_OPERATIONS &&
    value.every((item) => isPlainObject(item))
  );
}

/** `idempotencyKey`: the batch's, which each of its transfers keeps. */
function readOperation(
  fields: Fields,
  keyHash: string,
  createdAt: Date,
  idempotencyKey: string | null,
): Operation {
  const direction = fields['direction'];
  if (direction !== 'add' && direction !== 'remove') return { code: 22 };
  const credit = readField(fields, 'credit');
  const token = readField(fields, 'tokenSubaccount');
  if (credit.kind === 'absent') return { code: 2 };
  if (token.kind === 'absent') return { code: 3 };
  return {
    command: {
      transferId: newTransferId(),
      direction: direction satisfies Direction,
      keyHash,
      // A token of the wrong type or length matches nothing (code 7), as on the single routes.
      tokenSubaccount: usableToken(token),
      amount: readAmount(credit.kind === 'text' ? credit.text : null),
      createdAt,
      idempotencyKey,
    },
  };
}
