import type pg from 'pg';
import { eventPosition, type LedgerEvent } from '../../domain/events.js';
import { cursorPosition, pageOf } from '../../domain/pages.js';
import {
  MAX_WEBHOOKS_PER_ACCOUNT,
  endpointWants,
  shouldDisable,
  type AttemptRecord,
  type ClaimedDelivery,
  type CreateWebhookCommand,
  type CreateWebhookOutcome,
  type DeliveryAttemptPage,
  type WebhookEndpoint,
} from '../../domain/webhooks.js';
import { withTransferData } from './event-data.js';
import { EVENT_COLUMNS, type EventRow, type Int8, toEvent, toId } from './rows.js';
import { runQuery, type Queryable } from './transaction.js';

/**
 * Webhook endpoints and deliveries on PostgreSQL, shared by every server
 * process: the outbox is drained with FOR UPDATE SKIP LOCKED (each event is
 * handed out once), and a delivery is leased (`lease_until`) while one
 * process posts it, so no other process attempts it meanwhile; a process
 * killed mid-delivery only delays it until the lease runs out.
 */

interface EndpointRow {
  id: string;
  owner_account_id: Int8 | null;
  url: string;
  types: string[] | null;
  secret: string;
  previous_secret: string | null;
  previous_until: Date | null;
  status: WebhookEndpoint['status'];
  failing_since: Date | null;
  created_at: Date;
}

const ENDPOINT_COLUMNS =
  'id, owner_account_id, url, types, secret, previous_secret, previous_until, status, failing_since, created_at';

/**
 * Whether any endpoint is enabled; with none, events go to no one, and a
 * ledger write adds nothing to the outbox (ledger-write.ts).
 */
export const ANY_ENABLED = "EXISTS (SELECT 1 FROM webhook_endpoints WHERE status = 'enabled')";

function toEndpoint(row: EndpointRow): WebhookEndpoint {
  return {
    id: row.id,
    ownerAccountId: row.owner_account_id === null ? null : toId(row.owner_account_id),
    url: row.url,
    types: row.types as WebhookEndpoint['types'],
    status: row.status,
    createdAt: row.created_at,
    failingSince: row.failing_since,
  };
}

/**
 * Inside a transaction. The owner's row is locked first, so two creations for
 * one main account cannot both pass the count; the operator's endpoints are
 * not counted.
 */
export async function createWebhookInTransaction(
  client: Queryable,
  command: CreateWebhookCommand,
): Promise<CreateWebhookOutcome> {
  const owner = command.ownerAccountId;
  if (owner !== null) {
    await client.query('SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE', [owner]);
    const found = await client.query<{ count: string }>(
      'SELECT count(*) AS count FROM webhook_endpoints WHERE owner_account_id = $1',
      [owner],
    );
    if (Number(found.rows[0]!.count) >= MAX_WEBHOOKS_PER_ACCOUNT) return { ok: false, code: 39 };
  }
  // The first enabled endpoint starts from the events committed after it, as on SQLite. While none
  // is enabled a ledger write adds nothing to the outbox, deciding so in its own statement; that
  // statement holds the outbox's ROW EXCLUSIVE lock to its commit, zero rows or not. This lock
  // waits for the writes in flight (committed before this endpoint, so for no one) and holds the
  // next ones until this endpoint commits: they then see it and add their events. SHARE would do
  // that too, but two registrations holding it would deadlock at the DELETE below; SHARE ROW
  // EXCLUSIVE lets one registration in at a time. What the outbox still held goes to none.
  await client.query('LOCK TABLE event_outbox IN SHARE ROW EXCLUSIVE MODE');
  await client.query(`DELETE FROM event_outbox WHERE NOT ${ANY_ENABLED}`);
  const inserted = await client.query<EndpointRow>(
    `INSERT INTO webhook_endpoints (id, owner_account_id, url, types, secret, created_at)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${ENDPOINT_COLUMNS}`,
    [command.id, owner, command.url, command.types, command.secret, command.createdAt],
  );
  return { ok: true, endpoint: toEndpoint(inserted.rows[0]!) };
}

export async function listWebhooks(pool: pg.Pool, ownerAccountId: number | null): Promise<WebhookEndpoint[]> {
  const found = await runQuery<EndpointRow>(
    pool,
    `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE owner_account_id IS NOT DISTINCT FROM $1
     ORDER BY created_at, id`,
    [ownerAccountId],
  );
  return found.rows.map(toEndpoint);
}

export async function getWebhook(pool: pg.Pool, id: string): Promise<WebhookEndpoint | null> {
  const found = await runQuery<EndpointRow>(
    pool,
    `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = $1`,
    [id],
  );
  return found.rows[0] === undefined ? null : toEndpoint(found.rows[0]);
}

/** Deliveries and attempts go by ON DELETE CASCADE. */
export async function deleteWebhook(pool: pg.Pool, id: string): Promise<boolean> {
  const deleted = await runQuery(pool, 'DELETE FROM webhook_endpoints WHERE id = $1', [id]);
  return (deleted.rowCount ?? 0) > 0;
}

