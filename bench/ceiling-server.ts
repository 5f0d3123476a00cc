import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';

/**
 * The ceiling: the same route and the same success JSON as Tirelire's credit/add, with no store
 * behind it. Whatever Tirelire loses against this is the cost of the ledger itself.
 */
const app = Fastify({ logger: false });

app.post('/v1/subaccount/credit/add', async (request, reply) => {
  const body = request.body as { apiKey?: unknown; credit?: unknown; tokenSubaccount?: unknown } | null;
  if (body === null || typeof body !== 'object' || !body.apiKey || !body.credit || !body.tokenSubaccount) {
    return reply.code(400).send({ success: false, code: 1, message: 'La Clé API est requise' });
  }
  return {
    success: true,
    code: 200,
    credit: 2869.2,
    subaccountCredit: 61.8,
    currency: 'EUR',
    transferId: randomUUID(),
  };
});

await app.listen({ host: process.env['HOST'] ?? '127.0.0.1', port: Number(process.env['PORT'] ?? 8080) });

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => void app.close().then(() => process.exit(0)));
}
