import { parseAmount } from '../domain/money.js';
import type { ParsedAmount } from '../domain/money.js';
import type { CreditCommand, Direction } from '../domain/transfers.js';
import { newTransferId } from '../app/ids.js';

/** A credit request as the HTTP layer read it; presence (codes 1–3) is already checked. */
export interface CreditRequest {
  readonly direction: Direction;
  /** The stored hash of the caller's API key (hashApiKey). */
  readonly keyHash: string;
  /** `''` matches no subaccount: the HTTP layer passes it for a token it cannot use (code 7). */
  readonly tokenSubaccount: string;
  /** The amount's exact decimal text, or null when it was not a string or number (code 20). */
  readonly creditText: string | null;
  readonly idempotencyKey: string | null;
}

/** Longer amount text cannot be a valid amount; refusing it early bounds the work. */
const MAX_AMOUNT_TEXT_LENGTH = 64;

export function readAmount(text: string | null): ParsedAmount {
  if (text === null || text.length > MAX_AMOUNT_TEXT_LENGTH) return { kind: 'invalid' };
  return parseAmount(text);
}

/** The command the store decides on; codes 10, 4, 20, 5, 7, 6, 8 are the store's to give. */
export function buildCreditCommand(request: CreditRequest, now = new Date()): CreditCommand {
  return {
    transferId: newTransferId(),
    direction: request.direction,
    keyHash: request.keyHash,
    tokenSubaccount: request.tokenSubaccount,
    amount: readAmount(request.creditText),
    createdAt: now,
    idempotencyKey: request.idempotencyKey,
  };
}
