/**
 * The Mailpartner family's XML answer (contract section 6), written from the
 * JSON answer's own text: one `<result>` holding each value in the text's
 * order as an `<entry>`, keys dropped, objects and arrays as nested entries.
 *
 * It reads the JSON text rather than a parsed value so that nothing can
 * differ from the JSON answer: a number is copied as the characters the JSON
 * serializer wrote (`2869.2`, never through a double), and the order is the
 * text's, even for keys a JavaScript object would reorder (`"1"` before
 * `"a"`) or a key written twice. It is a small recursive-descent reader that
 * refuses anything that is not JSON (a bug: the input is always an answer
 * this server wrote).
 */

export const XML_TYPE = 'application/xml; charset=utf-8';

const DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>\n";
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

export function jsonToXml(json: string): string {
  return new JsonToXml(json).document();
}

class JsonToXml {
  private at = 0;
  private xml = '';

  constructor(private readonly json: string) {}

  document(): string {
    this.xml = `${DECLARATION}<result>`;
    this.skipSpace();
    const first = this.json[this.at];
    // The answer is an object; a bare value would still be one entry.
    if (first === '{' || first === '[') this.children();
    else this.entry();
    this.skipSpace();
    if (this.at !== this.json.length) this.fail();
    return `${this.xml}</result>\n`;
  }

  /** One value as one `<entry>`. */
  private entry(): void {
    this.skipSpace();
    const next = this.json[this.at];
    if (next === '{' || next === '[') {
      this.xml += '<entry>';
      this.children();
      this.xml += '</entry>';
    } else if (next === '"') {
      this.xml += `<entry>${cdata(this.string())}</entry>`;
    } else if (next === 'n') {
      this.literal('null');
      this.xml += '<entry/>';
    } else if (next === 't' || next === 'f') {
      this.xml += `<entry>${this.literal(next === 't' ? 'true' : 'false')}</entry>`;
    } else {
      this.xml += `<entry>${this.number()}</entry>`;
    }
  }

  /** The values of the object (its keys skipped) or array at `at`, each as an entry. */
  private children(): void {
    const close = this.json[this.at] === '{' ? '}' : ']';
    this.at += 1;
    this.skipSpace();
    if (this.json[this.at] === close) {
      this.at += 1;
      return;
    }
    for (;;) {
      if (close === '}') {
        this.string();
        this.skipSpace();
        this.expect(':');
      }
      this.entry();
      this.skipSpace();
      if (this.json[this.at] !== ',') break;
      this.at += 1;
      this.skipSpace();
    }
    this.expect(close);
  }

  /** A string token's value; JSON.parse decodes (and checks) its escapes when it has any. */
  private string(): string {
    const start = this.at;
    this.expect('"');
    for (;;) {
      const end = this.json.indexOf('"', this.at);
      if (end === -1) this.fail();
      this.at = end + 1;
      let backslashes = 0;
      while (this.json[end - 1 - backslashes] === '\\') backslashes += 1;
      if (backslashes % 2 === 0) break;
    }
    const token = this.json.slice(start, this.at);
    return token.includes('\\') ? (JSON.parse(token) as string) : token.slice(1, -1);
  }

  private number(): string {
    NUMBER.lastIndex = this.at;
    const match = NUMBER.exec(this.json);
    if (match === null) this.fail();
    this.at = NUMBER.lastIndex;
    return match[0];
  }

  private literal(word: 'null' | 'true' | 'false'): string {
    if (!this.json.startsWith(word, this.at)) this.fail();
    this.at += word.length;
    return word;
  }

  private expect(character: string): void {
    if (this.json[this.at] !== character) this.fail();
    this.at += 1;
  }

  private skipSpace(): void {
    for (;;) {
      const next = this.json[this.at];
      if (next !== ' ' && next !== '\n' && next !== '\r' && next !== '\t') return;
      this.at += 1;
    }
  }

  private fail(): never {
    throw new SyntaxError(`not a JSON answer at character ${this.at}`);
  }
}

/** A character XML 1.0 cannot hold at all, a carriage return, or a `]]>`: the slow path. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is looked for
const NEEDS_CARE = /[\u0000-\u0008\u000B-\u001F\uD800-\uDFFF\uFFFE\uFFFF]|]]>/;
/** Not a Char of XML 1.0 (§2.2), lone surrogates included: no escape can carry it. */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * A string as CDATA. A `]]>` inside would end the section, so it is split
 * across two. A carriage return is written as `&#13;` between two sections,
 * because XML readers turn a raw one into a line feed. A character XML cannot
 * carry (a control character other than tab and line breaks, a lone
 * surrogate) becomes U+FFFD, as a browser does with such bytes.
 */
export function cdata(text: string): string {
  if (!NEEDS_CARE.test(text)) return `<![CDATA[${text}]]>`;
  const safe = text
    .replace(NOT_XML, '\uFFFD')
    .replaceAll(']]>', ']]]]><![CDATA[>')
    .replaceAll('\r', ']]>&#13;<![CDATA[');
  return `<![CDATA[${safe}]]>`;
}
