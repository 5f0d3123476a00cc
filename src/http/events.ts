import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { eventJson } from '../domain/answers/event-data.js';
import {
  DEFAULT_EVENTS_LIMIT,
  MAX_EVENTS_LIMIT,
  isEventType,
  type EventQuery,
  type EventType,
} from '../domain/events.js';
import { checkMainCaller } from '../domain/ledger-rules.js';
import type { Store } from '../domain/store.js';
import { readAll, readLimit, type Read } from './admin/params.js';
import type { Fields } from './body.js';
import { MAX_TYPES_LISTED } from './bounds.js';
import { sendError } from './errors.js';
import { apiKeyOrCode, fieldOf, queryFields, readField } from './fields.js';
import { sendAnswer } from './idempotency.js';
import { keyHashOf } from './key-hash.js';

/**
 * The pull feed (contract section 7): a tree's events oldest first, after a
 * sequence. `GET /v1/events` reads the caller's tree; the operator's
 * `GET /admin/v1/events?accountId=` (admin/webhooks.ts) any tree.
 */
export function registerEventRoutes(app: FastifyInstance, store: Store): void {
  app.get('/v1/events', (request, reply) => listEvents(store, request, reply));
}

/** Codes 1, 10, 4, then 22 for a bad `after`, `limit` or type name. */
async function listEvents(store: Store, request: FastifyRequest, reply: FastifyReply) {
  const apiKey = apiKeyOrCode(request, {});
  if (typeof apiKey !== 'string') return sendError(request, reply, apiKey);
  const main = checkMainCaller(await store.authenticate(keyHashOf(request, apiKey)));
  if (typeof main === 'number') return sendError(request, reply, main);
  const query = readEventQuery(queryFields(request), main.accountId);
  if (!query.ok) return sendError(request, reply, query);
  return sendEventPage(store, reply, query.value);
}

/** `after` (0 by default), `limit` (1–1000, 100 by default) and `types` of a feed request. */
export function readEventQuery(query: Fields, accountId: number): Read<EventQuery> {
  const read = readAll(
    readAfter(query),
    readLimit(query, DEFAULT_EVENTS_LIMIT, MAX_EVENTS_LIMIT),
    readEventTypes(query['types']),
  );
  if (!read.ok) return read;
  const [after, limit, types] = read.value;
  return { ok: true, value: { accountId, after, limit, ...(types === null ? {} : { types }) } };
}

function readAfter(query: Fields): Read<number> {
  const field = readField(query, 'after');
  if (field.kind === 'absent') return { ok: true, value: 0 };
  if (field.kind !== 'text' || !/^\d{1,16}$/.test(field.text)) return { ok: false, code: 22, param: 'after' };
  const after = Number(field.text);
  return Number.isSafeInteger(after) ? { ok: true, value: after } : { ok: false, code: 22, param: 'after' };
}

/**
 * A list of event type names: a comma-separated text (`transfer.created,balance.depleted`),
 * or an array of them (JSON, or a repeated query parameter). Absent or empty
 * is every type (null); an unknown name is 22, so a typo never silently
 * filters everything out.
 */
export function readEventTypes(value: unknown): Read<EventType[] | null> {
  const parts = Array.isArray(value) ? value : [value];
  const names: string[] = [];
  for (const part of parts) {
    const field = fieldOf(part);
    if (field.kind === 'absent') continue;
    if (field.kind !== 'text') return { ok: false, code: 22, param: 'types' };
    names.push(...field.text.split(',').map((name) => name.trim()));
  }
  if (names.length === 0) return { ok: true, value: null };
  if (names.length > MAX_TYPES_LISTED || !names.every(isEventType)) {
    return { ok: false, code: 22, param: 'types' };
  }
  return { ok: true, value: [...new Set(names as EventType[])] };
}

/**
 * `{"success":true,"code":200,"data":[…],"nextAfter":N}`. Each event is
 * written by `eventJson`, the bytes a webhook receives, so the feed and the
 * deliveries cannot differ; `nextAfter` is the last sequence given, or
 * `after` itself on an empty page.
 */
export async function sendEventPage(store: Store, reply: FastifyReply, query: EventQuery) {
  const events = await store.listEvents(query);
  const nextAfter = events.at(-1)?.sequence ?? query.after;
  const body = `{"success":true,"code":200,"data":[${events.map(eventJson).join(',')}],"nextAfter":${nextAfter}}`;
  return sendAnswer(reply, { status: 200, body, replayed: false });
}
