/**
 * Random bytes drawn from the platform a pool at a time: one call into the
 * system's random source serves many ids (transfer ids, event nonces) instead
 * of one call each. `fill` writes the pool (the caller gives
 * `crypto.randomFillSync`: the domain reads no random source itself).
 */
export class RandomBytes {
  readonly bytes: Uint8Array;
  private next: number;

  constructor(
    private readonly fill: (bytes: Uint8Array) => unknown,
    poolBytes: number,
  ) {
    this.bytes = new Uint8Array(poolBytes);
    this.next = poolBytes;
  }

  /**
   * Where `count` fresh bytes start in `bytes` (read them before the next
   * call): the pool is drawn again when fewer are left, and the rest dropped.
   */
  take(count: number): number {
    if (this.next + count > this.bytes.length) {
      this.fill(this.bytes);
      this.next = 0;
    }
    this.next += count;
    return this.next - count;
  }
}
