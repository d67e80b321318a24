import fc from 'fast-check';
import { createSseDecoder, ExecProtocolError } from 'superserve-rx';
import { cutPoints, lineText, splitAt } from '../helpers/arbitraries';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

function decodeAll(chunks: ReadonlyArray<Uint8Array>, maxEventLength?: number): string[] {
  const messages: string[] = [];
  const decoder = createSseDecoder({
    onData: (data) => messages.push(data),
    ...(maxEventLength !== undefined && { maxEventLength }),
  });
  for (const chunk of chunks) decoder.push(chunk);
  decoder.end();
  return messages;
}

describe('createSseDecoder', () => {
  it('yields the data of each message and skips comments', () => {
    const body = ': keepalive\n\ndata: {"a":1}\n\n: keepalive\n\ndata: two\n\n';
    expect(decodeAll([encode(body)])).toEqual(['{"a":1}', 'two']);
  });

  it('joins multi-line data with LF and accepts CR, LF and CRLF line ends', () => {
    expect(decodeAll([encode('data: a\rdata: b\r\rdata: c\r\ndata: d\r\n\r\ndata: e\n\n')])).toEqual([
      'a\nb',
      'c\nd',
      'e',
    ]);
  });

  it('strips a leading BOM', () => {
    expect(decodeAll([encode('\uFEFFdata: x\n\n')])).toEqual(['x']);
    expect(decodeAll([new Uint8Array(0), encode('\uFEFFdata: x\n\n')])).toEqual(['x']);
  });

  it('strips only that one: a second BOM, or one at a later chunk, belongs to the field name', () => {
    // `\uFEFFdata` is an unknown field, which SSE ignores.
    expect(decodeAll([encode('\uFEFF\uFEFFdata: x\n\ndata: y\n\n')])).toEqual(['y']);
    expect(decodeAll(['data: a\n\n', '\uFEFFdata: b\n\n', 'data: c\n\n'].map(encode))).toEqual(['a', 'c']);
  });

  it('drops an unfinished event at the end of the body, as SSE requires', () => {
    expect(decodeAll([encode('data: done\n\ndata: cut')])).toEqual(['done']);
    expect(decodeAll([encode('data: done\n\ndata: no blank line\n')])).toEqual(['done']);
  });

  it('turns invalid UTF-8 into U+FFFD rather than failing', () => {
    expect(decodeAll([new Uint8Array([0x64, 0x61, 0x74, 0x61, 0x3a, 0x20, 0xff, 0x0a, 0x0a])])).toEqual([
      '\uFFFD',
    ]);
  });

  it('ignores unknown fields, event, id and retry', () => {
    expect(decodeAll([encode('event: x\nid: 1\nretry: 10\nfoo: bar\ndata: y\n\n')])).toEqual(['y']);
  });

  it('throws ExecProtocolError when a line grows past the cap, and again on later pushes', () => {
    const decoder = createSseDecoder({ onData: () => undefined, maxEventLength: 64 });
    expect(() => decoder.push(encode(`data: ${'x'.repeat(100)}`))).toThrow(ExecProtocolError);
    expect(() => decoder.push(encode('\n\n'))).toThrow(/exceeded 64 characters/);
  });

  it('gives the same messages for any chunking of the same bytes (property)', () => {
    const message = fc.array(lineText(), { minLength: 1, maxLength: 3 });
    const ending = fc.constantFrom('\n', '\r', '\r\n');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(message, ending, fc.boolean()), { maxLength: 8 }),
        fc.boolean(),
        cutPoints(),
        (messages, bom, cuts) => {
          let body = bom ? '\uFEFF' : '';
          for (const [dataLines, eol, keepalive] of messages) {
            if (keepalive) body += `: keepalive${eol}${eol}`;
            body += dataLines.map((line) => `data: ${line}${eol}`).join('') + eol;
          }
          const bytes = encode(body);
          const expected = messages.map(([dataLines]) => dataLines.join('\n'));
          expect(decodeAll([bytes])).toEqual(expected);
          expect(decodeAll(splitAt(bytes, cuts))).toEqual(expected);
          expect(decodeAll(splitAt(bytes, [...bytes.keys()]))).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