export async function rotateWebhookSecret(
  pool: pg.Pool,
  id: string,
  secret: string,
  previousUntil: Date,
): Promise<WebhookEndpoint | null> {
  const updated = await runQuery<EndpointRow>(
    pool,
    `UPDATE webhook_endpoints SET previous_secret = secret, previous_until = $2, secret = $3 WHERE id = $1
     RETURNING ${ENDPOINT_COLUMNS}`,
    [id, previousUntil, secret],
  );
  return updated.rows[0] === undefined ? null : toEndpoint(updated.rows[0]);
}

export async function listDeliveryAttempts(
  pool: pg.Pool,
  endpointId: string,
  limit: number,
  cursor: string | undefined,
): Promise<DeliveryAttemptPage> {
  const before = cursor === undefined ? '' : 'AND id < $3';
  const found = await runQuery<{
    id: Int8;
    event_id: string;
    attempt: number;
    status: number | null;
    error: string | null;
    duration_ms: number;
    at: Date;
  }>(
    pool,
    `SELECT id, event_id, attempt, status, error, duration_ms, at FROM webhook_attempts
     WHERE endpoint_id = $1 ${before} ORDER BY id DESC LIMIT $2`,
    [endpointId, limit + 1, ...(cursor === undefined ? [] : [cursorPosition(cursor).toString()])],
  );
  const page = pageOf(found.rows, limit, (row) => BigInt(row.id));
  return {
    items: page.rows.map((row) => ({
      eventId: row.event_id,
      attempt: row.attempt,
      status: row.status,
      error: row.error,
      durationMs: row.duration_ms,
      at: row.at,
    })),
    nextCursor: page.nextCursor,
  };
}

/** By the position its id names, checked against the whole id. */
export async function findEvent(pool: pg.Pool, eventId: string): Promise<LedgerEvent | null> {
  const at = eventPosition(eventId);
  if (at === null) return null;
  const found = await runQuery<EventRow>(
    pool,
    `SELECT ${EVENT_COLUMNS} FROM events WHERE account_id = $1 AND sequence = $2 AND id = $3`,
    [at.accountId, at.sequence, eventId],
  );
  return found.rows[0] === undefined ? null : (await withTransferData(pool, [toEvent(found.rows[0])]))[0]!;
}

export async function resendEvent(
  pool: pg.Pool,
  endpointId: string,
  eventId: string,
  now: Date,
): Promise<void> {
  const at = eventPosition(eventId);
  if (at === null) return;
  await runQuery(
    pool,
    `INSERT INTO webhook_deliveries (endpoint_id, event_account_id, event_sequence, next_attempt_at, created_at)
     SELECT $1, account_id, sequence, $4, $4 FROM events WHERE account_id = $2 AND sequence = $3 AND id = $5`,
    [endpointId, at.accountId, at.sequence, now, eventId],
  );
}

/** Inside a transaction: the outbox's oldest entries no other process holds, to the endpoints that want them. */
export async function fanOutInTransaction(client: Queryable, now: Date, limit: number): Promise<number> {
  const enabled = await client.query<{ any: boolean }>(`SELECT ${ANY_ENABLED} AS any`);
  // No endpoint wants anything: the outbox is only emptied, without reading the events.
  if (!enabled.rows[0]!.any) {
    const emptied = await client.query(
      `DELETE FROM event_outbox WHERE (account_id, sequence) IN
         (SELECT account_id, sequence FROM event_outbox LIMIT $1 FOR UPDATE SKIP LOCKED)`,
      [limit],
    );
    return emptied.rowCount ?? 0;
  }
  const taken = await client.query<EventRow>(
    `WITH taken AS (
       DELETE FROM event_outbox WHERE (account_id, sequence) IN
         (SELECT account_id, sequence FROM event_outbox LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING account_id, sequence)
     SELECT e.account_id, e.sequence, e.id, e.type, e.data, e.transfer_id, e.created_at
     FROM taken JOIN events e USING (account_id, sequence)`,
    [limit],
  );
  if (taken.rows.length === 0) return 0;
  const endpoints = await client.query<EndpointRow>(
    `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE status = 'enabled'`,
  );
  const deliveries: [string, LedgerEvent][] = [];
  for (const event of taken.rows.map(toEvent)) {
    for (const endpoint of endpoints.rows.map(toEndpoint)) {
      if (endpointWants(endpoint, event)) deliveries.push([endpoint.id, event]);
    }
  }
  if (deliveries.length > 0) {
    await client.query(
      `INSERT INTO webhook_deliveries (endpoint_id, event_account_id, event_sequence, next_attempt_at, created_at)
       SELECT endpoint_id, account_id, sequence, $4, $4
       FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS d(endpoint_id, account_id, sequence)`,
      [
        deliveries.map(([endpoint]) => endpoint),
        deliveries.map(([, event]) => event.accountId),
        deliveries.map(([, event]) => event.sequence),
        now,
      ],
    );
  }
  return taken.rows.length;
}

