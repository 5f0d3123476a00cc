/**
 * `tirelire/client`: a typed client for the Tirelire HTTP API, public and
 * operator. Uses the global fetch only (Node 20+, browsers) and imports
 * nothing from the server but domain types. Money is decimal text in and
 * out. See docs/sdk.md.
 */
export {
  TirelireClient,
  type HistoryFilter,
  type SubaccountParameters,
  type TirelireClientOptions,
} from './client.js';
export {
  TirelireAdminClient,
  type ActionInput,
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
