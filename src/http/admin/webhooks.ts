import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Store } from '../../domain/store.js';
import { findMainAccountByRef } from '../../app/operator.js';
import { sendError } from '../errors.js';
import { readEventQuery, sendEventPage } from '../events.js';
import { queryFields, readField } from '../fields.js';
import { scopeOf } from '../idempotency.js';
import { sendList, webhookHandlers, type Identify, type WebhookRouteOptions } from '../webhooks.js';
import { bearerToken } from './auth.js';
import { readId, type Read } from './params.js';

/**
 * The operator's events and webhooks. Its endpoints (owner null) receive
 * every tree's events and are not counted against any account's ten. The
 * operator also reaches every account's endpoints by id (deliveries log,
 * resend, rotate, delete) and lists them with `?accountId=`: the console
 * shows them on the account's page.
 */
export function registerAdminWebhookRoutes(
  admin: FastifyInstance,
  store: Store,
  options: WebhookRouteOptions,
): void {
  // The bearer token was checked by the onRequest hook; it scopes the operator's Idempotency-Keys.
  const operator: Identify = async (request) => ({
    actor: 'operator',
    scope: scopeOf(bearerToken(request.headers.authorization) ?? '', 'operator'),
  });
  const handlers = webhookHandlers(store, options, operator);
  admin.get('/events', (request, reply) => listEvents(store, request, reply));
  admin.post('/webhooks', handlers.create);
  admin.get('/webhooks', (request, reply) => listWebhooks(store, request, reply));
  admin.delete('/webhooks/:id', handlers.remove);
  admin.post('/webhooks/:id/rotate-secret', handlers.rotate);
  admin.get('/webhooks/:id/deliveries', handlers.deliveries);
  admin.post('/webhooks/:id/resend', handlers.resend);
}

/** A main account's id (22 when malformed or absent, 30 when it names no main account). */
async function mainAccountOf(
  store: Store,
  request: FastifyRequest,
  required: boolean,
): Promise<Read<number | null>> {
  const field = readField(queryFields(request), 'accountId');
  if (field.kind === 'absent')
    return required ? { ok: false, code: 22, param: 'accountId' } : { ok: true, value: null };
  const id = readId(field.kind === 'text' ? field.text : undefined, 'accountId');
  if (!id.ok) return id;
  const found = await findMainAccountByRef(store, { accountId: id.value });
  return found.ok ? { ok: true, value: id.value } : { ok: false, code: found.code };
}

/** Codes 29, then 22 (accountId, after, limit, types), 30. */
async function listEvents(store: Store, request: FastifyRequest, reply: FastifyReply) {
  const query = queryFields(request);
  const shape = readEventQuery(query, 0);
  if (!shape.ok) return sendError(request, reply, shape);
  const accountId = await mainAccountOf(store, request, true);
  if (!accountId.ok) return sendError(request, reply, accountId);
  return sendEventPage(store, reply, { ...shape.value, accountId: accountId.value! });
}

/** The operator's own endpoints, or with `accountId` that main account's. */
async function listWebhooks(store: Store, request: FastifyRequest, reply: FastifyReply) {
  const accountId = await mainAccountOf(store, request, false);
  if (!accountId.ok) return sendError(request, reply, accountId);
  return sendList(reply, await store.listWebhooks(accountId.value));
}
