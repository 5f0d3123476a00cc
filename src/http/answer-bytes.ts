import type { FastifyReply } from 'fastify';
import type { AnswerPieces } from '../domain/answers/batch-answer.js';
import { JSON_TYPE } from './json.js';

/**
 * Sends a JSON answer given as pieces (a batch's: batchAnswerPieces) as the
 * UTF-8 bytes of its pieces written one after the other into one buffer. No
 * string of the whole answer is made: one of 150 kB is a large object to V8,
 * and Node's HTTP copies a string body once more to put its headers in
 * front, where a buffer is written beside them as it is (docs/benchmarks.md,
 * "A batch's answer as bytes"). The onSend hooks read such a body with
 * `answerText`.
 */
export function sendPieces(reply: FastifyReply, answer: AnswerPieces): FastifyReply {
  return reply.code(answer.status).type(JSON_TYPE).send(bytesOf(answer.pieces));
}

function bytesOf(pieces: readonly string[]): Buffer {
  let size = 0;
  for (const piece of pieces) size += Buffer.byteLength(piece);
  const bytes = Buffer.allocUnsafe(size);
  let written = 0;
  for (const piece of pieces) written += bytes.write(piece, written);
  return bytes;
}

/**
 * The text of an answer on its way out: a string payload as it is, a buffer
 * (sendPieces') decoded, its first `maxBytes` only when given; null for
 * anything else (a stream).
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
