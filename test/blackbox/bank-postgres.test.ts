import { describe, test } from 'vitest';
import { runBank } from '../../soak/bank.js';
import { expectSoundBankRun } from '../helpers/bank.js';
import { postgresReachable } from '../../src/store/postgres/schema-admin.js';
import { POSTGRES_URL } from '../helpers/postgres-factory.js';

/**
 * The short bank test on PostgreSQL: three server processes on one fresh
 * schema, killed (one, sometimes all) and restarted while clients move money.
 */
const reachable = await postgresReachable(POSTGRES_URL);
if (!reachable && process.env['CI']) throw new Error(`PostgreSQL must be reachable in CI at ${POSTGRES_URL}`);

describe.skipIf(!reachable)('bank test on PostgreSQL, three processes', () => {
  test('10 s of transfers with kill -9 of the processes: no violation', async () => {
    const report = await runBank({
      engine: 'postgres',
      seconds: 10,
      processes: 3,
      clients: 12,
      killPauseMs: [1_500, 3_000],
      postgresUrl: POSTGRES_URL,
    });
    expectSoundBankRun(report);
  }, 120_000);
});
