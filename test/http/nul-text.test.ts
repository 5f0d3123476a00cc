import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { wireApp } from '../../src/main.js';
import { seedMain, seedSub } from '../helpers/http-fixture.js';
import { storeFactories, type StoreUnderTest } from '../helpers/stores.js';

/**
 * A NUL character in a field is refused before any store sees it. On
 * PostgreSQL it would otherwise fail the whole group-commit transaction, and
 * so every other caller sharing it: one hostile request must not fail others.
 */
for (const factory of storeFactories) {
  const available = await factory.available();
  if (!available && process.env['CI']) throw new Error(`${factory.name} must be reachable in CI`);

  describe.skipIf(!available)(`NUL characters in fields: ${factory.name}`, () => {
    let subject: StoreUnderTest;
    let app: FastifyInstance;
    let apiKey: string;
    let token: string;
    beforeAll(async () => {
      subject = await factory.create();
      app = wireApp({ store: subject.store });
      const main = await seedMain(subject.store, 'nul@example.com', '10');
      apiKey = main.apiKey;
      token = (await seedSub(subject.store, main, 'nul-sub@example.com', null)).token;
    });
    afterAll(async () => {
      await app.close();
      await subject.dispose();
    });

    const add = (fields: Record<string, string>) =>
      app.inject({ method: 'POST', url: '/v1/subaccount/credit/add', payload: fields });

    test.each([
      ['apiKey', 10],
      ['credit', 20],
      ['tokenSubaccount', 7],
    ])('a NUL in %s answers %i', async (field, code) => {
      const fields: Record<string, string> = { apiKey, credit: '1', tokenSubaccount: token };
      fields[field] = `${fields[field]}\u0000`;
      expect((await add(fields)).json()).toMatchObject({ success: false, code });
    });

    test('a NUL token sent with good requests in one group commit fails only itself', async () => {
      const before = await subject.store.verify();
      const answers = await Promise.all([
        add({ apiKey, credit: '1', tokenSubaccount: token }),
        add({ apiKey, credit: '1', tokenSubaccount: `${token}\u0000` }),
        add({ apiKey, credit: '1', tokenSubaccount: token }),
      ]);
      expect(answers.map((answer) => answer.json().code)).toEqual([200, 7, 200]);
      expect((await subject.store.verify()).transfers).toBe(before.transfers + 2);
    });

    test('a NUL in a subaccount title is 22, not a store fault', async () => {
      const answer = await app.inject({
        method: 'POST',
        url: '/v1/subaccount/create',
        payload: { apiKey, type: 'simple', parameters: { email: 'x@example.com', title: 'Dr\u0000' } },
      });
      expect(answer.json()).toMatchObject({ success: false, code: 22 });
    });
  });
}
