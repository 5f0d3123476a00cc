import { describe, expect, it } from 'vitest';
import { eventId, eventNonce, eventNonces, eventPosition, isEventType } from './events.js';

describe('event ids', () => {
  it('name their tree and sequence, found back from the id alone', () => {
    const id = eventId(12, 345, '9f86d081884c');
    expect(id).toBe('evt_12_345_9f86d081884c');
    expect(eventPosition(id)).toEqual({ accountId: 12, sequence: 345 });
    expect(eventNonce(id)).toBe('9f86d081884c');
  });

  it.each([
    'evt_x',
    'evt_12_345',
    'evt_0_1_ab',
    'evt_1_1_XYZ',
    'evt_00000000-0000-0000-0000-000000000000',
    'x_1_1_ab',
  ])('%s is no event id', (text) => {
    expect(eventPosition(text)).toBeNull();
  });

  it('end with 12 hex digits of 6 random bytes, drawn a pool at a time', () => {
    let fills = 0;
    const nonce = eventNonces((bytes) => {
      fills += 1;
      bytes.forEach((_, index) => (bytes[index] = (index + fills) % 256));
    });
    expect([nonce(), nonce()]).toEqual(['010203040506', '0708090a0b0c']);
    const rest = Array.from({ length: 680 }, nonce);
    expect(rest.at(-1)).toBe('f7f8f9fafbfc'); // bytes 4,086–4,091, the pool's last
    expect(fills).toBe(1);
    expect(nonce()).toBe('020304050607'); // the pool drawn again
    expect(fills).toBe(2);
  });

  it('knows every type of the contract, and no other', () => {
    expect(isEventType('hold.expired')).toBe(true);
    expect(isEventType('hold.exploded')).toBe(false);
  });
});
