import type { FastifyInstance } from 'fastify';
import { packageVersion } from '../config.js';

/**
 * `GET /`: what a person (or a probe) who opens the server's address finds —
 * the product, its version and where to go next — rather than a 404.
 * Relative links, so they hold behind any proxy that keeps the paths.
 */
export function registerIndexRoute(app: FastifyInstance): void {
  const index = {
    name: 'tirelire',
    version: packageVersion(),
    description: 'Prepaid credit ledger speaking the Mailpartner subaccount API',
    links: {
      api: '/v1',
      docs: '/docs',
      openapi: '/openapi.json',
      console: '/console/',
      health: '/healthz',
      ready: '/readyz',
      metrics: '/metrics',
    },
  };
  app.get('/', async () => index);
}
