import { describe, expect, it } from 'vitest';
import { eventId, eventNonce, eventPosition, isEventType } from './events.js';

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

  it('knows every type of the contract, and no other', () => {
    expect(isEventType('hold.expired')).toBe(true);
    expect(isEventType('hold.exploded')).toBe(false);
  });
});
