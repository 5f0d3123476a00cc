import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from '../errors.js';

/**
 * The operator token check, as an onRequest hook: it runs before the body is
 * read, so a refused request costs no parsing. Both sides are hashed first so
 * timingSafeEqual compares equal lengths and the token's length does not leak.
 * No token configured (unset or empty) means the API is off: every request is 29.
 */
export function operatorAuthHook(adminToken: string | undefined) {
  const expected = adminToken === undefined || adminToken === '' ? null : digest(adminToken);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const given = bearerToken(request.headers.authorization);
    if (expected === null || given === null || !timingSafeEqual(digest(given), expected)) {
      return sendError(request, reply, 29);
    }
    return undefined;
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** `Bearer <token>` (scheme case-insensitive, RFC 7235); anything else is no token. */
export function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^Bearer +(\S+) *$/i.exec(header);
  return match === null ? null : match[1]!;
}
