import { Webhook } from 'standardwebhooks';
import { describe, expect, test } from 'vitest';
import { verifyWebhook } from 'tirelire-client/webhooks';

/**
 * The client's verifier (node:crypto) against signatures made by the
 * `standardwebhooks` package, the one the server signs its deliveries with.
 */
const SECRET = `whsec_${Buffer.from('a secret of thirty-two bytes!!!!').toString('base64')}`;
const OTHER = `whsec_${Buffer.from('another secret, after a rotation').toString('base64')}`;
const BODY = '{"id":"evt_1_7","type":"balance.low","sequence":7,"accountId":1,"data":{"balance":"4.200000"}}';

function delivery(body = BODY, at = new Date(), secrets = [SECRET]) {
  const seconds = Math.floor(at.getTime() / 1000);
  const signature = secrets.map((secret) => new Webhook(secret).sign('evt_1_7', at, body)).join(' ');
  return { 'webhook-id': 'evt_1_7', 'webhook-timestamp': String(seconds), 'webhook-signature': signature };
}

describe('verifyWebhook', () => {
  test('accepts what standardwebhooks signs, as text, as bytes, and with fetch Headers', () => {
    const headers = delivery();
    const expected = { ok: true, event: JSON.parse(BODY) as unknown, webhookId: 'evt_1_7' };
    expect(verifyWebhook(BODY, headers, SECRET)).toEqual(expected);
    expect(verifyWebhook(new TextEncoder().encode(BODY), headers, SECRET)).toEqual(expected);
    expect(verifyWebhook(BODY, new Headers(headers), SECRET)).toEqual(expected);
    const nodeStyle = { 'Webhook-Id': headers['webhook-id'], ...headers };
    expect(verifyWebhook(BODY, nodeStyle, SECRET)).toEqual(expected);
  });

  test('during a rotation either secret verifies the two signatures', () => {
    const headers = delivery(BODY, new Date(), [OTHER, SECRET]);
    expect(verifyWebhook(BODY, headers, SECRET).ok).toBe(true);
    expect(verifyWebhook(BODY, headers, OTHER).ok).toBe(true);
  });

  test.each([
    ['a changed body', BODY.replace('4.2', '42'), delivery(), SECRET, 'no matching signature'],
    ['another secret', BODY, delivery(), OTHER, 'no matching signature'],
    ['a changed id', BODY, { ...delivery(), 'webhook-id': 'evt_1_8' }, SECRET, 'no matching signature'],
    [
      'a signature of another version',
      BODY,
      { ...delivery(), 'webhook-signature': delivery()['webhook-signature'].replace('v1,', 'v2,') },
      SECRET,
      'no matching signature',
    ],
    [
      'a timestamp 6 minutes old',
      BODY,
      delivery(BODY, new Date(Date.now() - 6 * 60_000)),
      SECRET,
      'timestamp too old',
    ],
    [
      'a timestamp 6 minutes ahead',
      BODY,
      delivery(BODY, new Date(Date.now() + 6 * 60_000)),
      SECRET,
      'timestamp too new',
    ],
    [
      'a timestamp that is not a number',
      BODY,
      { ...delivery(), 'webhook-timestamp': 'soon' },
      SECRET,
      'invalid webhook-timestamp',
    ],
    [
      'no signature header',
      BODY,
      { 'webhook-id': 'evt_1_7', 'webhook-timestamp': '1' },
      SECRET,
      'missing header webhook-signature',
    ],
  ])('refuses %s', (_name, body, headers, secret, reason) => {
    expect(verifyWebhook(body, headers, secret)).toEqual({ ok: false, reason });
  });

  test('a timestamp 4 minutes old still verifies', () => {
    expect(verifyWebhook(BODY, delivery(BODY, new Date(Date.now() - 4 * 60_000)), SECRET).ok).toBe(true);
  });
});
