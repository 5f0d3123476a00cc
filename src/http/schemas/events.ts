import { arrayOf, nullable, object, text, ANSWERS } from 'tirelire-client/shapes';
import { DEFAULT_DELIVERY_PAGE, MAX_DELIVERY_PAGE } from '../bounds.js';
import {
  apiKeyField,
  apiKeyQuery,
  cursorQuery,
  limitQuery,
  type ParameterDoc,
  type RouteDoc,
} from './common.js';

/** Events and webhook endpoints (CONTRACT.md section 7, docs/webhooks.md), public and operator. */

const CALLER = [1, 10, 4] as const;

const afterQuery: ParameterDoc = {
  name: 'after',
  in: 'query',
  description: 'Events with a sequence above this one (0 by default): the `nextAfter` of the previous page.',
  schema: { type: 'integer', minimum: 0 },
};

const typesQuery: ParameterDoc = {
  name: 'types',
  in: 'query',
  description:
    'Only these types, comma-separated (`transfer.created,balance.depleted`); an unknown name is 22.',
  schema: { type: 'string' },
};

const feedParameters = [afterQuery, limitQuery('1–1000, default 100.'), typesQuery];

const idPath: ParameterDoc = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'The endpoint id (`we_…`).',
  schema: text(),
};

const accountQuery = (description: string): ParameterDoc => ({
  name: 'accountId',
  in: 'query',
  description,
  schema: { type: 'integer', minimum: 1 },
});

const createBody = (withKey: boolean) =>
  object(
    {
      ...(withKey ? { apiKey: apiKeyField } : {}),
      url: text(
        'http(s); a host that is and resolves to public addresses only (38), unless WEBHOOK_ALLOW_PRIVATE=1.',
      ),
      types: nullable(
        arrayOf(
          text(),
          'Only these event types (a comma-separated text in a form body); every type when absent.',
        ),
      ),
    },
    ['url'],
  );

const keyOnlyBody = object({ apiKey: apiKeyField }, []);
const resendBody = (withKey: boolean) =>
  object({ ...(withKey ? { apiKey: apiKeyField } : {}), eventId: text('An event of the endpoint’s tree.') }, [
    'eventId',
  ]);

const deliveryParameters = [
  limitQuery(`1–${MAX_DELIVERY_PAGE}, default ${DEFAULT_DELIVERY_PAGE}.`),
  cursorQuery,
];

const RESEND_NOTE =
  'Queues the event again for this endpoint, whatever its `types`. An event of another tree answers 22 like an unknown one; so does a disabled endpoint. A repeat queues it once more (receivers de-duplicate by `webhook-id`), so Idempotency-Key is not recorded.';
const ROTATE_NOTE =
  'Deliveries are signed with the new secret from now on, and for 24 h also with the old one (a second signature). Not recorded under an Idempotency-Key: a replay would have to show the secret again.';

