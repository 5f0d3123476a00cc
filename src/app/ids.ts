import { randomBytes, randomFillSync } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { RandomBytes } from '../domain/random-bytes.js';

// uuid draws 16 random bytes from crypto.getRandomValues for every id, a call
// into the system's random source that cost 3 % of the server's CPU under
// load; one draw now serves 256 ids.
const ID_BYTES = 16;
const random = new RandomBytes(randomFillSync, ID_BYTES * 256);
// The library's own rule for ordered ids within one millisecond: a random
// start, then +1 per id (moving to the next millisecond on overflow).
const clock = { msecs: -Infinity, seq: 0 };

function random16(): Uint8Array {
  const at = random.take(ID_BYTES);
  return random.bytes.subarray(at, at + ID_BYTES);
}

/** Transfer ids are UUIDv7: unique without coordination and ordered by creation time. */
export function newTransferId(): string {
  const random = random16();
  const now = Date.now();
  if (now > clock.msecs) {
    clock.msecs = now;
    clock.seq = ((random[6]! & 0x7f) << 24) | (random[7]! << 16) | (random[8]! << 8) | random[9]!;
  } else {
    clock.seq = (clock.seq + 1) | 0;
    if (clock.seq === 0) clock.msecs += 1;
  }
  return uuidv7({ random, msecs: clock.msecs, seq: clock.seq });
}

/**
 * Hold ids are `hold_` and 144 random bits (base64url): opaque, not
 * guessable, so a hold id found in a log names no other hold.
 */
export function newHoldId(): string {
  return `hold_${randomBytes(18).toString('base64url')}`;
}
