import { describe, expect, it } from 'vitest';
import {
  ClaimBook,
  IDEMPOTENCY_TTL_MS,
  guarded,
  type IdempotencyGuard,
  type IdempotencyRecord,
} from './idempotency.js';

const now = new Date(1_000_000_000_000);
const claim = { scope: 's', key: 'k', fingerprint: 'f', createdAt: now };
const record = (fingerprint: string, at: Date): IdempotencyRecord => ({
  status: 200,
  body: '{"first":true}',
  fingerprint,
  createdAt: at,
  outcome: null,
});

type Outcome = { ok: boolean; code?: number; answer?: { status: number; body: string; replayed: boolean } };
const guard: IdempotencyGuard<Outcome> = {
  claim,
  render: (outcome) => ({ status: outcome.ok ? 200 : 422, body: JSON.stringify(outcome) }),
  record: (outcome) => outcome.ok,
};

describe('ClaimBook', () => {
  it.each<[string, IdempotencyRecord | null, string]>([
    ['no record', null, 'new'],
    ['the same request', record('f', now), 'replay'],
    ['another request', record('g', now), 'conflict'],
    ['a record past the 24 h window', record('g', new Date(now.getTime() - IDEMPOTENCY_TTL_MS)), 'new'],
    ['a record just inside it', record('g', new Date(now.getTime() - IDEMPOTENCY_TTL_MS + 1)), 'conflict'],
  ])('%s → %s', (_name, found, kind) => {
    const book = new ClaimBook(found === null ? [] : [[claim, found]]);
    expect(book.check(claim).kind).toBe(kind);
  });

  it('keeps what it settled for writing, and answers it to a later check in the same transaction', () => {
    const book = new ClaimBook([]);
    book.settle(guard, { ok: true }, 'encoded');
    expect(book.check(claim)).toMatchObject({ kind: 'replay', record: { outcome: 'encoded' } });
    expect([...book.written.values()]).toHaveLength(1);
  });

  it('does not keep what the guard says not to record', () => {
    const book = new ClaimBook([]);
    expect(book.settle(guard, { ok: false, code: 4 }, null)).toMatchObject({ status: 422, replayed: false });
    expect(book.written.size).toBe(0);
  });
});

describe('guarded, one wrapper for a synchronous and an asynchronous store', () => {
  function table(found: IdempotencyRecord | null, written: ClaimBook[]) {
    return {
      open: () => ({ book: new ClaimBook(found === null ? [] : [[claim, found]]) }),
      close: ({ book }: { book: ClaimBook }) => void written.push(book),
    };
  }

  it('runs a new request, answers it and writes its record', () => {
    const written: ClaimBook[] = [];
    const outcome = guarded(table(null, written), guard, (): Outcome => ({ ok: true }));
    expect(outcome).toEqual({ ok: true, answer: { status: 200, body: '{"ok":true}', replayed: false } });
    expect(written[0]!.written.size).toBe(1);
  });

  it('replays the same request without running it, and refuses another with 24', () => {
    const run = () => {
      throw new Error('must not run');
    };
    expect(guarded(table(record('f', now), []), guard, run)).toEqual({
      ok: false,
      code: 24,
      answer: { status: 200, body: '{"first":true}', replayed: true },
    });
    expect(guarded(table(record('g', now), []), guard, run)).toEqual({ ok: false, code: 24 });
  });

  it('without a key, only runs', () => {
    expect(guarded<Outcome, { book: ClaimBook }>(table(null, []), undefined, () => ({ ok: true }))).toEqual({
      ok: true,
    });
  });

  it('awaits an asynchronous table and run', async () => {
    const written: ClaimBook[] = [];
    const sync = table(null, written);
    const async = {
      open: async () => sync.open(),
      close: async (opened: { book: ClaimBook }) => sync.close(opened),
    };
    const outcome = guarded(async, guard, async (): Promise<Outcome> => ({ ok: true }));
    expect(outcome).toBeInstanceOf(Promise);
    await expect(outcome).resolves.toMatchObject({ ok: true, answer: { replayed: false } });
    expect(written).toHaveLength(1);
  });
});
