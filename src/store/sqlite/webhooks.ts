import type Database from 'better-sqlite3';
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
import { EVENT_COLUMNS, toEvent, type EventRow } from './rows.js';
import { withTransferData } from './event-data.js';
import { preparedOnUse } from './statements.js';

interface EndpointRow {
  id: string;
  owner_account_id: bigint | null;
  url: string;
  types: string | null;
  secret: string;
  previous_secret: string | null;
  previous_until: bigint | null;
  status: WebhookEndpoint['status'];
  failing_since: bigint | null;
  created_at: bigint;
}

interface AttemptRow {
  id: bigint;
  event_id: string;
  attempt: bigint;
  status: bigint | null;
  error: string | null;
  duration_ms: bigint;
  at: bigint;
}

const ENDPOINT_COLUMNS =
  'id, owner_account_id, url, types, secret, previous_secret, previous_until, status, failing_since, created_at';

/**
 * Whether any endpoint is enabled. With none, the fan-out has nothing to hand
 * out and does not run: a server without webhooks spends no write on them.
 */
const ANY_ENABLED = "EXISTS (SELECT 1 FROM webhook_endpoints WHERE status = 'enabled')";

const dateOf = (ms: bigint | null): Date | null => (ms === null ? null : new Date(Number(ms)));

function toEndpoint(row: EndpointRow): WebhookEndpoint {
  return {
    id: row.id,
    ownerAccountId: row.owner_account_id === null ? null : Number(row.owner_account_id),
    url: row.url,
    types: row.types === null ? null : (JSON.parse(row.types) as WebhookEndpoint['types']),
    status: row.status,
    createdAt: new Date(Number(row.created_at)),
    failingSince: dateOf(row.failing_since),
  };
}

/**
 * Webhook endpoints and deliveries on SQLite. Writes run in the store's write
 * transactions (the caller's); one process writes at a time, so a lease only
 * matters for the CLI or a second server on the same file.
 */
