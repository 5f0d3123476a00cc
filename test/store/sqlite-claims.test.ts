import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { textOf } from '../../src/domain/answers/utf8.js';
import { refuseNewerSchema } from '../../src/domain/store.js';
import type { CreditBatchCommand } from '../../src/domain/transfers.js';
import { migrate } from '../../src/store/sqlite/migrations.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { creditCommand, seedMain, seedSub } from '../helpers/fixtures.js';
import { sqliteFileEachTest } from '../helpers/sqlite-file.js';

/**
 * SQLite keeps a batch's recorded answer (made as bytes) deflated, and an
 * answer made as text as text; both replay as they went out.
 */
describe('SQLite idempotency records', () => {
  let db: Database.Database;
  sqliteFileEachTest('tirelire-claims-', (opened) => (db = opened));

  /** How the record of `key` keeps its body (the connection reads integers as bigint). */
  const bodyOf = (key: string) => {
    const row = db
      .prepare('SELECT typeof(body) AS type, length(body) AS bytes FROM idempotency_keys WHERE key = ?')
      .get(key) as { type: string; bytes: bigint };
    return { type: row.type, bytes: Number(row.bytes) };
  };

  /** A migrated store, a main account of 1000 EUR with one subaccount, and a claim of `key`. */
  const ledger = async (key: string) => {
    migrate(db);
    const store = new SqliteStore(db);
    const main = await seedMain(store, '1000');
    const sub = await seedSub(store, main);
    return { store, main, sub, claim: { scope: 'scope-a', key, fingerprint: 'f', createdAt: new Date() } };
  };

  it('keeps a batch of 1000 deflated, a fraction of its answer, and replays its bytes', async () => {
    const { store, main, sub, claim } = await ledger('batch');
    const batch = (): CreditBatchCommand => ({
      keyHash: main.keyHash,
      apply: 'each',
      commands: Array.from({ length: 1000 }, () => creditCommand('add', main.keyHash, sub.token, '0.01')),
      idempotency: {
        claim,
        language: 'fr',
        earlyCodes: Array.from({ length: 1000 }, () => null),
        apply: 'each',
      },
    });
    const first = await store.applyCreditBatch(batch());
    const answer = first.answer!.body;
    expect(answer).toBeInstanceOf(Uint8Array);
    const stored = bodyOf('batch');
    expect(stored.type).toBe('blob');
    expect(stored.bytes).toBeLessThan(answer.length / 4);
    const again = await store.applyCreditBatch(batch());
    expect(again).toMatchObject({ code: 24, answer: { status: 200, replayed: true } });
    expect(Buffer.from(again.answer!.body as Uint8Array).equals(Buffer.from(answer as Uint8Array))).toBe(
      true,
    );
    expect(JSON.parse(textOf(answer))).toMatchObject({ success: true, credit: 990 });
  });

  it('marks the file so that a build from before deflated records (9 migrations) refuses it', async () => {
    const { store, main, sub, claim } = await ledger('marked');
    await store.applyCreditBatch({
      keyHash: main.keyHash,
      apply: 'each',
      commands: [creditCommand('add', main.keyHash, sub.token, '0.01')],
      idempotency: { claim, language: 'en', earlyCodes: [null], apply: 'each' },
    });
    expect(bodyOf('marked').type).toBe('blob');
    const { version } = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as {
      version: bigint;
    };
    expect(() => refuseNewerSchema(Number(version), 9)).toThrow(/newer than this build's 9/);
  });

  it('keeps a text answer as text', async () => {
    const { store, main, sub, claim } = await ledger('single');
    const command = creditCommand('add', main.keyHash, sub.token, '1');
    const [outcome] = await store.applyCredits([
      { ...command, idempotencyKey: 'single', idempotency: { claim, language: 'en' } },
    ]);
    expect(bodyOf('single')).toEqual({ type: 'text', bytes: (outcome!.answer!.body as string).length });
  });
});
