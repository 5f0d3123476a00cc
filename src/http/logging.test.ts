import { Writable } from 'node:stream';
import { expect, test } from 'vitest';
import { buildLogger, redactKeys } from './logging.js';

/** A logger writing its lines into an array. */
function capturedLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  return { lines, logger: buildLogger({ level: 'info', destination }) };
}

test('a line with nothing to censor is passed through untouched', () => {
  const line = { method: 'POST', path: '/v1/subaccount/credit/add', statusCode: 200, durationMs: 1.2 };
  expect(redactKeys(line)).toBe(line);
});

test('keys are censored at the top level and one level down, without touching the original', () => {
  const error = Object.assign(new Error('boom'), { apiKey: 'tl_secret1' });
  const logged = {
    apiKey: 'tl_secret2',
    headers: { 'x-api-key': 'tl_secret3', authorization: 'Bearer tl_secret4', accept: '*/*' },
    req: { apiKey: 'tl_secret5', headers: { authorization: 'tl_secret6' }, url: '/x' },
    err: error,
    count: 3,
  };
  const redacted = redactKeys(logged) as typeof logged;
  expect(JSON.stringify(redacted)).not.toMatch(/tl_secret/);
  expect(redacted.headers.accept).toBe('*/*');
  expect(redacted.req.url).toBe('/x');
  expect(redacted.count).toBe(3);
  expect(redacted.err).toBeInstanceOf(Error);
  expect(redacted.err.message).toBe('boom');
  expect(redacted.err.apiKey).toBe('[redacted]');
  expect(logged.apiKey).toBe('tl_secret2');
  expect(error.apiKey).toBe('tl_secret1');
  expect(logged.headers['x-api-key']).toBe('tl_secret3');
});

test('the logger censors keys in objects and in child bindings', () => {
  const { lines, logger } = capturedLogger();
  logger.info({ apiKey: 'tl_secret7', nested: { apiKey: 'tl_secret8' } }, 'one');
  logger
    .child({ apiKey: 'tl_secret9' })
    .info({ err: Object.assign(new Error('e'), { apiKey: 'x_secret' }) }, 'two');
  const text = lines.join('');
  expect(text).toContain('"msg":"one"');
  expect(text).toContain('"msg":"two"');
  expect(text).not.toMatch(/secret/);
});

test('webhook signing secrets are censored like keys, at the top level and one level down', () => {
  const { lines, logger } = capturedLogger();
  const endpoint = { id: 'we_1', secret: 'whsec_AAAA', previousSecret: 'whsec_BBBB', url: 'https://x.test/' };
  logger.info({ secret: 'whsec_CCCC', endpoint }, 'endpoint');
  logger.child({ previousSecret: 'whsec_DDDD' }).warn({ delivery: { secret: 'whsec_EEEE' } }, 'delivery');
  const text = lines.join('');
  expect(text).toContain('"msg":"endpoint"');
  expect(text).toContain('"url":"https://x.test/"');
  expect(text).not.toMatch(/whsec_/);
  expect(endpoint.secret).toBe('whsec_AAAA');
});
