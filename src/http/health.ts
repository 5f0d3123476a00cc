import type { FastifyInstance } from 'fastify';
import type { Store } from '../domain/store.js';
import { sendError } from './errors.js';
import type { Written } from './json.js';

/** A ping that does not answer within this time counts as a failure. */
const READY_TIMEOUT_MS = 2000;

export function registerHealthRoutes(app: FastifyInstance, store: Store): void {
  app.get('/healthz', async () => ({ success: true, code: 200, status: 'ok' }) satisfies Written<'health'>);

  app.get('/readyz', async (request, reply) => {
    try {
      await withTimeout(store.ping(), READY_TIMEOUT_MS);
      return { success: true, code: 200, status: 'ready', store: store.engine } satisfies Written<'ready'>;
    } catch (error) {
      request.log.warn({ err: error }, 'store not ready');
      return sendError(request, reply, 503);
    }
  });
}

function withTimeout(promise: Promise<void>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
