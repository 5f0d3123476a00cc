import { readFileSync } from 'node:fs';
import ipaddr from 'ipaddr.js';
import { DEFAULT_WRITE_QUEUE_MAX, DEFAULT_WRITE_QUEUE_MAX_WAIT_MS } from './domain/store.js';
import { DEFAULT_RETRY_SCHEDULE_MS, parseRetrySchedule } from './domain/webhooks.js';

/**
 * Every environment variable Tirelire reads, read here and nowhere else:
 * main.ts and the CLI each call readConfig once, and a malformed value stops
 * the process at start with its name, never halfway through a request.
 * README "Configuration" and docs/abuse-limits.md list them.
 */

export interface AbuseLimitSettings {
  /** Requests per API key (or per client address without a usable key) per window; 0 turns it off. */
  readonly perKeyMax: number;
  readonly perKeyWindowMs: number;
  /** 401 answers per client address per window before the address gets 429; 0 turns it off. */
  readonly authFailureMax: number;
  readonly authFailureWindowMs: number;
}

export interface Config {
  readonly host: string;
  readonly port: number;
  /** Undefined: openStore's default file (./data/tirelire.db). */
  readonly databaseUrl: string | undefined;
  /** PostgreSQL connections per process. */
  readonly pgPoolMax: number;
  /** PG_SILENT_AFTER_MS: how long a connection may be out before PostgreSQL is asked whether its session lives. */
  readonly pgSilentAfterMs: number;
  /**
   * TIRELIRE_TRUST_PROXY: whom to believe about the client's address
   * (X-Forwarded-For), handed to Fastify's trustProxy; false when unset.
   */
  readonly trustProxy: TrustProxy;
  readonly logLevel: string;
  /** Undefined or empty: /admin/v1 refuses everything (code 29). */
  readonly adminToken: string | undefined;
  /** Set: the abuse limits count in Redis, shared by every process. */
  readonly redisUrl: string | undefined;
  readonly abuseLimits: AbuseLimitSettings;
  readonly requestTimeoutMs: number;
  /** Writes that may wait for the database, per queue, before the next gets 503 (credit-queue.ts, credit-writer.ts). */
  readonly writeQueueMax: number;
  /** How long the oldest credit command may wait for the store before the next gets 503 (credit-queue.ts). */
  readonly writeQueueMaxWaitMs: number;
  /** Every request gets 503 while the event loop's mean delay is past it (http/overload.ts); 0: off. */
  readonly eventLoopDelayMaxMs: number;
  /** HEAP_GROWING_PERCENT: how far V8's heap grows past its live objects before a full collection (heap-growth.ts); 0: V8's own. */
  readonly heapGrowingPercent: number;
  /** The CLI's default --operator when the OS account has no name (containers). */
  readonly user: string | undefined;
  readonly webhooks: WebhookSettings;
}

/** The webhook delivery worker's settings (docs/webhooks.md). */
export interface WebhookSettings {
  /** WEBHOOK_ALLOW_PRIVATE=1: endpoints may be on loopback, private or link-local addresses (tests, on-premises). */
  readonly allowPrivate: boolean;
  /** WEBHOOK_RETRY_SCHEDULE: the waits before each retry, in ms (the contract's 7 by default). */
  readonly retryScheduleMs: readonly number[];
}

/** Fastify's trustProxy: off, everyone, or the proxies' addresses and ranges (proxy-addr's names too). */
export type TrustProxy = boolean | string;

export type Environment = Readonly<Record<string, string | undefined>>;

export const DEFAULT_PORT = 8080;

export const DEFAULT_ABUSE_LIMITS: AbuseLimitSettings = {
  /** High enough for the benchmark's 64 connections on one key; operators serving many tenants lower it. */
  perKeyMax: 10_000,
  perKeyWindowMs: 1000,
  authFailureMax: 50,
  authFailureWindowMs: 60_000,
};

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/**
 * Off: shedding on the event loop's delay refuses every request, the ones the
 * store could take too, and on a machine whose cores are busy with other work
 * the delay stays high whatever is refused (docs/benchmarks.md, target g).
 */
export const DEFAULT_EVENT_LOOP_DELAY_MAX_MS = 0;
/**
 * The heap grows by half its live objects before V8 collects it again, not by
 * up to 4 ×: a peak RSS about a third lower under overload and batches, with
 * no throughput lost in alternated runs (docs/benchmarks.md, "V8's heap growth").
 */
export const DEFAULT_HEAP_GROWING_PERCENT = 50;
/** Past 4 ×, V8's own largest factor: a typo rather than a choice. */
const MAX_HEAP_GROWING_PERCENT = 300;
/** As src/store/postgres/pool.ts (not imported: config stays free of the drivers). */
export const DEFAULT_PG_SILENT_AFTER_MS = 1_000;

