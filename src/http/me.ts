import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatMicrosPadded } from '../domain/money.js';
import type { Store } from '../domain/store.js';
import { keyHashOf } from './key-hash.js';
import { sendError } from './errors.js';
import { apiKeyOrCode } from './fields.js';
import type { Written } from './json.js';

export function registerMeRoutes(app: FastifyInstance, store: Store): void {
  app.get('/v1/me', (request, reply) => handleMe(store, request, reply));
}

/**
 * Codes 1, 10, 4. An advanced subaccount's key may read its own balance here
 * (that is what a subaccount's own client asks); a suspended account's key
 * gets 4, like everywhere else.
 */
async function handleMe(store: Store, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const apiKey = apiKeyOrCode(request, {});
  if (typeof apiKey !== 'string') return sendError(request, reply, apiKey);
  const caller = await store.authenticate(keyHashOf(request, apiKey));
  if (caller === null) return sendError(request, reply, 10);
  if (caller.status !== 'active' || caller.kind === 'funding') return sendError(request, reply, 4);
  return reply.send({
    success: true,
    code: 200,
    user: { username: caller.email },
    credits: { balance: formatMicrosPadded(caller.balanceMicros - caller.heldMicros), currency: 'EUR' },
  } satisfies Written<'me'>);
}
