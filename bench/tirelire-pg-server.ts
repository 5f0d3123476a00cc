import { distModuleUrl } from './paths.js';

/**
 * Tirelire on PostgreSQL in a schema of the benchmark's own. `node dist/main.js` takes only a
 * DATABASE_URL, and openStore() puts the tables in `public`; until it accepts a schema this
 * wrapper does what main.ts does (store → app → listen) with the store's `schema` option,
 * loading the very modules of the build that main.js runs.
 */
const { buildApp } = (await import(distModuleUrl('http/app.js'))) as typeof import('../src/http/app.js');
const { openPostgresStore } = (await import(
  distModuleUrl('store/postgres/postgres-store.js')
)) as typeof import('../src/store/postgres/postgres-store.js');

const schema = process.env['BENCH_PG_SCHEMA'];
if (schema === undefined) throw new Error('BENCH_PG_SCHEMA is required');
const store = await openPostgresStore(
  process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test',
  {
    schema,
  },
);
const app = buildApp({ store, logger: { level: process.env['LOG_LEVEL'] ?? 'info' } });
await app.listen({ host: process.env['HOST'] ?? '127.0.0.1', port: Number(process.env['PORT'] ?? 8080) });

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(
    signal,
    () =>
      void app
        .close()
        .then(() => store.close())
        .then(() => process.exit(0)),
  );
}
