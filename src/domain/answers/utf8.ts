/**
 * The UTF-8 bytes of text given as pieces, written one after the other into
 * one array: no string of the whole is made. A batch's answer of 1000
 * results (about 150 kB) is past V8's largest ordinary object, so any string
 * of all of it would be a large object with pages of its own, mapped and
 * faulted in anew (docs/benchmarks.md, "A batch's answer as bytes").
 * `TextEncoder` is the platform's encoder (no `node:` module in the domain).
 * Each piece is encoded on its own, a lone surrogate as U+FFFD's three bytes
 * (as Node's `Buffer` does); the answers' pieces are whole JSON texts, in
 * which `JSON.stringify` writes a lone surrogate as an escape.
 */
export function utf8Of(pieces: readonly string[]): Uint8Array {
  let size = 0;
  for (const piece of pieces) size += NON_ASCII.test(piece) ? utf8Length(piece) : piece.length;
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const piece of pieces) at += encoder.encodeInto(piece, bytes.subarray(at)).written;
  return bytes;
}

/** The text of bytes `utf8Of` (or a store) gave; text as it is. */
export function textOf(body: string | Uint8Array): string {
  return typeof body === 'string' ? body : decoder.decode(body);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const NON_ASCII = /[\u0080-\uffff]/;

/** Bytes of `text` in UTF-8: 1 per unit below U+0080, 2 below U+0800, 4 per surrogate pair, else 3. */
function utf8Length(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) continue;
    if (unit < 0x800) {
      length += 1;
      continue;
    }
    length += 2;
    const next = text.charCodeAt(i + 1);
    if (unit >= 0xd800 && unit < 0xdc00 && next >= 0xdc00 && next < 0xe000) i += 1;
  }
  return length;
}
