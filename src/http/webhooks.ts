import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorAnswer } from '../domain/answers/error-answer.js';
import type { ErrorCode } from '../domain/errors.js';
import { checkMainCaller } from '../domain/ledger-rules.js';
import type { Store } from '../domain/store.js';
import type { CreateWebhookOutcome, DeliveryAttempt, WebhookEndpoint } from '../domain/webhooks.js';
import {
  findWebhook,
  registerWebhook,
  resendEvent,
  rotateSecret,
  type WebhookActor,
} from '../app/webhooks/endpoints.js';
import { readAll, readCursor, readLimit } from './admin/params.js';
import { bodyFields, type Fields } from './body.js';
import { DEFAULT_DELIVERY_PAGE, MAX_DELIVERY_PAGE } from './bounds.js';
import { sendError } from './errors.js';
import { readEventTypes } from './events.js';
import { apiKeyOrCode, queryFields, readField } from './fields.js';
import { buildClaim, guardOf, readIdempotencyKey, renderJson, scopeOf, sendAnswer } from './idempotency.js';
import type { Written, WrittenFields } from './json.js';
import { keyHashOf } from './key-hash.js';
import { preferredLanguage } from './language.js';

/**
 * Webhook endpoints (contract section 7): a main account's own at
 * /v1/webhooks, the operator's at /admin/v1/webhooks (admin/webhooks.ts).
 * Both go through the handlers below, which differ only in who the caller is.
 */

export interface WebhookRouteOptions {
  /** WEBHOOK_ALLOW_PRIVATE: URLs on private addresses are accepted. */
  readonly allowPrivate: boolean;
}

/** Who asks, and the scope its Idempotency-Keys live in. */
export interface WebhookCaller {
  readonly actor: WebhookActor;
  readonly scope: string;
}

export type Identify = (request: FastifyRequest, body: Fields) => Promise<WebhookCaller | ErrorCode>;

export function registerWebhookRoutes(
  app: FastifyInstance,
  store: Store,
  options: WebhookRouteOptions,
): void {
  const handlers = webhookHandlers(store, options, identifyMainAccount(store));
  app.post('/v1/webhooks', handlers.create);
  app.get('/v1/webhooks', handlers.list);
  app.delete('/v1/webhooks/:id', handlers.remove);
  app.post('/v1/webhooks/:id/rotate-secret', handlers.rotate);
  app.get('/v1/webhooks/:id/deliveries', handlers.deliveries);
  app.post('/v1/webhooks/:id/resend', handlers.resend);
}

/** Codes 1, 10, 4: a main account's active key, from the body, the query or X-Api-Key. */
function identifyMainAccount(store: Store): Identify {
  return async (request, body) => {
    const apiKey = apiKeyOrCode(request, body);
    if (typeof apiKey !== 'string') return apiKey;
    const main = checkMainCaller(await store.authenticate(keyHashOf(request, apiKey)));
    if (typeof main === 'number') return main;
    return { actor: { accountId: main.accountId }, scope: scopeOf(apiKey, 'api') };
  };
}

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

