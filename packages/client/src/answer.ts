/**
 * The fields that carry money, wherever they appear. The server writes some
 * as bare JSON numbers (`"credit":2869.2`) and some as strings (`"12.500"`);
 * both arrive here as exact decimal text, never through a float.
 */
export const MONEY_FIELDS: ReadonlySet<string> = new Set([
  'credit',
  'subaccountCredit',
  'amount',
  'balance',
  'mainBalanceAfter',
  'subaccountBalanceAfter',
]);

/**
 * Parses an answer's JSON text losslessly: money numbers become their exact
 * text, every other number (codes, ids, counts) a JS number. null when the
 * text is not JSON. A small reader of its own rather than lossless-json, so
 * that the client has no dependency; strings are decoded by JSON.parse, and
 * a key is set as JSON.parse sets it (an own `__proto__` stays data).
 * test/sdk/answer-parse.test.ts holds it equal to lossless-json.
 */
export function parseAnswer(text: string): unknown {
  try {
    const reader = new JsonReader(text);
    const value = reader.value('');
    reader.end();
    return value;
  } catch {
    return null;
  }
}

const WHITESPACE = /[ \t\n\r]*/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// eslint-disable-next-line no-control-regex -- JSON forbids raw control characters in a string
const STRING = /"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"/y;
const LITERALS = [
  ['true', true],
  ['false', false],
  ['null', null],
] as const;

class JsonReader {
  private at = 0;

  constructor(private readonly text: string) {}

  /** The value at the cursor; `key` names it in its parent (an index in an array), as a reviver's key would. */
  value(key: string): unknown {
    this.skipWhitespace();
    const next = this.text[this.at];
    if (next === '{') return this.object();
    if (next === '[') return this.array();
    if (next === '"') return JSON.parse(this.token(STRING)) as string;
    const number = this.match(NUMBER);
    if (number !== null) return MONEY_FIELDS.has(key) ? number : Number(number);
    for (const [word, value] of LITERALS) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return value;
      }
    }
    throw new SyntaxError(`JSON: unexpected input at ${this.at}`);
  }

  end(): void {
    this.skipWhitespace();
    if (this.at !== this.text.length) throw new SyntaxError(`JSON: unexpected input at ${this.at}`);
  }

  private object(): Record<string, unknown> {
    const object: Record<string, unknown> = {};
    this.at += 1;
    if (this.consume('}')) return object;
    do {
      this.skipWhitespace();
      const key = JSON.parse(this.token(STRING)) as string;
      this.expect(':');
      const value = this.value(key);
      Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
    } while (this.consume(','));
    this.expect('}');
    return object;
  }

  private array(): unknown[] {
    const array: unknown[] = [];
    this.at += 1;
    if (this.consume(']')) return array;
    do array.push(this.value(String(array.length)));
    while (this.consume(','));
    this.expect(']');
    return array;
  }

  private consume(character: string): boolean {
    this.skipWhitespace();
    if (this.text[this.at] !== character) return false;
    this.at += 1;
    return true;
  }

  private expect(character: string): void {
    if (!this.consume(character)) throw new SyntaxError(`JSON: expected ${character} at ${this.at}`);
  }

  private token(pattern: RegExp): string {
    const token = this.match(pattern);
    if (token === null) throw new SyntaxError(`JSON: unexpected input at ${this.at}`);
    return token;
  }

  private match(pattern: RegExp): string | null {
    pattern.lastIndex = this.at;
    const found = pattern.exec(this.text);
    if (found === null) return null;
    this.at = pattern.lastIndex;
    return found[0];
  }

  private skipWhitespace(): void {
    this.match(WHITESPACE);
  }
}
