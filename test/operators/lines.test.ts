import fc from 'fast-check';
import { from, lastValueFrom, map, Subject, toArray } from 'rxjs';
import { DEFAULT_MAX_LINE_LENGTH, lines } from 'superserve-rx';
import { lineText, splitAt } from '../helpers/arbitraries';
import { testScheduler } from '../helpers/marbles';

/** The lines of `text` as the contract defines them, computed the obvious (non-streaming) way. */
function expectedLines(text: string, maxLength = Infinity): string[] {
  const parts = text.split('\n');
  const last = parts.pop() ?? '';
  const whole = parts.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  if (last !== '') whole.push(last);
  return whole.flatMap((line) => {
    if (line.length <= maxLength) return [line];
    const pieces: string[] = [];
    for (let i = 0; i < line.length; i += maxLength) pieces.push(line.slice(i, i + maxLength));
    return pieces;
  });
}

const run = (chunks: ReadonlyArray<string>, maxLength?: number) =>
  lastValueFrom(from(chunks).pipe(lines(maxLength === undefined ? {} : { maxLength }), toArray()));

describe('lines', () => {
  it('splits on LF, strips one CR, keeps empty lines, flushes the last (the doc diagram)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('--a--b--c--|', { a: 'one\ntw', b: 'o\r\n\nth', c: 'ree' });
      expectObservable(source.pipe(lines())).toBe('--1--(23)--(4|)', {
        1: 'one',
        2: 'two',
        3: '',
        4: 'three',
      });
    });
  });

  it('handles empty, never, one value, early unsubscribe', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      expectObservable(cold('|').pipe(lines())).toBe('|');
      expectObservable(cold('-').pipe(lines())).toBe('-');
      expectObservable(cold('-a|', { a: 'x\n' }).pipe(lines())).toBe('-x|', { x: 'x' });
      const source = cold('-a-a-a-|', { a: 'x\n' });
      expectObservable(source.pipe(lines()), '^--!').toBe('-x-', { x: 'x' });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('flushes the unterminated line before passing an error on, so nothing is lost', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('-a-#', { a: 'one\npart' }, new Error('timeout'));
      expectObservable(source.pipe(lines())).toBe('-1-(2#)', { 1: 'one', 2: 'part' }, new Error('timeout'));
    });
  });

  it('passes on an error thrown by an upstream callback', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('-a-b', { a: 'x\n', b: 'y\n' }).pipe(
        map((chunk) => {
          if (chunk === 'y\n') throw new Error('threw');
          return chunk;
        }),
      );
      expectObservable(source.pipe(lines())).toBe('-x-#', { x: 'x' }, new Error('threw'));
    });
  });

  it('keeps a CR that does not end a line, and a lone final CR', async () => {
    await expect(run(['a\rb\n', 'c\r'])).resolves.toEqual(['a\rb', 'c\r']);
    await expect(run(['a\r', '\n'])).resolves.toEqual(['a']);
    await expect(run(['a\r\r\n'])).resolves.toEqual(['a\r']);
  });

  it('emits lines over maxLength in pieces, never splitting off the CR of a CRLF', async () => {
    await expect(run(['abcdefg\n'], 3)).resolves.toEqual(['abc', 'def', 'g']);
    await expect(run(['abc\r', '\n'], 3)).resolves.toEqual(['abc']);
    await expect(run(['ab', 'cdef', '\n'], 3)).resolves.toEqual(['abc', 'def']);
    await expect(run(['abcdef'], 3)).resolves.toEqual(['abc', 'def']);
  });

  it('emits the full pieces of an overlong line as they arrive, not at its end: memory stays bounded', () => {
    const text = new Subject<string>();
    const seen: string[] = [];
    let completed = false;
    text
      .pipe(lines({ maxLength: 3 }))
      .subscribe({ next: (line) => seen.push(line), complete: () => (completed = true) });
    text.next('abcdefg');
    expect(seen).toEqual(['abc', 'def']);
    // A CR that may start a CRLF is not counted: 'ghi' is not over the cap yet.
    text.next('hi\r');
    expect(seen).toEqual(['abc', 'def']);
    text.next('\nxy');
    expect(seen).toEqual(['abc', 'def', 'ghi']);
    text.next('zw');
    expect(seen).toEqual(['abc', 'def', 'ghi', 'xyz']);
    text.complete();
    expect(seen).toEqual(['abc', 'def', 'ghi', 'xyz', 'w']);
    expect(completed).toBe(true);
  });

  it('caps a line at 8 Mi characters by default, and not at all with Infinity', async () => {
    const long = 'x'.repeat(DEFAULT_MAX_LINE_LENGTH + 5);
    const pieces = await run([long.slice(0, 1000), long.slice(1000), '\n']);
    expect(pieces.map((piece) => piece.length)).toEqual([DEFAULT_MAX_LINE_LENGTH, 5]);
    expect(await run([long, '\n'], Infinity)).toEqual([long]);
  });

  it('rejects a bad maxLength at call time', () => {
    expect(() => lines({ maxLength: 0 })).toThrow(TypeError);
    expect(() => lines({ maxLength: 1.5 })).toThrow(/positive integer/);
  });

  it('gives the same lines for any chunking (property)', async () => {
    const text = fc
      .array(fc.oneof(lineText(), fc.constantFrom('\n', '\r', '\r\n', '\n\n')), { maxLength: 20 })
      .map((parts) => parts.join(''));
    await fc.assert(
      fc.asyncProperty(
        text,
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
        async (input, cuts, maxLength) => {
          const expected = expectedLines(input, maxLength);
          expect(await run([input], maxLength)).toEqual(expected);
          expect(await run(splitAt(input, cuts), maxLength)).toEqual(expected);
          expect(await run([...input], maxLength)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('takes linear time in one long line of one-character chunks (generous complexity check)', async () => {
    const timeFor = async (size: number): Promise<number> => {
      const chunks = Array.from({ length: size }, () => 'x');
      chunks.push('\n');
      const start = performance.now();
      const [line] = await run(chunks);
      expect(line).toHaveLength(size);
      return performance.now() - start;
    };
    await timeFor(20_000);
    const small = await timeFor(100_000);
    const large = await timeFor(1_000_000);
    // Linear is about 10x; quadratic would be about 100x.
    expect(large / Math.max(small, 1)).toBeLessThan(40);
  });
});