export function webhookHandlers(store: Store, options: WebhookRouteOptions, identify: Identify) {
  /** The caller and the endpoint of the path, or the code refusing them (caller's codes, then 37). */
  async function endpointOf(request: FastifyRequest, body: Fields) {
    const caller = await identify(request, body);
    if (typeof caller === 'number') return caller;
    const id = (request.params as { id?: unknown }).id;
    return typeof id === 'string' ? findWebhook(store, caller.actor, id) : 37;
  }

  /** The caller's codes, 26 for a malformed Idempotency-Key, then 22 (url, types), 38, 39. */
  const create: Handler = async (request, reply) => {
    const idempotencyKey = readIdempotencyKey(request);
    if (idempotencyKey.kind === 'invalid') return sendError(request, reply, 26);
    const body = bodyFields(request);
    const caller = await identify(request, body);
    if (typeof caller === 'number') return sendError(request, reply, caller);
    const url = readField(body, 'url');
    const types = readEventTypes(body['types']);
    if (url.kind !== 'text') return sendError(request, reply, { code: 22, param: 'url' });
    if (!types.ok) return sendError(request, reply, types);
    const language = preferredLanguage(request.headers['accept-language']);
    const claim =
      idempotencyKey.kind === 'key'
        ? buildClaim(request, body, caller.scope, idempotencyKey.key, new Date())
        : undefined;
    const registered = await registerWebhook(store, {
      actor: caller.actor,
      url: url.text,
      types: types.value,
      allowPrivate: options.allowPrivate,
      guard:
        claim === undefined
          ? undefined
          : (secret) =>
              guardOf<CreateWebhookOutcome>(
                claim,
                (outcome) =>
                  outcome.ok
                    ? renderJson(200, withSecret(outcome.endpoint, secret))
                    : errorAnswer(outcome.code, language),
                secret,
              ),
    });
    if (!registered.ok) return sendError(request, reply, registered);
    const { outcome, secret } = registered;
    if (outcome.answer !== undefined) return sendAnswer(reply, outcome.answer);
    if (!outcome.ok) return sendError(request, reply, outcome);
    return reply.send(withSecret(outcome.endpoint, secret));
  };

  const list: Handler = async (request, reply) => {
    const caller = await identify(request, {});
    if (typeof caller === 'number') return sendError(request, reply, caller);
    const owner = caller.actor === 'operator' ? null : caller.actor.accountId;
    return sendList(reply, await store.listWebhooks(owner));
  };

  /** Removes the endpoint with what it had left to deliver; its log goes too. */
  const remove: Handler = async (request, reply) => {
    const endpoint = await endpointOf(request, bodyFields(request));
    if (typeof endpoint === 'number') return sendError(request, reply, endpoint);
    if (!(await store.deleteWebhook(endpoint.id))) return sendError(request, reply, 37);
    return reply.send({ success: true, code: 200 } satisfies Written<'deleteWebhook'>);
  };

  /** Not recorded under an Idempotency-Key: a replay would have to show the secret again. */
  const rotate: Handler = async (request, reply) => {
    const endpoint = await endpointOf(request, bodyFields(request));
    if (typeof endpoint === 'number') return sendError(request, reply, endpoint);
    const rotated = await rotateSecret(store, endpoint);
    if (typeof rotated === 'number') return sendError(request, reply, rotated);
    return reply.send(withSecret(rotated.endpoint, rotated.secret));
  };

  /** The caller's codes, 22 for a bad `limit` or `cursor`, then 37. */
  const deliveries: Handler = async (request, reply) => {
    const caller = await identify(request, {});
    if (typeof caller === 'number') return sendError(request, reply, caller);
    const query = queryFields(request);
    const read = readAll(readLimit(query, DEFAULT_DELIVERY_PAGE, MAX_DELIVERY_PAGE), readCursor(query));
    if (!read.ok) return sendError(request, reply, read);
    const id = (request.params as { id?: unknown }).id;
    const endpoint = typeof id === 'string' ? await findWebhook(store, caller.actor, id) : 37;
    if (typeof endpoint === 'number') return sendError(request, reply, endpoint);
    const [limit, cursor] = read.value;
    const page = await store.listDeliveryAttempts(endpoint.id, limit, cursor);
    return reply.send({
      success: true,
      code: 200,
      data: page.items.map(attemptView),
      nextCursor: page.nextCursor,
    } satisfies Written<'listWebhookDeliveries'>);
  };

  /** The caller's codes, 37, then 22: no `eventId`, or none of the endpoint's tree, or a disabled endpoint. */
  const resend: Handler = async (request, reply) => {
    const body = bodyFields(request);
    const endpoint = await endpointOf(request, body);
    if (typeof endpoint === 'number') return sendError(request, reply, endpoint);
    const eventId = readField(body, 'eventId');
    if (eventId.kind !== 'text') return sendError(request, reply, 22);
    const resent = await resendEvent(store, endpoint, eventId.text);
    if (resent !== true) return sendError(request, reply, resent);
    return reply.send({
      success: true,
      code: 200,
      eventId: eventId.text,
    } satisfies Written<'resendWebhookEvent'>);
  };

  return { create, list, remove, rotate, deliveries, resend };
}

export function sendList(reply: FastifyReply, endpoints: readonly WebhookEndpoint[]): FastifyReply {
  return reply.send({
    success: true,
    code: 200,
    data: endpoints.map(webhookView),
  } satisfies Written<'listWebhooks'>);
}

function webhookView(endpoint: WebhookEndpoint): Written<'listWebhooks'>['data'][number] {
  return {
    id: endpoint.id,
    url: endpoint.url,
    types: endpoint.types,
    status: endpoint.status,
    createdAt: endpoint.createdAt.toISOString(),
  };
}

/** The endpoint with its secret: the answer of a creation or a rotation, the only ones that show it. */
function withSecret(endpoint: WebhookEndpoint, secret: string): Written<'createWebhook'> {
  return {
    success: true,
    code: 200,
    webhook: { ...webhookView(endpoint), secret },
  } satisfies Written<'createWebhook'> & Written<'rotateWebhookSecret'>;
}

function attemptView(attempt: DeliveryAttempt): WrittenFields<'listWebhookDeliveries'>['data'][number] {
  return { ...attempt, at: attempt.at.toISOString() };
}