/** Inside a transaction: leases due deliveries no other process holds. */
export async function claimInTransaction(
  client: Queryable,
  now: Date,
  limit: number,
  leaseMs: number,
  busyEndpoints: readonly string[],
): Promise<ClaimedDelivery[]> {
  const leased = await client.query<EventRow & { delivery_id: Int8; attempts: number; endpoint_id: string }>(
    `WITH due AS (
       SELECT id FROM webhook_deliveries
       WHERE state = 'pending' AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)
         AND NOT (endpoint_id = ANY($4::text[]))
       ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED
     ), leased AS (
       UPDATE webhook_deliveries d SET lease_until = $1::timestamptz + make_interval(secs => $3::float8 / 1000)
       FROM due WHERE d.id = due.id RETURNING d.id, d.attempts, d.endpoint_id, d.event_account_id, d.event_sequence
     )
     SELECT leased.id AS delivery_id, leased.attempts, leased.endpoint_id,
       e.account_id, e.sequence, e.id, e.type, e.data, e.transfer_id, e.created_at
     FROM leased JOIN events e ON e.account_id = leased.event_account_id AND e.sequence = leased.event_sequence`,
    [now, limit, leaseMs, busyEndpoints],
  );
  if (leased.rows.length === 0) return [];
  const endpoints = await client.query<EndpointRow>(
    `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = ANY($1::text[]) AND status = 'enabled'`,
    [[...new Set(leased.rows.map((row) => row.endpoint_id))]],
  );
  const byId = new Map(endpoints.rows.map((row) => [row.id, row]));
  const events = new Map(
    (await withTransferData(client, leased.rows.map(toEvent))).map((event) => [event.id, event]),
  );
  return leased.rows.flatMap((row) => {
    const endpoint = byId.get(row.endpoint_id);
    if (endpoint === undefined) return [];
    const secrets = {
      secret: endpoint.secret,
      previousSecret: endpoint.previous_secret,
      previousUntil: endpoint.previous_until,
    };
    return [
      {
        id: toId(row.delivery_id),
        endpoint: { ...toEndpoint(endpoint), ...secrets },
        event: events.get(row.id)!,
        attempts: row.attempts,
      },
    ];
  });
}

/** Inside a transaction: each endpoint's row locked while its streak moves. */
export async function recordInTransaction(
  client: Queryable,
  records: readonly AttemptRecord[],
): Promise<void> {
  for (const { deliveryId, endpointId, attempt, retryAt, succeeded } of records) {
    const found = await client.query<EndpointRow>(
      `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = $1 FOR UPDATE`,
      [endpointId],
    );
    const endpoint = found.rows[0];
    if (endpoint === undefined) continue;
    await client.query(
      `INSERT INTO webhook_attempts (endpoint_id, event_id, attempt, status, error, duration_ms, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        endpointId,
        attempt.eventId,
        attempt.attempt,
        attempt.status,
        attempt.error,
        attempt.durationMs,
        attempt.at,
      ],
    );
    const state = succeeded ? 'succeeded' : retryAt === null ? 'failed' : 'pending';
    await client.query(
      `UPDATE webhook_deliveries SET attempts = $2, state = $3, next_attempt_at = $4, lease_until = NULL
       WHERE id = $1`,
      [deliveryId, attempt.attempt, state, retryAt],
    );
    // One success ends the failing streak; a streak of 5 days disables the endpoint.
    const failingSince = succeeded ? null : (endpoint.failing_since ?? attempt.at);
    const status = shouldDisable(failingSince, attempt.at) ? 'disabled' : endpoint.status;
    await client.query('UPDATE webhook_endpoints SET failing_since = $2, status = $3 WHERE id = $1', [
      endpointId,
      failingSince,
      status,
    ]);
  }
}

/**
 * Outside any transaction: is there anything for fan-out or claims to do? A
 * false answer spares the worker a transaction; a stale one only delays.
 */
export async function webhookWork(
  pool: pg.Pool,
  now: Date,
): Promise<{ events: boolean; deliveries: boolean }> {
  const found = await runQuery<{ events: boolean; deliveries: boolean }>(
    pool,
    `SELECT EXISTS (SELECT 1 FROM event_outbox) AS events, EXISTS (SELECT 1 FROM webhook_deliveries
       WHERE state = 'pending' AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)) AS deliveries`,
    [now],
  );
  return found.rows[0]!;
}

export async function webhookBacklog(pool: pg.Pool): Promise<{ events: number; deliveries: number }> {
  const found = await runQuery<{ events: string; deliveries: string }>(
    pool,
    // While no endpoint is enabled, the outbox waits for no one (the fan-out only empties it).
    `SELECT (SELECT count(*) FROM event_outbox WHERE ${ANY_ENABLED}) AS events,
       (SELECT count(*) FROM webhook_deliveries WHERE state = 'pending') AS deliveries`,
  );
  return { events: Number(found.rows[0]!.events), deliveries: Number(found.rows[0]!.deliveries) };
}
