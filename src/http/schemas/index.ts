import { ADMIN_ROUTES } from './admin.js';
import type { RouteDoc } from './common.js';
import { EVENT_ROUTES } from './events.js';
import { OPERATIONS_ROUTES } from './operations.js';
import { PUBLIC_ROUTES } from './public.js';

export type { JsonSchema, ParameterDoc, RouteDoc } from './common.js';
export { hasBody, routeCodes } from './common.js';

/** Every documented route, keyed `METHOD /path` with Fastify's `:param` syntax. */
export const ROUTE_DOCS: Readonly<Record<string, RouteDoc>> = {
  ...PUBLIC_ROUTES,
  ...EVENT_ROUTES,
  ...ADMIN_ROUTES,
  ...OPERATIONS_ROUTES,
};
