import { afterEach, beforeEach, expect, test } from 'vitest';
import { StoreUnavailableError, type Store } from '../../src/domain/store.js';
import type { CreditCommand, CreditOutcome } from '../../src/domain/transfers.js';
import { CreditQueue } from '../../src/app/credit-queue.js';
import { buildCreditCommand } from '../../src/http/credit-command.js';
import { hashApiKey } from '../../src/app/keys.js';
import { openTempStore, seedMain, seedSub } from '../helpers/http-fixture.js';
import type { SeededMain, SeededSub, StoreFixture } from '../helpers/http-fixture.js';

/**
 * The real SQLite store, observed: each applyCredits call is recorded, and a
 * call can be held open (a gate the test releases) so commands provably
 * arrive while a flush is in flight — ordering by promises, not by sleeps.
 */
class ObservedStore {
  readonly batches: number[] = [];
  private gate: Promise<void> | null = null;
  private release: (() => void) | null = null;
  failNext: Error | null = null;

  constructor(readonly inner: Store) {}

  hold(): void {
    this.gate = new Promise((resolve) => (this.release = resolve));
  }

  open(): void {
    this.release?.();
    this.gate = null;
  }

  asStore(): Store {
    return Object.assign(Object.create(this.inner) as Store, {
      applyCredits: (commands: readonly CreditCommand[]) => this.apply(commands),
    });
  }

  private async apply(commands: readonly CreditCommand[]): Promise<CreditOutcome[]> {
    this.batches.push(commands.length);
    const gate = this.gate;
    if (gate !== null) await gate;
    const failure = this.failNext;
    this.failNext = null;
    if (failure !== null) throw failure;
    return this.inner.applyCredits(commands);
  }
}

let fixture: StoreFixture;
let observed: ObservedStore;
let main: SeededMain;
let sub: SeededSub;

beforeEach(async () => {
  fixture = await openTempStore();
  observed = new ObservedStore(fixture.store);
  main = await seedMain(fixture.store, 'main@example.com', '1000');
  sub = await seedSub(fixture.store, main, 'sub@example.com', '10');
});

afterEach(() => fixture.remove());

function command(direction: 'add' | 'remove', credit: string): CreditCommand {
  return buildCreditCommand({
    direction,
    keyHash: hashApiKey(main.apiKey),
    tokenSubaccount: sub.token,
    creditText: credit,
    idempotencyKey: null,
  });
}

test('commands submitted together share one transaction, each with its own outcome', async () => {
  const queue = new CreditQueue(observed.asStore());
  const outcomes = await Promise.all([
    queue.submit(command('remove', '9')),
    queue.submit(command('remove', '9')),
    queue.submit(command('add', '0.5')),
    queue.submit(command('add', 'abc')),
  ]);
  expect(observed.batches).toEqual([4]);
  expect(outcomes.map((outcome) => (outcome.ok ? 200 : outcome.code))).toEqual([200, 8, 200, 20]);
  expect(outcomes[2]).toMatchObject({ ok: true, subaccountBalanceMicros: 1_500_000n });
});

test('commands arriving during a flush wait for the next one', async () => {
  const queue = new CreditQueue(observed.asStore());
  observed.hold();
  const first = queue.submit(command('add', '1'));
  await new Promise((resolve) => setImmediate(resolve)); // the flush has started and is held
  expect(observed.batches).toEqual([1]);
  const later = [queue.submit(command('add', '1')), queue.submit(command('add', '1'))];
  observed.open();
  await Promise.all([first, ...later]);
  expect(observed.batches).toEqual([1, 2]);
  expect((await fixture.store.verify()).transfers).toBe(5);
});

test('batches are capped', async () => {
  const queue = new CreditQueue(observed.asStore(), { maxBatch: 10 });
  await Promise.all(Array.from({ length: 25 }, () => queue.submit(command('add', '0.01'))));
  expect(observed.batches).toEqual([10, 10, 5]);
});

test('a failing transaction rejects every caller of its batch, and only them', async () => {
  const queue = new CreditQueue(observed.asStore());
  observed.failNext = new Error('disk on fire');
  const failed = [queue.submit(command('add', '1')), queue.submit(command('add', '2'))];
  await expect(Promise.all(failed)).rejects.toThrow('disk on fire');
  for (const result of await Promise.allSettled(failed)) expect(result.status).toBe('rejected');
  await expect(queue.submit(command('add', '3'))).resolves.toMatchObject({ ok: true });
  expect((await fixture.store.verify()).transfers).toBe(3);
});

test('a store found unavailable also refuses the commands that waited behind it, with no second call', async () => {
  const queue = new CreditQueue(observed.asStore());
  observed.hold();
  observed.failNext = new StoreUnavailableError('PostgreSQL is unavailable');
  const first = queue.submit(command('add', '1'));
  await new Promise((resolve) => setImmediate(resolve)); // the flush has started and is held
  const waiting = [queue.submit(command('add', '1')), queue.submit(command('add', '1'))];
  observed.open();
  for (const result of await Promise.allSettled([first, ...waiting])) {
    expect(result).toMatchObject({ status: 'rejected', reason: expect.any(StoreUnavailableError) });
  }
  expect(observed.batches).toEqual([1]);
  await expect(queue.submit(command('add', '3'))).resolves.toMatchObject({ ok: true });
  expect((await fixture.store.verify()).transfers).toBe(3);
});

test('with two calls allowed out (the SQLite writer thread), a second flush goes out beside a held one; more wait', async () => {
  const store = observed.asStore();
  Object.defineProperty(store, 'creditCallsInFlight', { value: 2 });
  const queue = new CreditQueue(store);
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  observed.hold();
  const first = queue.submit(command('add', '1'));
  await turn();
  const second = queue.submit(command('add', '1'));
  await turn();
  expect(observed.batches).toEqual([1, 1]);
  const later = [queue.submit(command('add', '1')), queue.submit(command('add', '1'))];
  await turn();
  expect(observed.batches).toEqual([1, 1]);
  observed.open();
  await Promise.all([first, second, ...later]);
  expect(observed.batches).toEqual([1, 1, 2]);
  expect((await fixture.store.verify()).transfers).toBe(6);
});
