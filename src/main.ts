import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Store } from './domain/store.js';
import { buildApp } from './http/app.js';
import { openAbuseLimits, requestTimeoutFromEnv } from './http/rate-limit.js';
import { openStore } from './store/open-store.js';

export interface ServerOptions {
  /** Each option falls back to its environment variable, then to the default. */
  readonly host?: string | undefined;
  readonly port?: number | undefined;
  readonly databaseUrl?: string | undefined;
  readonly logLevel?: string | undefined;
  /** A store the caller opened, used instead of the one DATABASE_URL names; closed with the server. */
  readonly store?: Store | undefined;
  /** Close cleanly on SIGTERM and SIGINT (true by default). */
  readonly handleSignals?: boolean | undefined;
}

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly store: Store;
  /** e.g. `http://127.0.0.1:8080`, with the real port when 0 was asked for. */
  readonly url: string;
  close(): Promise<void>;
}

/** The one place that wires configuration → store → app → listen. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? process.env['HOST'] ?? '127.0.0.1';
  const port = options.port ?? readPort(process.env['PORT']);
  const requestTimeoutMs = requestTimeoutFromEnv(process.env);
  const abuseLimits = openAbuseLimits(process.env);
  const store =
    options.store ?? (await openStore({ databaseUrl: options.databaseUrl ?? process.env['DATABASE_URL'] }));
  const app = buildApp({
    store,
    logger: { level: options.logLevel ?? process.env['LOG_LEVEL'] ?? 'info' },
    adminToken: process.env['TIRELIRE_ADMIN_TOKEN'],
    abuseLimits,
    requestTimeoutMs,
  });
  let url: string;
  try {
    url = await app.listen({ host, port });
  } catch (error) {
    await store.close();
    await abuseLimits.counter.close();
    throw error;
  }
  // A stable line that scripts and the black-box tests wait for.
  app.log.info({ url, store: store.engine }, 'tirelire listening');
  const close = once(async () => {
    // Fastify waits for requests in flight (and so for their commits) before the store goes.
    await app.close();
    await store.close();
    await abuseLimits.counter.close();
  });
  if (options.handleSignals ?? true) closeOnSignals(app, close);
  return { app, store, url, close };
}

function readPort(text: string | undefined): number {
  if (text === undefined || text === '') return 8080;
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port > 65535) throw new Error(`PORT must be 0–65535, got "${text}"`);
  return port;
}

function closeOnSignals(app: FastifyInstance, close: () => Promise<void>): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      app.log.info({ signal }, 'closing');
      close().then(
        () => process.exit(0),
        (error: unknown) => {
          app.log.error({ err: error }, 'close failed');
          process.exit(1);
        },
      );
    });
  }
}

function once(action: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= action());
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  startServer().catch((error: unknown) => {
    console.error(`tirelire: cannot start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
