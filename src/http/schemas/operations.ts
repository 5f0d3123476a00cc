import { text, ANSWERS } from 'tirelire-client/shapes';
import type { RouteDoc } from './common.js';

/** Probes and self-description, for the people and machines that run the service. */
export const OPERATIONS_ROUTES: Record<string, RouteDoc> = {
  'GET /healthz': {
    operationId: 'health',
    summary: 'Liveness: the process answers',
    tag: 'operations',
    auth: 'none',
    ok: ANSWERS.health,
    codes: [],
  },
  'GET /readyz': {
    operationId: 'ready',
    summary: 'Readiness: the store answers (503 otherwise)',
    tag: 'operations',
    auth: 'none',
    ok: ANSWERS.ready,
    codes: [],
  },
  'GET /metrics': {
    operationId: 'metrics',
    summary: 'Prometheus metrics (text exposition format)',
    description:
      'Open like the probes: it carries counts and timings, no key, no email, no amount per account.',
    tag: 'operations',
    auth: 'none',
    ok: text(),
    okMediaType: 'text/plain; version=0.0.4',
    codes: [],
  },
  'GET /openapi.json': {
    operationId: 'openapi',
    summary: 'This document (OpenAPI 3.1); browsable at /docs',
    tag: 'operations',
    auth: 'none',
    ok: { type: 'object' },
    codes: [],
  },
};
