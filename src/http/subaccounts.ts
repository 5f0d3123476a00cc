import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Account, CreateSubaccountOutcome } from '../domain/accounts.js';
import { checkMainCaller } from '../domain/ledger-rules.js';
import { formatMicrosPadded } from '../domain/money.js';
import type { Store } from '../domain/store.js';
import { subaccountIdentity } from './admin/views.js';
import { keyHashOf } from './key-hash.js';
import type { Written } from './json.js';
import { createSubaccount } from '../app/subaccounts.js';
import { bodyFields } from './body.js';
import { SUBACCOUNTS_PER_PAGE } from 'tirelire-client/shapes';
import { MAX_PAGE } from './bounds.js';
import { sendError } from './errors.js';
import { apiKeyOrCode, queryFields, readField } from './fields.js';
import { buildClaim, readIdempotencyKey, scopeOf, sendAnswer } from './idempotency.js';
import { preferredLanguage } from './language.js';
import { creationGuard, readCreateRequest } from './subaccount-request.js';

export function registerSubaccountRoutes(app: FastifyInstance, store: Store): void {
  app.post('/v1/subaccount/create', (request, reply) => handleCreate(store, request, reply));
  app.get('/v1/subaccount/list', (request, reply) => handleList(store, request, reply));
}

/**
 * Order 1, 10, 4, 22, then 20, 5, 23, 6, 8 from the store. Parameters are read
 * first but a 22 is only answered once the key has been checked, so a bad key
 * never learns whether its parameters were right.
 */
async function handleCreate(
  store: Store,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const idempotencyKey = readIdempotencyKey(request);
  if (idempotencyKey.kind === 'invalid') return sendError(request, reply, 26);
  const body = bodyFields(request);
  const apiKey = apiKeyOrCode(request, body);
  if (typeof apiKey !== 'string') return sendError(request, reply, apiKey);
  const keyHash = keyHashOf(request, apiKey);
  const input = readCreateRequest(body);
  if (input === null) {
    const main = checkMainCaller(await store.authenticate(keyHash));
    return sendError(request, reply, typeof main === 'number' ? main : 22);
  }
  const guard =
    idempotencyKey.kind === 'key'
      ? creationGuard(
          buildClaim(request, body, scopeOf(apiKey, 'api'), idempotencyKey.key, new Date()),
          preferredLanguage(request.headers['accept-language']),
          createdBody,
        )
      : undefined;
  const created = await createSubaccount(store, input, { keyHash }, guard);
  const { outcome } = created;
  if (outcome.answer !== undefined) return sendAnswer(reply, outcome.answer);
  if (!outcome.ok) return sendError(request, reply, outcome);
  return reply.send(createdBody(outcome, created.apiKey));
}

/**
 * An advanced subaccount's key is in this answer; with an Idempotency-Key the
 * record keeps the answer with `apiKey: null` (guardOf's `secret`).
 */
function createdBody(
  outcome: Extract<CreateSubaccountOutcome, { ok: true }>,
  apiKey: string | null,
): Written<'createSubaccount'> {
  const subaccount = { email: outcome.account.email, token: subaccountIdentity(outcome.account).token };
  return {
    success: true,
    code: 200,
    subaccount: apiKey === null ? subaccount : { ...subaccount, apiKey },
    parent_email: outcome.parentEmail,
    ...(outcome.transferId === null ? {} : { transferId: outcome.transferId }),
  };
}

async function handleList(store: Store, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const apiKey = apiKeyOrCode(request, {});
  if (typeof apiKey !== 'string') return sendError(request, reply, apiKey);
  const main = checkMainCaller(await store.authenticate(keyHashOf(request, apiKey)));
  if (typeof main === 'number') return sendError(request, reply, main);
  const page = readPage(queryFields(request));
  if (page === null) return sendError(request, reply, { code: 22, param: 'page' });
  const result = await store.listSubaccounts(main.accountId, page, SUBACCOUNTS_PER_PAGE);
  return reply.send({
    success: true,
    code: 200,
    total: result.total,
    nb_per_page: SUBACCOUNTS_PER_PAGE,
    page,
    data: result.items.map(listItem),
  } satisfies Written<'listSubaccounts'>);
}

function readPage(query: Record<string, unknown>): number | null {
  const page = readField(query, 'page');
  if (page.kind === 'absent') return 1;
  if (page.kind !== 'text' || !/^[1-9]\d{0,6}$/.test(page.text)) return null;
  const value = Number(page.text);
  return value <= MAX_PAGE ? value : null;
}

function listItem(account: Account): Written<'listSubaccounts'>['data'][number] {
  const { token, type } = subaccountIdentity(account);
  return {
    id: account.id,
    email: account.email,
    type,
    token,
    createdAt: formatDateTime(account.createdAt),
    credits: { balance: formatMicrosPadded(account.balanceMicros - account.heldMicros), currency: 'EUR' },
  };
}

/** `YYYY-MM-DD HH:MM:SS` in UTC, as the Mailpartner list writes dates. */
function formatDateTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}