export function readConfig(env: Environment = process.env): Config {
  return {
    host: text(env, 'HOST') ?? '127.0.0.1',
    port: readPortVariable(env),
    databaseUrl: text(env, 'DATABASE_URL'),
    pgPoolMax: readAtLeastOne(env, 'PGPOOL_MAX', 10),
    pgSilentAfterMs: readAtLeastOne(env, 'PG_SILENT_AFTER_MS', DEFAULT_PG_SILENT_AFTER_MS),
    trustProxy: readTrustProxy(env),
    logLevel: text(env, 'LOG_LEVEL') ?? 'info',
    adminToken: env['TIRELIRE_ADMIN_TOKEN'],
    redisUrl: text(env, 'REDIS_URL'),
    abuseLimits: {
      perKeyMax: readCount(env, 'RATE_LIMIT_MAX', DEFAULT_ABUSE_LIMITS.perKeyMax),
      perKeyWindowMs: readAtLeastOne(env, 'RATE_LIMIT_WINDOW_MS', DEFAULT_ABUSE_LIMITS.perKeyWindowMs),
      authFailureMax: readCount(env, 'AUTH_FAILURE_MAX', DEFAULT_ABUSE_LIMITS.authFailureMax),
      authFailureWindowMs: readAtLeastOne(
        env,
        'AUTH_FAILURE_WINDOW_MS',
        DEFAULT_ABUSE_LIMITS.authFailureWindowMs,
      ),
    },
    requestTimeoutMs: readCount(env, 'REQUEST_TIMEOUT_MS', DEFAULT_REQUEST_TIMEOUT_MS),
    writeQueueMax: readAtLeastOne(env, 'WRITE_QUEUE_MAX', DEFAULT_WRITE_QUEUE_MAX),
    writeQueueMaxWaitMs: readAtLeastOne(env, 'WRITE_QUEUE_MAX_WAIT_MS', DEFAULT_WRITE_QUEUE_MAX_WAIT_MS),
    eventLoopDelayMaxMs: readCount(env, 'EVENT_LOOP_DELAY_MAX_MS', DEFAULT_EVENT_LOOP_DELAY_MAX_MS),
    heapGrowingPercent: readAtMost(
      env,
      'HEAP_GROWING_PERCENT',
      DEFAULT_HEAP_GROWING_PERCENT,
      MAX_HEAP_GROWING_PERCENT,
    ),
    user: text(env, 'USER'),
    webhooks: {
      allowPrivate: readSwitch(env, 'WEBHOOK_ALLOW_PRIVATE'),
      retryScheduleMs: readRetrySchedule(env),
    },
  };
}

/** `1` or `true` turns it on; unset, empty, `0` or `false` leave it off; anything else stops the start. */
function readSwitch(env: Environment, name: string): boolean {
  const value = text(env, name);
  if (value === undefined || value === '0' || value === 'false') return false;
  if (value === '1' || value === 'true') return true;
  throw new Error(`${name} must be 1 or 0, got "${value}"`);
}

/** proxy-addr's names for address ranges, besides addresses and CIDR ranges. */
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * Unset, `0` or `false`: the socket's address is the client's. `true`: every
 * X-Forwarded-For is believed (only behind a proxy nobody can bypass).
 * Otherwise the proxies' addresses or ranges, comma-separated (`127.0.0.1`,
 * `10.0.0.0/8`, `loopback`): the client is the last address before them.
 */
function readTrustProxy(env: Environment): TrustProxy {
  const value = text(env, 'TIRELIRE_TRUST_PROXY');
  if (value === undefined || value === '0' || value === 'false') return false;
  if (value === 'true' || value === '1') return true;
  const entries = value.split(',').map((entry) => entry.trim());
  if (entries.every((entry) => PROXY_NAMES.has(entry) || isAddressOrRange(entry))) return entries.join(',');
  throw new Error(
    `TIRELIRE_TRUST_PROXY must be true, false, or addresses and ranges separated by commas, got "${value}"`,
  );
}

function isAddressOrRange(entry: string): boolean {
  if (!entry.includes('/')) return ipaddr.isValid(entry);
  try {
    ipaddr.parseCIDR(entry);
    return true;
  } catch {
    return false;
  }
}

function readRetrySchedule(env: Environment): readonly number[] {
  const value = text(env, 'WEBHOOK_RETRY_SCHEDULE');
  if (value === undefined) return DEFAULT_RETRY_SCHEDULE_MS;
  const schedule = parseRetrySchedule(value);
  if (schedule === null) {
    throw new Error(`WEBHOOK_RETRY_SCHEDULE must be comma-separated milliseconds, got "${value}"`);
  }
  return schedule;
}

/** The one reading of a port, for PORT and the CLI's --port alike; null when it is not 0–65535. */
export function parsePort(text: string): number | null {
  const port = Number(text);
  return /^\d{1,5}$/.test(text) && port <= 65535 ? port : null;
}

function readPortVariable(env: Environment): number {
  const value = text(env, 'PORT');
  if (value === undefined) return DEFAULT_PORT;
  const port = parsePort(value);
  if (port === null) throw new Error(`PORT must be 0–65535, got "${value}"`);
  return port;
}

/** Unset and empty are the same: the default applies. */
function text(env: Environment, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

function readCount(env: Environment, name: string, fallback: number): number {
  const value = text(env, name);
  if (value === undefined) return fallback;
  if (!/^\d{1,9}$/.test(value)) throw new Error(`${name} must be a whole number ≥ 0, got "${value}"`);
  return Number(value);
}

function readAtLeastOne(env: Environment, name: string, fallback: number): number {
  const value = readCount(env, name, fallback);
  if (value === 0) throw new Error(`${name} must be at least 1`);
  return value;
}

function readAtMost(env: Environment, name: string, fallback: number, max: number): number {
  const value = readCount(env, name, fallback);
  if (value > max) throw new Error(`${name} must be at most ${max}, got ${value}`);
  return value;
}

let version: string | undefined;

/**
 * The package's version, from the nearest package.json above this file: one
 * folder up from src/ and dist/, three from the bench's and soak's builds.
 */
export function packageVersion(): string {
  if (version !== undefined) return version;
  for (const up of ['../', '../../', '../../../']) {
    const text = readIfPresent(new URL(`${up}package.json`, import.meta.url));
    if (text === null) continue;
    const parsed = JSON.parse(text) as { version?: unknown };
    version = typeof parsed.version === 'string' ? parsed.version : '0.0.0';
    return version;
  }
  throw new Error('no package.json above src/config.ts');
}

function readIfPresent(url: URL): string | null {
  try {
    return readFileSync(url, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
