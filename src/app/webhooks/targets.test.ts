import { expect, test } from 'vitest';
import { addressRange, checkWebhookTarget, refusedLiteral, type Resolve } from './targets.js';

/** A resolver that answers from a table, so no test depends on the machine's DNS. */
const table =
  (entries: Record<string, string[]>): Resolve =>
  async (host) =>
    entries[host] ?? [];

const refusedSpellings = [
  'http://127.0.0.1/hook',
  'http://127.1/hook',
  'http://2130706433/hook',
  'http://0x7f.1/hook',
  'http://0177.0.0.1/hook',
  'http://0.0.0.0/hook',
  'http://0/hook',
  'http://[::1]/hook',
  'http://[::]/hook',
  'http://[::ffff:127.0.0.1]/hook',
  'http://[::ffff:10.0.0.1]/hook',
  'http://10.1.2.3/hook',
  'http://172.16.0.1/hook',
  'http://192.168.1.1:8080/hook',
  'http://169.254.169.254/latest/meta-data',
  'http://[fe80::1]/hook',
  'http://[fd00::1]/hook',
  'http://100.64.0.1/hook',
  'http://224.0.0.1/hook',
  'http://255.255.255.255/hook',
  'http://localhost:8080/hook',
  'http://LOCALHOST./hook',
  'http://app.localhost/hook',
  'http://rebind.example/hook', // resolves to loopback (the table below)
  'http://mixed.example/hook', // one public and one private address: refused
];

test.each(refusedSpellings)('%s is refused unless private targets are allowed', async (url) => {
  const resolve = table({ 'rebind.example': ['127.0.0.1'], 'mixed.example': ['93.184.215.14', '10.0.0.7'] });
  expect(await checkWebhookTarget(url, false, resolve)).toMatchObject({ ok: false });
  expect(await checkWebhookTarget(url, true, resolve)).toMatchObject({ ok: true });
});

test.each([
  'ftp://example.com/hook',
  'file:///etc/passwd',
  'javascript:alert(1)',
  'http://',
  'not a url',
  'https://exa mple.com/',
  `https://example.com/${'a'.repeat(2048)}`,
])('%s is no webhook URL, whatever the setting', async (url) => {
  expect(await checkWebhookTarget(url, true, table({}))).toMatchObject({ ok: false });
});

test('public addresses, and names resolving to them or not resolving now, are accepted, normalized', async () => {
  const resolve = table({ 'hooks.example.com': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'] });
  const accepted = async (url: string) => {
    const check = await checkWebhookTarget(url, false, resolve);
    if (!check.ok) throw new Error(`${url} refused: ${check.reason}`);
    return check.url.href;
  };
  expect(await accepted('https://hooks.example.com/in?x=1')).toBe('https://hooks.example.com/in?x=1');
  expect(await accepted('HTTPS://Hooks.Example.com/in')).toBe('https://hooks.example.com/in');
  expect(await accepted('http://93.184.215.14:8080/')).toBe('http://93.184.215.14:8080/');
  expect(await accepted('https://not-yet.example/hook')).toBe('https://not-yet.example/hook');
});

test('the classifier unwraps IPv4-mapped IPv6 and names each range', () => {
  expect(addressRange('::ffff:7f00:1')).toBe('loopback');
  expect(addressRange('::ffff:8.8.8.8')).toBe('unicast');
  expect(addressRange('8.8.8.8')).toBe('unicast');
  expect(addressRange('fe80::1')).toBe('linkLocal');
  expect(addressRange('nonsense')).toBe('invalid');
});

test('at connection time an IP literal is judged before dialling; a name is left to the lookup', () => {
  expect(refusedLiteral(new URL('http://2130706433/'))?.message).toBe(
    'address refused: 127.0.0.1 is loopback',
  );
  expect(refusedLiteral(new URL('http://[::ffff:127.0.0.1]/'))?.message).toContain('loopback');
  expect(refusedLiteral(new URL('http://localhost:1/'))?.message).toContain('loopback');
  expect(refusedLiteral(new URL('http://8.8.8.8/'))).toBeNull();
  expect(refusedLiteral(new URL('http://hooks.example.com/'))).toBeNull();
});
