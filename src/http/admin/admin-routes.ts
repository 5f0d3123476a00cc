import type { FastifyInstance } from 'fastify';
import type { Store } from '../../domain/store.js';
import { registerAccountRoutes } from './accounts.js';
import { operatorAuthHook } from './auth.js';
import { registerHoldRoutes } from './holds.js';
import { registerAccountRulesRoutes } from './rules.js';
import { registerSubaccountRoutes } from './subaccounts.js';
import { registerTransferRoutes } from './transfers.js';
import { registerAdminWebhookRoutes } from './webhooks.js';
import type { WebhookRouteOptions } from '../webhooks.js';

export interface AdminOptions {
  readonly store: Store;
  /** TIRELIRE_ADMIN_TOKEN; unset or empty turns the whole API off (every route answers 29). */
  readonly adminToken: string | undefined;
  readonly webhooks: WebhookRouteOptions;
}

const ADMIN_PREFIX = '/admin/v1';

/** The operator API (docs/admin-api.md) under /admin/v1, every route behind the bearer token. */
export function registerAdminRoutes(app: FastifyInstance, options: AdminOptions): void {
  void app.register(
    async (admin) => {
      admin.addHook('onRequest', operatorAuthHook(options.adminToken));
      registerAccountRoutes(admin, options.store);
      registerTransferRoutes(admin, options.store);
      registerAdminWebhookRoutes(admin, options.store, options.webhooks);
      registerAccountRulesRoutes(admin, options.store);
      registerHoldRoutes(admin, options.store);
      registerSubaccountRoutes(admin, options.store);
    },
    { prefix: ADMIN_PREFIX },
  );
}
