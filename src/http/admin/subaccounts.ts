import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CreateSubaccountOutcome } from '../../domain/accounts.js';
import type { SubaccountFound } from '../../domain/pages.js';
import type { Store } from '../../domain/store.js';
import * as subaccounts from '../../app/subaccounts.js';
import { bodyFields } from '../body.js';
import { DEFAULT_SUBACCOUNT_PAGE, MAX_SUBACCOUNT_PAGE, MAX_SUBACCOUNTS_EXAMINED } from '../bounds.js';
import { sendError } from '../errors.js';
import { queryFields } from '../fields.js';
import { readIdempotencyKey, sendAnswer } from '../idempotency.js';
import { operatorClaim } from '../idempotency-admin.js';
import type { Written } from '../json.js';
import { preferredLanguage } from '../language.js';
import { creationGuard, readCreateRequest } from '../subaccount-request.js';
import { readAll, readCursor, readId, readLimit, readOperator, readSearch } from './params.js';
import { subaccountView } from './views.js';

/**
 * The operator's subaccounts across main accounts: create one under a main
 * account (what its owner's POST /v1/subaccount/create does, through the same
 * use case), and find them by email or token.
 */
export function registerSubaccountRoutes(admin: FastifyInstance, store: Store): void {
  admin.post('/accounts/:id/subaccounts', (request, reply) => create(store, request, reply));
  admin.get('/subaccounts', (request, reply) => search(store, request, reply));
}

function createdBody(
  outcome: Extract<CreateSubaccountOutcome, { ok: true }>,
  apiKey: string | null,
): Written<'adminCreateSubaccount'> {
  return {
    success: true,
    code: 200,
    subaccount: subaccountView(outcome.account),
    apiKey,
    transferId: outcome.transferId,
  };
}

/**
 * Codes 29, 26, then the request's own 22 (X-Operator, the id, the body of
 * /v1/subaccount/create), then the store's 30, 20, 5, 23, 6, 8. With
 * Idempotency-Key a retry replays the answer, an advanced subaccount's key
 * written null.
 */
async function create(store: Store, request: FastifyRequest, reply: FastifyReply) {
  const idempotencyKey = readIdempotencyKey(request);
  if (idempotencyKey.kind === 'invalid') return sendError(request, reply, 26);
  const body = bodyFields(request);
  const read = readAll(readOperator(request), readId((request.params as { id?: unknown }).id));
  if (!read.ok) return sendError(request, reply, read);
  const [operatorName, id] = read.value;
  const input = readCreateRequest(body);
  if (input === null) return sendError(request, reply, 22);
  const guard =
    idempotencyKey.kind === 'key'
      ? creationGuard(
          operatorClaim(request, body, operatorName, idempotencyKey.key),
          preferredLanguage(request.headers['accept-language']),
          createdBody,
        )
      : undefined;
  const { outcome, apiKey } = await subaccounts.createSubaccount(store, input, { mainAccountId: id }, guard);
  if (outcome.answer !== undefined) return sendAnswer(reply, outcome.answer);
  if (!outcome.ok) return sendError(request, reply, outcome);
  request.log.info(
    { operator: operatorName, action: 'create-subaccount', accountId: id, transferId: outcome.transferId },
    'operator action',
  );
  return reply.send(createdBody(outcome, apiKey));
}

function foundView(found: SubaccountFound): Written<'adminSearchSubaccounts'>['data'][number] {
  return {
    ...subaccountView(found.subaccount),
    accountId: found.subaccount.parentId!,
    accountEmail: found.mainEmail,
  };
}

async function search(store: Store, request: FastifyRequest, reply: FastifyReply) {
  const query = queryFields(request);
  const read = readAll(
    readSearch(query),
    readLimit(query, DEFAULT_SUBACCOUNT_PAGE, MAX_SUBACCOUNT_PAGE),
    readCursor(query),
  );
  if (!read.ok) return sendError(request, reply, read);
  const [text, limit, cursor] = read.value;
  const page = await subaccounts.searchSubaccounts(store, {
    search: text,
    limit,
    cursor,
    examineLimit: MAX_SUBACCOUNTS_EXAMINED,
  });
  return reply.send({
    success: true,
    code: 200,
    data: page.items.map(foundView),
    nextCursor: page.nextCursor,
  } satisfies Written<'adminSearchSubaccounts'>);
}
