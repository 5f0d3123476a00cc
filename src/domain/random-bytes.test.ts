import { describe, expect, it } from 'vitest';
import { RandomBytes } from './random-bytes.js';

describe('RandomBytes', () => {
  it('hands out fresh bytes of one pool until too few are left, then draws it again', () => {
    let fills = 0;
    const random = new RandomBytes((bytes) => {
      fills += 1;
      bytes.fill(fills);
    }, 10);
    expect([random.take(4), random.take(4), fills]).toEqual([0, 4, 1]);
    expect(random.bytes[7]).toBe(1);
    expect([random.take(4), fills]).toEqual([0, 2]); // 2 left: dropped, the pool drawn again
    expect(random.bytes[3]).toBe(2);
  });
});
