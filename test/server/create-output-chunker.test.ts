import fc from 'fast-check';
import { createOutputChunker } from '../../src/server/create-output-chunker';
import { MAX_OUTPUT_EVENT_BYTES } from '../../src/server/protocol-constants';
import { cutPoints, lineText, splitAt } from '../helpers/arbitraries';

interface Piece {
  readonly text: string;
  readonly ascii: boolean;
}

function chunkAll(reads: ReadonlyArray<Buffer>, maxBytes?: number): Piece[] {
  const pieces: Piece[] = [];
  const chunker = createOutputChunker((text, ascii) => pieces.push({ text, ascii }), maxBytes);
  for (const read of reads) chunker.push(read);
  chunker.end();
  return pieces;
}

const byteLength = (text: string): number => Buffer.byteLength(text, 'utf8');
const isAsciiText = (text: string): boolean => [...text].every((char) => char.charCodeAt(0) < 0x80);
/** Prefixes of 2-, 3- and 4-byte characters: what a pipe may end on. */
const truncatedCharacter = fc.constantFrom(
  Buffer.alloc(0),
  Buffer.from('é').subarray(0, 1),
  Buffer.from('€').subarray(0, 1),
  Buffer.from('€').subarray(0, 2),
  Buffer.from('😀').subarray(0, 1),
  Buffer.from('😀').subarray(0, 2),
  Buffer.from('😀').subarray(0, 3),
);

describe('createOutputChunker', () => {
  it('loses, reorders and breaks nothing however the pipe splits the bytes and whatever the event size', () => {
    fc.assert(
      fc.property(
        fc.array(lineText(), { maxLength: 8 }).map((parts) => parts.join('\n')),
        truncatedCharacter,
        cutPoints(),
        fc.integer({ min: 4, max: 16 }),
        (text, tail, cuts, maxBytes) => {
          const whole = Buffer.concat([Buffer.from(text), tail]);
          const pieces = chunkAll(splitAt(whole, cuts), maxBytes);
          // Cut only between characters: the pieces decode to exactly what the whole decodes to,
          // and only a character left incomplete at the end becomes U+FFFD.
          expect(pieces.map((piece) => piece.text).join('')).toBe(whole.toString('utf8'));
          for (const [index, piece] of pieces.entries()) {
            expect(piece.text).not.toBe('');
            expect(piece.ascii).toBe(isAsciiText(piece.text));
            if (index < pieces.length - 1 || tail.length === 0) {
              expect(piece.text).not.toContain('\ufffd');
              expect(byteLength(piece.text)).toBeLessThanOrEqual(maxBytes);
            }
          }
        },
      ),
    );
  });

  it('fills each event up to the size limit when one read holds more', () => {
    const text = 'ab€cd😀ef'.repeat(50);
    const pieces = chunkAll([Buffer.from(text)], 8);
    expect(pieces.map((piece) => piece.text).join('')).toBe(text);
    // A cut moves back at most to the start of the character it falls in (3 bytes).
    for (const piece of pieces.slice(0, -1)) expect(byteLength(piece.text)).toBeGreaterThanOrEqual(5);
  });

  it('holds a character split across reads and emits it whole with the next read', () => {
    const euro = Buffer.from('€');
    const pieces = chunkAll([
      Buffer.concat([Buffer.from('ab'), euro.subarray(0, 1)]),
      euro.subarray(1),
      Buffer.from('c'),
    ]);
    expect(pieces).toEqual([
      { text: 'ab', ascii: true },
      { text: '€', ascii: false },
      { text: 'c', ascii: true },
    ]);
  });

  it('emits an incomplete character left at the end of the pipe as U+FFFD, and nothing after', () => {
    const pieces: Piece[] = [];
    const chunker = createOutputChunker((text, ascii) => pieces.push({ text, ascii }));
    chunker.push(Buffer.concat([Buffer.from('x'), Buffer.from('😀').subarray(0, 3)]));
    expect(pieces).toEqual([{ text: 'x', ascii: true }]);
    chunker.end();
    chunker.end();
    expect(pieces).toEqual([
      { text: 'x', ascii: true },
      { text: '\ufffd', ascii: false },
    ]);
  });

  it('cuts bytes that are not UTF-8 where the size limit says, each as U+FFFD', () => {
    const continuations = Buffer.alloc(10, 0x80);
    const pieces = chunkAll([continuations], 4);
    expect(pieces.map((piece) => piece.text)).toEqual([
      '\ufffd'.repeat(4),
      '\ufffd'.repeat(4),
      '\ufffd'.repeat(2),
    ]);
    // A lead byte that promises more than it gets is not held back.
    expect(chunkAll([Buffer.from([0x61, 0xf8])]).map((piece) => piece.text)).toEqual(['a\ufffd']);
    expect(chunkAll([Buffer.from([0x61, 0xc1])]).map((piece) => piece.text)).toEqual(['a\ufffd']);
  });

  it('defaults to the service’s 32 KiB events', () => {
    const pieces = chunkAll([Buffer.alloc(MAX_OUTPUT_EVENT_BYTES * 2 + 1, 'y')]);
    expect(pieces.map((piece) => piece.text.length)).toEqual([
      MAX_OUTPUT_EVENT_BYTES,
      MAX_OUTPUT_EVENT_BYTES,
      1,
    ]);
  });
});
