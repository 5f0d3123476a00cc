import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Store } from '../domain/store.js';
import { rulesView } from './admin/views.js';
import { bodyFields } from './body.js';
import { sendError } from './errors.js';
import type { Written } from './json.js';
import { readRulesPatch } from './rules-request.js';
import { findCallersSubaccount, readSubaccountTarget } from './subaccount-target.js';

const RULES_PATH = '/v1/subaccount/rules';

/**
 * A subaccount's balance rules, read and set by its main account (contract
 * section 8): codes 1, 3, 10, 4, 7, then the patch's 22, 20, 5 decided with
 * the rules in one transaction. The POST answers what a GET then reads.
 *
 * A rules change sets values, so a repeat sets the same ones again: it is
 * idempotent by nature and keeps no Idempotency-Key record (as suspend and
 * resume).
 */
export function registerRulesRoutes(app: FastifyInstance, store: Store): void {
  app.get(RULES_PATH, (request, reply) => handleRules(store, request, reply, false));
  app.post(RULES_PATH, (request, reply) => handleRules(store, request, reply, true));
}

async function handleRules(
  store: Store,
  request: FastifyRequest,
  reply: FastifyReply,
  change: boolean,
): Promise<FastifyReply> {
  const body = change ? bodyFields(request) : {};
  const target = readSubaccountTarget(request, body);
  if (typeof target === 'number') return sendError(request, reply, target);
  const found = await findCallersSubaccount(store, target);
  if (typeof found === 'number') return sendError(request, reply, found);
  const rules = change
    ? await store.setRules(found.subaccount.id, readRulesPatch(body))
    : found.subaccount.rules;
  if (typeof rules === 'number') return sendError(request, reply, rules);
  return reply.send({ success: true, code: 200, rules: rulesView(rules) } satisfies Written<'getRules'>);
}
