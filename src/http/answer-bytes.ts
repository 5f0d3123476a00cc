import type { FastifyReply } from 'fastify';
import type { AnswerPieces } from '../domain/answers/batch-answer.js';
import { utf8Of } from '../domain/answers/utf8.js';
import { JSON_TYPE } from './json.js';

/**
 * Sends a JSON answer given as pieces (a batch's: batchAnswerPieces) as the
 * UTF-8 bytes of its pieces written one after the other into one array
 * (`utf8Of`). No string of the whole answer is made: one of 150 kB is a large
 * object to V8, and Node's HTTP copies a string body once more to put its
 * headers in front, where bytes are written beside them as they are
 * (docs/benchmarks.md, "A batch's answer as bytes"). Fastify hands the
 * onSend hooks a `Buffer` of them, which they read with `answerText`.
 */
export function sendPieces(reply: FastifyReply, answer: AnswerPieces): FastifyReply {
  return reply.code(answer.status).type(JSON_TYPE).send(utf8Of(answer.pieces));
}

/**
 * The text of an answer on its way out: a string payload as it is, a buffer
 * (sendPieces', or a batch's recorded answer) decoded, its first `maxBytes`
 * only when given; null for anything else (a stream).
 */
export function answerText(payload: unknown, maxBytes?: number): string | null {
  if (typeof payload === 'string') return payload;
  if (!Buffer.isBuffer(payload)) return null;
  return payload.toString(
    'utf8',
    0,
    maxBytes === undefined ? payload.length : Math.min(maxBytes, payload.length),
  );
}