export class SqliteWebhooks {
  private readonly statement: (sql: string) => Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.statement = preparedOnUse(db);
  }

  /**
   * Inside a write transaction. The first enabled endpoint starts from the
   * events committed after it: with none, the fan-out does not run
   * (hasEventsToFanOut), so the trees' cursors are moved past every event first
   * (skipEventsForNoOne), as the fan-out would have moved them.
   */
  create(command: CreateWebhookCommand): CreateWebhookOutcome {
    const owner = command.ownerAccountId;
    const { count } = this.statement(
      'SELECT COUNT(*) AS count FROM webhook_endpoints WHERE owner_account_id IS ?',
    ).get(owner) as { count: bigint };
    if (owner !== null && count >= BigInt(MAX_WEBHOOKS_PER_ACCOUNT)) return { ok: false, code: 39 };
    this.skipEventsForNoOne();
    this.statement(
      `INSERT INTO webhook_endpoints (id, owner_account_id, url, types, secret, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ).run(
      command.id,
      owner,
      command.url,
      command.types === null ? null : JSON.stringify(command.types),
      command.secret,
      command.createdAt.getTime(),
    );
    return { ok: true, endpoint: this.get(command.id)! };
  }

  list(ownerAccountId: number | null): WebhookEndpoint[] {
    const rows = this.statement(
      `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE owner_account_id IS ? ORDER BY created_at, id`,
    ).all(ownerAccountId) as EndpointRow[];
    return rows.map(toEndpoint);
  }

  get(id: string): WebhookEndpoint | null {
    const row = this.row(id);
    return row === undefined ? null : toEndpoint(row);
  }

  private row(id: string): EndpointRow | undefined {
    return this.statement(`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = ?`).get(id) as
      EndpointRow | undefined;
  }

  /** Inside a write transaction; deliveries and attempts go by ON DELETE CASCADE. */
  delete(id: string): boolean {
    return this.statement('DELETE FROM webhook_endpoints WHERE id = ?').run(id).changes > 0;
  }

  /** Inside a write transaction. */
  rotate(id: string, secret: string, previousUntil: Date): WebhookEndpoint | null {
    const changed = this.statement(
      `UPDATE webhook_endpoints SET previous_secret = secret, previous_until = ?, secret = ? WHERE id = ?`,
    ).run(previousUntil.getTime(), secret, id).changes;
    return changed === 0 ? null : this.get(id);
  }

  listAttempts(endpointId: string, limit: number, cursor: string | undefined): DeliveryAttemptPage {
    const before = cursor === undefined ? '' : 'AND id < @cursor';
    const rows = this.statement(
      `SELECT id, event_id, attempt, status, error, duration_ms, at FROM webhook_attempts
       WHERE endpoint_id = @endpoint ${before} ORDER BY id DESC LIMIT @limit`,
    ).all({
      endpoint: endpointId,
      limit: limit + 1,
      ...(cursor === undefined ? {} : { cursor: cursorPosition(cursor) }),
    }) as AttemptRow[];
    const page = pageOf(rows, limit, (row) => row.id);
    return {
      items: page.rows.map((row) => ({
        eventId: row.event_id,
        attempt: Number(row.attempt),
        status: row.status === null ? null : Number(row.status),
        error: row.error,
        durationMs: Number(row.duration_ms),
        at: new Date(Number(row.at)),
      })),
      nextCursor: page.nextCursor,
    };
  }

  /** By the position its id names, checked against the whole id. */
  findEvent(eventId: string): LedgerEvent | null {
    const at = eventPosition(eventId);
    if (at === null) return null;
    const row = this.statement(
      `SELECT ${EVENT_COLUMNS} FROM events e WHERE e.account_id = ? AND e.sequence = ?`,
    ).get(at.accountId, at.sequence) as EventRow | undefined;
    const event = row === undefined ? null : toEvent(row);
    return event === null || event.id !== eventId ? null : withTransferData(this.db, [event])[0]!;
  }

  /** Inside a write transaction. */
  resend(endpointId: string, eventId: string, now: Date): void {
    const event = this.findEvent(eventId);
    if (event !== null) this.insertDelivery(endpointId, event, now);
  }

  private insertDelivery(endpointId: string, event: LedgerEvent, now: Date): void {
    this.statement(
      `INSERT INTO webhook_deliveries (endpoint_id, event_account_id, event_sequence, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?)`,
    ).run(endpointId, event.accountId, event.sequence, now.getTime(), now.getTime());
  }

  /**
   * Inside a write transaction: the events of the marked trees after their
   * fan-out cursor (up to `limit` in all) to the endpoints that want them;
   * a tree's mark goes once its cursor has caught up. With no enabled
   * endpoint, cursors only move on.
   */
  fanOut(now: Date, limit: number): number {
    const endpoints = (
      this.statement(
        `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE status = 'enabled'`,
      ).all() as EndpointRow[]
    ).map(toEndpoint);
    const trees = this.statement(
      `SELECT f.account_id, f.sequence, a.event_sequence AS top FROM event_fanout f
       JOIN accounts a ON a.id = f.account_id WHERE f.pending = 1 LIMIT ?`,
    ).all(limit) as { account_id: bigint; sequence: bigint; top: bigint }[];
    const advance = this.statement('UPDATE event_fanout SET sequence = ?, pending = ? WHERE account_id = ?');
    let handed = 0;
    for (const tree of trees) {
      if (handed >= limit) break;
      const upTo =
        tree.top < tree.sequence + BigInt(limit - handed) ? tree.top : tree.sequence + BigInt(limit - handed);
      if (endpoints.length > 0) this.handOut(endpoints, tree.account_id, tree.sequence, upTo, now);
      advance.run(upTo, upTo < tree.top ? 1 : 0, tree.account_id);
      handed += Number(upTo - tree.sequence);
    }
    return handed;
  }

  private handOut(
    endpoints: readonly WebhookEndpoint[],
    tree: bigint,
    after: bigint,
    upTo: bigint,
    now: Date,
  ) {
    const events = (
      this.statement(
        `SELECT ${EVENT_COLUMNS} FROM events e WHERE e.account_id = ? AND e.sequence > ? AND e.sequence <= ?
         ORDER BY e.sequence`,
      ).all(tree, after, upTo) as EventRow[]
    ).map(toEvent);
    for (const event of events) {
      for (const endpoint of endpoints) {
        if (endpointWants(endpoint, event)) this.insertDelivery(endpoint.id, event, now);
      }
    }
  }

  /**
   * Outside any transaction: are there events for fanOut to spread? A false
   * answer spares the worker a write transaction (and, with the writer
   * thread, a write turn); a stale one only delays to the next round.
   */
  hasEventsToFanOut(): boolean {
    const sql = `SELECT EXISTS (SELECT 1 FROM event_fanout WHERE pending = 1) AND ${ANY_ENABLED}`;
    return (this.statement(sql).pluck().get() as bigint) !== 0n;
  }

  /** Outside any transaction, as hasEventsToFanOut: are deliveries due for claim? */
  hasDueDeliveries(now: Date): boolean {
    const sql = `SELECT EXISTS (SELECT 1 FROM webhook_deliveries
      WHERE state = 'pending' AND next_attempt_at <= @now AND (lease_until IS NULL OR lease_until <= @now))`;
    return (this.statement(sql).pluck().get({ now: now.getTime() }) as bigint) !== 0n;
  }

  /** Inside a write transaction. */
  claim(now: Date, limit: number, leaseMs: number, busyEndpoints: readonly string[]): ClaimedDelivery[] {
    const rows = this.statement(
      `SELECT d.id AS delivery_id, d.attempts, d.endpoint_id, ${EVENT_COLUMNS} FROM webhook_deliveries d
       JOIN events e ON e.account_id = d.event_account_id AND e.sequence = d.event_sequence
       WHERE d.state = 'pending' AND d.next_attempt_at <= @now AND (d.lease_until IS NULL OR d.lease_until <= @now)
         AND d.endpoint_id NOT IN (SELECT value FROM json_each(@busy))
       ORDER BY d.next_attempt_at LIMIT @limit`,
    ).all({ now: now.getTime(), busy: JSON.stringify(busyEndpoints), limit }) as (EventRow & {
      delivery_id: bigint;
      attempts: bigint;
      endpoint_id: string;
    })[];
    const lease = this.statement('UPDATE webhook_deliveries SET lease_until = ? WHERE id = ?');
    const events = withTransferData(this.db, rows.map(toEvent));
    const endpoints = new Map<string, EndpointRow | undefined>();
    const claimed: ClaimedDelivery[] = [];
    for (const [index, row] of rows.entries()) {
      if (!endpoints.has(row.endpoint_id)) endpoints.set(row.endpoint_id, this.row(row.endpoint_id));
      const endpoint = endpoints.get(row.endpoint_id);
      if (endpoint === undefined || endpoint.status !== 'enabled') continue;
      lease.run(now.getTime() + leaseMs, row.delivery_id);
      claimed.push({
        id: Number(row.delivery_id),
        endpoint: {
          ...toEndpoint(endpoint),
          secret: endpoint.secret,
          previousSecret: endpoint.previous_secret,
          previousUntil: dateOf(endpoint.previous_until),
        },
        event: events[index]!,
        attempts: Number(row.attempts),
      });
    }
    return claimed;
  }

  /** Inside a write transaction. */
  record(records: readonly AttemptRecord[]): void {
    const log = this.statement(
      `INSERT INTO webhook_attempts (endpoint_id, event_id, attempt, status, error, duration_ms, at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const settle = this.statement(
      `UPDATE webhook_deliveries SET attempts = ?, state = ?, next_attempt_at = ?, lease_until = NULL WHERE id = ?`,
    );
    for (const { deliveryId, endpointId, attempt, retryAt, succeeded } of records) {
      const endpoint = this.row(endpointId);
      if (endpoint === undefined) continue;
      const at = attempt.at.getTime();
      log.run(
        endpointId,
        attempt.eventId,
        attempt.attempt,
        attempt.status,
        attempt.error,
        attempt.durationMs,
        at,
      );
      const state = succeeded ? 'succeeded' : retryAt === null ? 'failed' : 'pending';
      settle.run(attempt.attempt, state, retryAt?.getTime() ?? null, deliveryId);
      this.updateStreak(endpoint, succeeded, attempt.at);
    }
  }

  /** One success ends an endpoint's failing streak; a streak of 5 days disables it. */
  private updateStreak(endpoint: EndpointRow, succeeded: boolean, at: Date): void {
    const failingSince = succeeded ? null : (dateOf(endpoint.failing_since) ?? at);
    const status = shouldDisable(failingSince, at) ? 'disabled' : endpoint.status;
    this.statement('UPDATE webhook_endpoints SET failing_since = ?, status = ? WHERE id = ?').run(
      failingSince?.getTime() ?? null,
      status,
      endpoint.id,
    );
  }

  /** Inside a write transaction: while no endpoint is enabled, every tree's fan-out cursor at its last event. */
  private skipEventsForNoOne(): void {
    this.statement(
      `UPDATE event_fanout SET pending = 0,
         sequence = (SELECT a.event_sequence FROM accounts a WHERE a.id = event_fanout.account_id)
       WHERE pending = 1 AND NOT ${ANY_ENABLED}`,
    ).run();
  }

  /** Events waiting for the fan-out; none while no endpoint is enabled (they go to none). */
  backlog(): { events: number; deliveries: number } {
    const row = this.statement(
      `SELECT (SELECT COALESCE(SUM(a.event_sequence - f.sequence), 0) FROM event_fanout f
           JOIN accounts a ON a.id = f.account_id WHERE f.pending = 1 AND ${ANY_ENABLED}) AS events,
         (SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'pending') AS deliveries`,
    ).get() as { events: bigint; deliveries: bigint };
    return { events: Number(row.events), deliveries: Number(row.deliveries) };
  }
}
