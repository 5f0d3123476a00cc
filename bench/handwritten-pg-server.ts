import Fastify from 'fastify';
import pg from 'pg';
import { formatMicros, parseAmount } from '../src/domain/money.js';
import { hashKey } from './handwritten-schema.js';

/**
 * The hand-written way, as a careful engineer would write it without group commit: one
 * interactive transaction per transfer (BEGIN; lock both rows in id order; check; two UPDATEs;
 * one INSERT; COMMIT), six round trips, each transfer waiting on the main account's row lock.
 */
const schema = process.env['BENCH_PG_SCHEMA'];
if (schema === undefined || !/^[a-z_][a-z0-9_]*$/.test(schema))
  throw new Error('BENCH_PG_SCHEMA is required');

const pool = new pg.Pool({
  connectionString: process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test',
  max: 10,
  options: `-c search_path=${schema}`,
});

interface Row {
  id: string;
  kind: 'main' | 'sub';
  parent_id: string | null;
  api_key_hash: string | null;
  balance_micros: string;
}

type Answer = { status: number; body: string };

function fail(status: number, code: number, message: string): Answer {
  return { status, body: JSON.stringify({ success: false, code, message }) };
}

async function transfer(apiKey: string, token: string, amountMicros: bigint): Promise<Answer> {
  const keyHash = hashKey(apiKey);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const rows = await client.query<Row>(
      `SELECT id, kind, parent_id, api_key_hash, balance_micros FROM account
       WHERE api_key_hash = $1 OR token = $2 ORDER BY id FOR UPDATE`,
      [keyHash, token],
    );
    const main = rows.rows.find((row) => row.api_key_hash === keyHash);
    const sub = rows.rows.find((row) => row.api_key_hash !== keyHash);
    let refusal: Answer | null = null;
    if (main === undefined) refusal = fail(401, 10, 'Clé API incorrecte');
    else if (main.kind !== 'main') refusal = fail(403, 4, "Vous n'avez pas l'autorisation");
    else if (sub === undefined || sub.kind !== 'sub' || sub.parent_id !== main.id) {
      refusal = fail(404, 7, "Le sous-compte n'existe pas");
    } else if (BigInt(main.balance_micros) <= 0n)
      refusal = fail(422, 6, 'La balance doit être supérieur à 0');
    else if (BigInt(main.balance_micros) < amountMicros) refusal = fail(422, 8, 'Crédit insufisant');
    if (refusal !== null || main === undefined || sub === undefined) {
      await client.query('ROLLBACK');
      return refusal ?? fail(500, 500, 'Erreur interne');
    }
    const amount = amountMicros.toString();
    const debit = await client.query<{ balance_micros: string }>(
      'UPDATE account SET balance_micros = balance_micros - $2 WHERE id = $1 RETURNING balance_micros',
      [main.id, amount],
    );
    const credit = await client.query<{ balance_micros: string }>(
      'UPDATE account SET balance_micros = balance_micros + $2 WHERE id = $1 RETURNING balance_micros',
      [sub.id, amount],
    );
    const mainAfter = debit.rows[0]!.balance_micros;
    const subAfter = credit.rows[0]!.balance_micros;
    const inserted = await client.query<{ id: string }>(
      `INSERT INTO transfer (debit_account_id, credit_account_id, amount_micros,
         debit_balance_after_micros, credit_balance_after_micros)
       VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [main.id, sub.id, amount, mainAfter, subAfter],
    );
    await client.query('COMMIT');
    const body =
      `{"success":true,"code":200,"credit":${formatMicros(BigInt(mainAfter))},` +
      `"subaccountCredit":${formatMicros(BigInt(subAfter))},"currency":"EUR",` +
      `"transferId":"${inserted.rows[0]!.id}"}`;
    return { status: 200, body };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

const app = Fastify({ logger: false });

app.post('/v1/subaccount/credit/add', async (request, reply) => {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const apiKey = typeof body['apiKey'] === 'string' ? body['apiKey'] : '';
  const credit = body['credit'] === undefined ? '' : String(body['credit']);
  const token = typeof body['tokenSubaccount'] === 'string' ? body['tokenSubaccount'] : '';
  let answer: Answer;
  if (apiKey === '') answer = fail(400, 1, 'La Clé API est requise');
  else if (credit === '') answer = fail(400, 2, 'Le crédit est requis');
  else if (token === '') answer = fail(400, 3, "L'identifiant du sous-compte est requis");
  else {
    const amount = parseAmount(credit);
    if (amount.kind === 'invalid') answer = fail(400, 20, 'Montant invalide');
    else if (amount.kind === 'not-positive')
      answer = fail(400, 5, 'Le crédit à attribuer doit être supérieur à 0');
    else {
      try {
        answer = await transfer(apiKey, token, amount.micros);
      } catch {
        answer = fail(500, 500, 'Erreur interne');
      }
    }
  }
  return reply.code(answer.status).type('application/json').send(answer.body);
});

await app.listen({ host: process.env['HOST'] ?? '127.0.0.1', port: Number(process.env['PORT'] ?? 8080) });

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(
    signal,
    () =>
      void app
        .close()
        .then(() => pool.end())
        .then(() => process.exit(0)),
  );
}
