import fc from 'fast-check';
import { LosslessNumber } from 'lossless-json';
import { describe, expect, test } from 'vitest';
import { readJson, readRoot, readXml, type ReadValue } from '../helpers/xml-reading.js';
import { batchAnswer } from '../../src/domain/answers/batch-answer.js';
import { textOf } from '../../src/domain/answers/utf8.js';
import { successJson } from '../../src/domain/answers/credit-answer.js';
import { errorAnswer } from '../../src/domain/answers/error-answer.js';
import { ERRORS, type ErrorCode } from '../../src/domain/errors.js';
import { formatMicros } from '../../src/domain/money.js';
import { serializeJson } from '../../src/http/json.js';
import { cdata, jsonToXml } from '../../src/http/xml.js';

const DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>\n";

describe('jsonToXml', () => {
  test('the family’s shape: values in key order, strings in CDATA, numbers as written, null empty', () => {
    const json =
      '{"success":true,"code":200,"credit":2869.2,"subaccountCredit":0.3,"currency":"EUR","transferId":null,' +
      '"credits":{"balance":"10225.119","currency":"EUR"},"data":[{"id":1},[]],"ok":false}';
    expect(jsonToXml(json)).toBe(
      `${DECLARATION}<result><entry>true</entry><entry>200</entry><entry>2869.2</entry><entry>0.3</entry>` +
        '<entry><![CDATA[EUR]]></entry><entry/>' +
        '<entry><entry><![CDATA[10225.119]]></entry><entry><![CDATA[EUR]]></entry></entry>' +
        '<entry><entry><entry>1</entry></entry><entry></entry></entry><entry>false</entry></result>\n',
    );
  });

  test.each([
    ['plain', 'abc', '<![CDATA[abc]]>'],
    ['empty', '', '<![CDATA[]]>'],
    ['markup stays as it is', '<a href="x">&amp;</a>', '<![CDATA[<a href="x">&amp;</a>]]>'],
    ['a ]]> is split across two sections', 'a]]>b', '<![CDATA[a]]]]><![CDATA[>b]]>'],
    ['a carriage return as a reference', 'a\r\nb', '<![CDATA[a]]>&#13;<![CDATA[\nb]]>'],
    ['characters XML cannot hold', 'a\u0000b\u001b\uffff\ud800c', '<![CDATA[a\ufffdb\ufffd\ufffd\ufffdc]]>'],
    ['a surrogate pair stays', 'x\u{1f600}', '<![CDATA[x\u{1f600}]]>'],
  ])('a string: %s', (_name, text, expected) => {
    expect(cdata(text)).toBe(expected);
  });

  test('keys a JavaScript object would reorder, and a key written twice, keep the text’s order', () => {
    expect(readXml(jsonToXml('{"b":"x","1":2,"b":3}'))).toEqual([{ text: 'x' }, '2', '3']);
  });

  test('escapes in the JSON text are decoded, numbers are never reformatted', () => {
    expect(
      readXml(
        jsonToXml('{"a":"\\u00e9\\n\\"\\\\","b":-0.000001,"c":1E+400,"d":12345678901234567890.123456}'),
      ),
    ).toEqual([{ text: 'é\n"\\' }, '-0.000001', '1E+400', '12345678901234567890.123456']);
  });

  test.each(['', '{', '{"a":}', '{"a" 1}', '[1,]', '{"a":1} x', '{"a":tru}', '"abc', '{"a":01}'])(
    'refuses what is not JSON: %j',
    (text) => {
      expect(() => jsonToXml(text)).toThrow(SyntaxError);
    },
  );
});

/**
 * What a string reads back as: the same text, but a character XML cannot
 * hold becomes U+FFFD (defined here independently of xml.ts).
 */
function xmlText(text: string): string {
  let result = '';
  for (const character of text) {
    const point = character.codePointAt(0)!;
    const allowed =
      point === 0x9 ||
      point === 0xa ||
      point === 0xd ||
      (point >= 0x20 && point <= 0xd7ff) ||
      (point >= 0xe000 && point <= 0xfffd) ||
      point >= 0x10000;
    result += allowed ? character : '\ufffd';
  }
  return result;
}

function asXmlReads(value: ReadValue): ReadValue {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(asXmlReads);
  return { text: xmlText((value as { text: string }).text) };
}

const trickyText = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        ']]>',
        ']]',
        ']',
        '>',
        '\r',
        '\r\n',
        '\n',
        '\t',
        '\u0000',
        '\ud800',
        '\udfff',
        '\ufffe',
      ),
      fc.constantFrom('&', '&amp;', '<', '<![CDATA[', '"', "'", '\\', 'é', '\u{1f600}', ' '),
      fc.string({ unit: 'binary', maxLength: 8 }),
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(''));

/** A JSON number's text: integers, money, and any valid form (exponents, many digits). */
const numberText = fc.oneof(
  fc.bigInt({ min: 0n, max: 10n ** 15n * 10n ** 6n }).map((micros) => formatMicros(micros)),
  fc.integer().map(String),
  fc
    .tuple(
      fc.boolean(),
      fc.stringMatching(/^(0|[1-9]\d{0,25})$/),
      fc.option(fc.stringMatching(/^\d{1,20}$/)),
      fc.option(fc.stringMatching(/^[eE][+-]?\d{1,3}$/)),
    )
    .map(([minus, whole, fraction, exponent]) =>
      [minus ? '-' : '', whole, fraction === null ? '' : `.${fraction}`, exponent ?? ''].join(''),
    ),
);

