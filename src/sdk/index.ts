/**
 * `tirelire/client`: a typed client for the Tirelire HTTP API, public and
 * operator. Uses the global fetch only (Node 20+, browsers) and imports
 * nothing from the server but domain types. Money is decimal text in and
 * out. See docs/sdk.md. A webhook receiver's `verifyWebhook` is its own
 * entry, `tirelire/client/webhooks` (./verify-webhook.ts): it brings the
 * `standardwebhooks` package, which a bundler cannot drop from a page that
 * never verifies anything (4.4 kB gzipped in the console), so the client
 * does not carry it.
 */
export {
  TirelireClient,
  type DeliveryPageInput,
  type EventFilter,
  type WebhookInput,
  type HistoryFilter,
  type RulesInput,
  type SubaccountParameters,
  type TirelireClientOptions,
} from './client.js';
export {
  TirelireAdminClient,
  type ActionInput,
  type HoldFilter,
  type HoldInput,
  type TirelireAdminClientOptions,
  type TransferFilter,
} from './admin-client.js';
export { OPERATIONS, type CodeOf, type OperationName } from './operations.js';

export type * from './results.js';
export {
  TirelireNetworkError,
  TirelireProtocolError,
  type CallOptions,
  type ClientOptions,
  type RetryOptions,
} from './transport.js';
export type { ErrorCode } from '../domain/errors.js';
