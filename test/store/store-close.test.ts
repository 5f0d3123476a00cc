import { expect, it } from 'vitest';
import { newTransferId } from '../../src/app/ids.js';
import { generateSubaccountToken } from '../../src/app/keys.js';
import { seedMain, seedSub } from '../helpers/fixtures.js';
import { describeEachStore } from '../helpers/stores.js';

/** Closing a subaccount, on every store: what a close leaves behind (contract section 6). */
await describeEachStore('store: closing a subaccount', (current) => {
  it('frees its email: the main account may create a subaccount with it again', async () => {
    const { store } = current();
    const main = await seedMain(store, '10');
    const sub = await seedSub(store, main, '2');
    const email = `sub-${sub.token}@example.com`;
    const closed = await store.closeSubaccount({
      by: { keyHash: main.keyHash },
      tokenSubaccount: sub.token,
      transferId: newTransferId(),
      createdAt: new Date(),
    });
    expect(closed).toMatchObject({ ok: true, mainAvailableMicros: 10_000_000n });
    const again = await store.createSubaccount({
      keyHash: main.keyHash,
      type: 'simple',
      email,
      profile: {},
      token: generateSubaccountToken(),
      subaccountKeyHash: null,
      creditToAttribute: null,
      transferId: newTransferId(),
      createdAt: new Date(),
    });
    expect(again).toMatchObject({ ok: true, account: { email } });
    const twice = await store.createSubaccount({
      keyHash: main.keyHash,
      type: 'simple',
      email,
      profile: {},
      token: generateSubaccountToken(),
      subaccountKeyHash: null,
      creditToAttribute: null,
      transferId: newTransferId(),
      createdAt: new Date(),
    });
    expect(twice).toEqual({ ok: false, code: 23 });
    expect((await store.verify()).ok).toBe(true);
  });
});
