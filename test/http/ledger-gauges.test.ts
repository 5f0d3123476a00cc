import { afterEach, expect, test } from 'vitest';
import { StoreUnavailableError, type Store } from '../../src/domain/store.js';
import { LedgerGauges } from '../../src/http/ledger-gauges.js';
import { openTempStore, seedMain, type StoreFixture } from '../helpers/http-fixture.js';

let fixture: StoreFixture | undefined;
afterEach(async () => {
  await fixture?.remove();
  fixture = undefined;
});

/** The store, except that ledgerStats fails while `down.value` is set. */
function failingWhen(store: Store, down: { value: boolean }): Store {
  return Object.assign(Object.create(store) as Store, {
    ledgerStats: () =>
      down.value ? Promise.reject(new StoreUnavailableError('database gone')) : store.ledgerStats(),
  });
}

test('a store out of reach: no ledger lines before the first read, the last figures after it', async () => {
  fixture = await openTempStore();
  const down = { value: true };
  const gauges = new LedgerGauges(failingWhen(fixture.store, down), 't_', 0);
  expect(await gauges.text()).toBe('');
  down.value = false;
  await seedMain(fixture.store, 'gauges@example.com', '2.5');
  const read = await gauges.text();
  expect(read).toContain('t_ledger_balance_eur{kind="main"} 2.5\n');
  down.value = true;
  await seedMain(fixture.store, 'gauges-2@example.com', '1');
  expect(await gauges.text()).toBe(read);
  down.value = false;
  expect(await gauges.text()).toContain('t_ledger_balance_eur{kind="main"} 3.5\n');
});
