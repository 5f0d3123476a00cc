import fc from 'fast-check';
import { isLosslessNumber, parse as parseLosslessJson } from 'lossless-json';
import { expect, test } from 'vitest';
import { ApiError } from './api-error.js';
import { parseJsonExactly } from './body.js';

/** What a reading gives, comparable: the value with numbers as their text, or "refused". */
function reading(read: () => unknown): unknown {
  try {
    return plain(read());
  } catch (error) {
    return error instanceof ApiError || error instanceof SyntaxError || error instanceof RangeError
      ? 'refused'
      : error;
  }
}

function plain(value: unknown): unknown {
  if (isLosslessNumber(value)) return { number: value.toString() };
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item)]));
  }
  return value;
}

function agree(text: string): void {
  expect(reading(() => parseJsonExactly(text))).toEqual(reading(() => parseLosslessJson(text)));
}

test.each([
  '{"apiKey":"k","credit":"0.01","tokenSubaccount":"t"}',
  '{"credit":0.10000000000000000001}',
  '{"credit":12345678901234567890.5}',
  '{"a":"x","a":"y"}',
  '{"a":"x","a":"x"}',
  '{"a":"x" , "a" :"y"}',
  '{"a":{"b":"1","b":"2"}}',
  '{"a":"\\":","b":"c"}',
  '{"a":"\\":","a":"c"}',
  '{"__proto__":{"x":"1"}}',
  '{"a":[{"b":"1"},{"b":"2","b":"3"}]}',
  '{"a":true,"b":null,"c":[]}',
  '{"a":1e400}',
  '{"a":-0}',
  '{"a":"x",}',
  '{"a":"\u0001"}',
  '{"a":"\\ud800"}',
  '[' + '['.repeat(20_000) + ']'.repeat(20_001),
  `{"a":${'['.repeat(10_000)}${']'.repeat(10_000)},"b":"x"}`,
  `{"a":${'['.repeat(100)}${']'.repeat(100)}}`,
])('JSON.parse where it is exact, lossless-json otherwise: %s', (text) => {
  agree(text);
});

test('on any JSON text, and on texts with repeated keys, both readings agree', () => {
  const key = fc.constantFrom('a', 'b', 'credit', '__proto__', 'x":', 'é');
  const member = fc
    .tuple(key, fc.jsonValue({ maxDepth: 2 }))
    .map(([name, value]) => `${JSON.stringify(name)}${' '.repeat(name.length % 2)}:${JSON.stringify(value)}`);
  const objectText = fc.array(member, { maxLength: 6 }).map((members) => `{${members.join(',')}}`);
  fc.assert(
    fc.property(objectText, (text) => agree(text)),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.json({ maxDepth: 3 }), (text) => agree(text)),
    { numRuns: 2000 },
  );
});
