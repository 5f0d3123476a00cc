import { writeFileSync } from 'node:fs';
import { startServer } from '../src/main.js';
import { openStore } from '../src/store/open-store.js';
import { MemoryCredits } from './memory-ledger.js';

/**
 * Target f: Tirelire's server (startServer, as `dist/main.js`) over the seeded
 * SQLite file, with credit transfers kept in memory (memory-ledger.ts). On
 * SIGTERM it writes the balances it holds to BENCH_LEDGER_FILE, for the
 * bench's balance check, and exits.
 */
const ledgerFile = process.env['BENCH_LEDGER_FILE'];
if (ledgerFile === undefined || ledgerFile === '') throw new Error('BENCH_LEDGER_FILE is required');
const memory = new MemoryCredits(await openStore({ databaseUrl: process.env['DATABASE_URL'] }));
const server = await startServer({ store: memory.store, handleSignals: false });

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void server.close().then(() => {
      const mainAccountId = Number(process.env['BENCH_MAIN_ACCOUNT_ID']);
      const balance = memory.balanceOf(mainAccountId);
      writeFileSync(
        ledgerFile,
        JSON.stringify({ mainAccountId, balanceMicros: balance?.toString() ?? null }),
      );
      process.exit(0);
    });
  });
}
