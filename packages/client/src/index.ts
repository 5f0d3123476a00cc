/**
 * `tirelire-client`: a typed client for the Tirelire HTTP API, public and
 * operator. Uses the global fetch only (Node 20+, browsers), no dependency
 * and no server code. Money is decimal text in and out. See docs/sdk.md.
 * A webhook receiver's `verifyWebhook` is its own entry,
 * `tirelire-client/webhooks` (./verify-webhook.ts), on node:crypto, which a
 * browser does not have; the answers' JSON Schemas are
 * `tirelire-client/shapes`, which the server documents its routes with.
 */
export {
  TirelireClient,
  type DeliveryPageInput,
  type EventFilter,
  type WebhookInput,
  type HistoryFilter,
  type RulesInput,
  type SubaccountInput,
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
  TirelireConfigurationError,
  TirelireNetworkError,
  TirelireProtocolError,
  type CallOptions,
  type ClientOptions,
  type RetryOptions,
} from './transport.js';
export { ErrorCodes, type ErrorCode } from './error-codes.js';
export type { Language } from './messages.js';