/** A JSON value as the server's serializer takes it: numbers as LosslessNumbers. */
const { answer } = fc.letrec<{ value: unknown; answer: Record<string, unknown> }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    trickyText,
    numberText.map((text) => new LosslessNumber(text)),
    fc.boolean(),
    fc.constant(null),
    tie('answer'),
    fc.array(tie('value'), { maxLength: 4 }),
  ),
  answer: fc.dictionary(fc.oneof(trickyText, fc.nat().map(String)), tie('value'), { maxKeys: 6 }),
}));

/** A JSON text written member by member, so keys may repeat and come in any order. */
const { jsonText } = fc.letrec<{ jsonText: string; member: string }>((tie) => ({
  jsonText: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    trickyText.map((text) => JSON.stringify(text)),
    numberText,
    fc.constantFrom('true', 'false', 'null'),
    fc.array(tie('member'), { maxLength: 4 }).map((members) => `{ ${members.join(' , ')} }`),
    fc.array(tie('jsonText'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
  ),
  member: fc
    .tuple(fc.constantFrom('a', '1', 'a', 'b'), tie('jsonText'))
    .map(([key, value]) => `"${key}" :\n${value}`),
}));

/**
 * The values of a JSON text in the text's own order, repeated keys included:
 * a reader of its own, for the generated texts only (simple keys).
 */
function orderedRead(text: string): ReadValue {
  const wrapped = text.trim();
  if (wrapped.startsWith('{') || wrapped.startsWith('[')) {
    const items = splitMembers(wrapped.slice(1, -1)).map((member) =>
      wrapped.startsWith('{') ? member.slice(member.indexOf(':', closingQuote(member)) + 1) : member,
    );
    return items.length === 0 ? 'empty' : items.map(orderedRead);
  }
  if (wrapped.startsWith('"')) return { text: JSON.parse(wrapped) as string };
  return wrapped === 'null' ? 'empty' : wrapped;
}

/** The index just past a member's key. */
function closingQuote(member: string): number {
  const start = member.indexOf('"');
  return member.indexOf('"', start + 1) + 1;
}

/** The top-level members of an object's or array's inside, split on the commas outside strings and brackets. */
function splitMembers(inside: string): string[] {
  const members: string[] = [];
  let depth = 0;
  let inString = false;
  let start = 0;
  for (let index = 0; index < inside.length; index += 1) {
    const character = inside[index];
    if (inString) {
      if (character === '\\') index += 1;
      else if (character === '"') inString = false;
    } else if (character === '"') inString = true;
    else if (character === '{' || character === '[') depth += 1;
    else if (character === '}' || character === ']') depth -= 1;
    else if (character === ',' && depth === 0) {
      members.push(inside.slice(start, index));
      start = index + 1;
    }
  }
  if (inside.trim() !== '') members.push(inside.slice(start));
  return members;
}

describe('property: the XML read back with an XML parser gives the JSON answer’s values, in order', () => {
  test('answers written by the JSON serializer (src/http/json.ts)', () => {
    fc.assert(
      fc.property(answer, (value) => {
        const json = serializeJson(value);
        expect(readXml(jsonToXml(json))).toEqual(asXmlReads(readJson(json)));
        expect(readXml(jsonToXml(json))).toEqual(asXmlReads(readRoot(value)));
      }),
      { numRuns: 1500 },
    );
  });

  test('any JSON text, keys repeated or in any order, spaces anywhere', () => {
    fc.assert(
      fc.property(jsonText, (text) => {
        const expected = orderedRead(text);
        const root = /^\s*[[{]/.test(text) ? (expected === 'empty' ? [] : expected) : [expected];
        expect(readXml(jsonToXml(text))).toEqual(asXmlReads(root));
      }),
      { numRuns: 1500 },
    );
  });

  test('the answers rendered as bytes in src/domain/answers: exact money', () => {
    const micros = fc.bigInt({ min: 0n, max: 10n ** 15n });
    const code = fc.constantFrom(...(Object.keys(ERRORS).map(Number) as ErrorCode[]));
    fc.assert(
      fc.property(
        micros,
        micros,
        code,
        fc.constantFrom('fr', 'en') as fc.Arbitrary<'fr' | 'en'>,
        (main, sub, error, language) => {
          const credit = successJson({
            ok: true,
            transferId: 'id',
            mainBalanceMicros: main,
            subaccountBalanceMicros: sub,
          });
          expect(readXml(jsonToXml(credit))).toEqual([
            'true',
            '200',
            formatMicros(main),
            formatMicros(sub),
            { text: 'EUR' },
            { text: 'id' },
          ]);
          const refused = errorAnswer(error, language).body;
          expect(readXml(jsonToXml(refused))).toEqual([
            'false',
            String(error),
            { text: ERRORS[error][language] },
          ]);
          const batch = textOf(
            batchAnswer(
              {
                ok: true,
                applied: true,
                outcomes: [
                  { ok: true, transferId: 't', mainBalanceMicros: main, subaccountBalanceMicros: sub },
                ],
                mainBalanceMicros: main,
              },
              { language, earlyCodes: [null, 20], apply: 'each' },
            ).body,
          );
          expect(readXml(jsonToXml(batch))).toEqual(asXmlReads(readJson(batch)));
          expect(readXml(jsonToXml(batch)).at(-1)).toBe(formatMicros(main));
        },
      ),
      { numRuns: 500 },
    );
  });
});