export const EVENT_ROUTES: Record<string, RouteDoc> = {
  'GET /v1/events': {
    operationId: 'listEvents',
    summary: "The caller's tree's events, oldest first, after a sequence",
    tag: 'events',
    auth: 'apiKey',
    parameters: [apiKeyQuery, ...feedParameters],
    ok: ANSWERS.listEvents,
    codes: [...CALLER, 22],
  },
  'POST /v1/webhooks': {
    operationId: 'createWebhook',
    summary: 'Register a webhook endpoint for the tree (at most 10)',
    description: 'The signing secret is in this answer only.',
    tag: 'events',
    auth: 'apiKey',
    body: createBody(true),
    ok: ANSWERS.createWebhook,
    codes: [...CALLER, 22, 38, 39],
  },
  'GET /v1/webhooks': {
    operationId: 'listWebhooks',
    summary: "The main account's webhook endpoints, oldest first",
    tag: 'events',
    auth: 'apiKey',
    parameters: [apiKeyQuery],
    ok: ANSWERS.listWebhooks,
    codes: CALLER,
  },
  'DELETE /v1/webhooks/:id': {
    operationId: 'deleteWebhook',
    summary: 'Remove a webhook endpoint, with what it had left to deliver',
    tag: 'events',
    auth: 'apiKey',
    parameters: [apiKeyQuery, idPath],
    ok: ANSWERS.deleteWebhook,
    codes: [...CALLER, 37],
  },
  'POST /v1/webhooks/:id/rotate-secret': {
    operationId: 'rotateWebhookSecret',
    summary: 'A new signing secret for the endpoint',
    description: ROTATE_NOTE,
    tag: 'events',
    auth: 'apiKey',
    parameters: [idPath],
    body: keyOnlyBody,
    ok: ANSWERS.rotateWebhookSecret,
    codes: [...CALLER, 37],
    idempotent: false,
  },
  'GET /v1/webhooks/:id/deliveries': {
    operationId: 'listWebhookDeliveries',
    summary: "The endpoint's delivery attempts, newest first, by cursor",
    tag: 'events',
    auth: 'apiKey',
    parameters: [apiKeyQuery, idPath, ...deliveryParameters],
    ok: ANSWERS.listWebhookDeliveries,
    codes: [...CALLER, 22, 37],
  },
  'POST /v1/webhooks/:id/resend': {
    operationId: 'resendWebhookEvent',
    summary: 'Deliver one event to the endpoint again',
    description: RESEND_NOTE,
    tag: 'events',
    auth: 'apiKey',
    parameters: [idPath],
    body: resendBody(true),
    ok: ANSWERS.resendWebhookEvent,
    codes: [...CALLER, 37, 22],
    idempotent: false,
  },
  'GET /admin/v1/events': {
    operationId: 'adminListEvents',
    summary: "A tree's events, oldest first, after a sequence",
    tag: 'operator',
    auth: 'admin',
    parameters: [accountQuery('The main account whose tree is read (required).'), ...feedParameters],
    ok: ANSWERS.adminListEvents,
    codes: [29, 22, 30],
  },
  'POST /admin/v1/webhooks': {
    operationId: 'adminCreateWebhook',
    summary: "Register an operator's webhook endpoint: it receives every tree's events",
    description: 'The signing secret is in this answer only. Not counted against any account’s 10.',
    tag: 'operator',
    auth: 'admin',
    body: createBody(false),
    ok: ANSWERS.adminCreateWebhook,
    codes: [29, 22, 38],
  },
  'GET /admin/v1/webhooks': {
    operationId: 'adminListWebhooks',
    summary: "The operator's webhook endpoints, or a main account's with `accountId`",
    tag: 'operator',
    auth: 'admin',
    parameters: [accountQuery("A main account: its endpoints instead of the operator's.")],
    ok: ANSWERS.adminListWebhooks,
    codes: [29, 22, 30],
  },
  'DELETE /admin/v1/webhooks/:id': {
    operationId: 'adminDeleteWebhook',
    summary: 'Remove any webhook endpoint',
    tag: 'operator',
    auth: 'admin',
    parameters: [idPath],
    ok: ANSWERS.adminDeleteWebhook,
    codes: [29, 37],
  },
  'POST /admin/v1/webhooks/:id/rotate-secret': {
    operationId: 'adminRotateWebhookSecret',
    summary: 'A new signing secret for any webhook endpoint',
    description: ROTATE_NOTE,
    tag: 'operator',
    auth: 'admin',
    parameters: [idPath],
    body: object({}, []),
    ok: ANSWERS.adminRotateWebhookSecret,
    codes: [29, 37],
    idempotent: false,
  },
  'GET /admin/v1/webhooks/:id/deliveries': {
    operationId: 'adminListWebhookDeliveries',
    summary: "Any endpoint's delivery attempts, newest first, by cursor",
    tag: 'operator',
    auth: 'admin',
    parameters: [idPath, ...deliveryParameters],
    ok: ANSWERS.adminListWebhookDeliveries,
    codes: [29, 22, 37],
  },
  'POST /admin/v1/webhooks/:id/resend': {
    operationId: 'adminResendWebhookEvent',
    summary: 'Deliver one event to any endpoint again',
    description: RESEND_NOTE,
    tag: 'operator',
    auth: 'admin',
    parameters: [idPath],
    body: resendBody(false),
    ok: ANSWERS.adminResendWebhookEvent,
    codes: [29, 37, 22],
    idempotent: false,
  },
};
