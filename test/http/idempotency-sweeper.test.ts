import { expect, test } from 'vitest';
import { IDEMPOTENCY_TTL_MS } from '../../src/domain/idempotency.js';
import { sweepExpiredIdempotencyKeys } from '../../src/app/idempotency-sweeper.js';
import { creditCommand, seedMain, seedSub } from '../helpers/fixtures.js';
import { sqliteFactory } from '../helpers/stores.js';

test('a sweep deletes every expired record, one chunk per transaction, letting the event loop turn between chunks', async () => {
  // The store without the writer thread: nothing else in the sweep waits on a message.
  const fixture = await sqliteFactory.create();
  try {
    const { store } = fixture;
    const main = await seedMain(store, '10');
    const sub = await seedSub(store, main);
    await store.applyCredits(
      [1, 2, 3, 4, 5].map((n) => {
        const command = creditCommand('add', main.keyHash, sub.token, '1');
        const claim = { scope: 'scope-a', key: `k${n}`, fingerprint: 'f', createdAt: command.createdAt };
        return { ...command, idempotencyKey: claim.key, idempotency: { claim, language: 'en' as const } };
      }),
    );
    const later = new Date(Date.now() + IDEMPOTENCY_TTL_MS + 60_000);
    let turnedMidway = false;
    let finished = false;
    setImmediate(() => (turnedMidway = !finished));
    const deleted = await sweepExpiredIdempotencyKeys(store, later, 2);
    finished = true;
    expect(deleted).toBe(5);
    expect(turnedMidway).toBe(true);
    expect(await sweepExpiredIdempotencyKeys(store, later, 2)).toBe(0);
  } finally {
    await fixture.dispose();
  }
});
