import { textOf } from '../domain/answers/utf8.js';

/**
 * The text of an answer on its way out, for the onSend hooks (the metrics'
 * count, the XML format): a string payload as it is; bytes (a batch's answer,
 * which Fastify hands the hooks as a `Buffer`) decoded, only their first
 * `maxBytes` when given; null for anything else (a stream).
 */
export function answerText(payload: unknown, maxBytes?: number): string | null {
  if (typeof payload === 'string') return payload;
  if (!(payload instanceof Uint8Array)) return null;
  return textOf(maxBytes === undefined ? payload : payload.subarray(0, maxBytes));
}
