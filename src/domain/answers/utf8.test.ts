import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { textOf, utf8Of } from './utf8.js';

/** What Node's own encoder makes of the pieces, each on its own. */
function nodeBytes(pieces: readonly string[]): Uint8Array {
  return new Uint8Array(Buffer.concat(pieces.map((piece) => Buffer.from(piece, 'utf8'))));
}

describe('utf8Of', () => {
  it('writes the bytes of each piece in turn, whatever they hold', () => {
    const cases = [
      [],
      [''],
      ['{"success":true', ',', '"code":200}'],
      ['Le sous-compte n’existe pas', ' ou a été supprimé', '€'],
      ['😀', 'x\ud83d', '\ude00y'], // a pair split over two pieces: two lone surrogates
      ['a\ud800b', '\udc00', 'x\ud800'],
    ];
    for (const pieces of cases) expect(utf8Of(pieces)).toEqual(nodeBytes(pieces));
  });

  it('agrees with Node for any strings, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' })), (pieces) => {
        expect(utf8Of(pieces)).toEqual(nodeBytes(pieces));
      }),
    );
  });

  it('is read back as the same text', () => {
    const pieces = ['{"message":"a été supprimé"', ',"x":"😀"}'];
    expect(textOf(utf8Of(pieces))).toBe(pieces.join(''));
    expect(textOf('as it is')).toBe('as it is');
  });
});
