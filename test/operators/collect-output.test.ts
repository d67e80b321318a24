import fc from 'fast-check';
import { lastValueFrom, of } from 'rxjs';
import { collectOutput, ExecFailedError, ExecIncompleteError, type ExecEvent } from 'superserve-rx';
import { EVENTS, SESSION_EVENTS, testScheduler } from '../helpers/marbles';

const out = (data: string): ExecEvent => ({ type: 'stdout', data, timestamp: 't' });
const err = (data: string): ExecEvent => ({ type: 'stderr', data, timestamp: 't' });
/** Collects a finished run whose stdout came in these chunks. */
const collectChunks = (chunks: ReadonlyArray<string>, maxBytes: number) =>
  lastValueFrom(of(...chunks.map(out), EVENTS.f).pipe(collectOutput({ maxBytes })));

describe('collectOutput', () => {
  it('collects a run into one result (doc diagram)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('--o--e--p--f--|', EVENTS);
      expectObservable(source.pipe(collectOutput())).toBe('-----------(r|)', {
        r: { stdout: 'out\nmore', stderr: 'err\n', exitCode: 0, truncated: false },
      });
    });
  });

  it('caps each stream at maxBytes of UTF-8 without splitting a character', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('-a-b-c-d-f|', {
        a: out('ab'),
        b: out('é€😀'),
        c: err('xyz'),
        d: out('zz'),
        f: EVENTS.g,
      });
      expectObservable(source.pipe(collectOutput({ maxBytes: 6 }))).toBe('---------(r|)', {
        r: { stdout: 'abé', stderr: 'xyz', exitCode: 3, truncated: true },
      });
    });
  });

  it('counts a surrogate pair as 4 bytes and keeps it whole', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('-a-f|', { a: out('😀😀'), f: EVENTS.f });
      expectObservable(source.pipe(collectOutput({ maxBytes: 7 }))).toBe('---(r|)', {
        r: { stdout: '😀', stderr: '', exitCode: 0, truncated: true },
      });
    });
  });

  it.each([
    ['U+007F', '\u007f'],
    ['U+0080', '\u0080'],
    ['U+07FF', '\u07ff'],
    ['U+0800', '\u0800'],
    ['U+FFFF', '\uffff'],
    ['the highest pair', '\udbff\udfff'],
    ['the lowest pair', '\ud800\udc00'],
    ['a lone high surrogate before U+E000', '\udbff\ue000'],
    ['a lone low surrogate', '\udfff'],
  ])('counts %s as UTF-8 does, at the edge of each width', async (_name, text) => {
    const bytes = Buffer.byteLength(text);
    expect(await collectChunks([text], bytes)).toMatchObject({ stdout: text, truncated: false });
    expect((await collectChunks([text], bytes - 1)).truncated).toBe(true);
  });

  it('errors with ExecFailedError or ExecIncompleteError as untilFinished does', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-o-x', EVENTS).pipe(collectOutput())).toBe(
        '---#',
        undefined,
        new ExecFailedError('spawn failed', 'exec_failed'),
      );
      expectObservable(cold('-o-|', EVENTS).pipe(collectOutput())).toBe(
        '---#',
        undefined,
        new ExecIncompleteError(),
      );
      expectObservable(cold<ExecEvent>('|').pipe(collectOutput())).toBe(
        '#',
        undefined,
        new ExecIncompleteError(),
      );
    });
  });

  it('handles never, a source error and early unsubscribe', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      expectObservable(cold<ExecEvent>('-').pipe(collectOutput())).toBe('-');
      expectObservable(cold('-o#', EVENTS, new Error('x')).pipe(collectOutput())).toBe(
        '--#',
        undefined,
        new Error('x'),
      );
      const source = cold('-o-o-o-f', EVENTS);
      expectObservable(source.pipe(collectOutput()), '^--!').toBe('---');
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('rejects a bad maxBytes at call time, naming it', () => {
    expect(() => collectOutput({ maxBytes: -1 })).toThrow(/maxBytes must be a non-negative integer, got -1/);
    expect(() => collectOutput({ maxBytes: 1.5 })).toThrow(TypeError);
    expect(() => collectOutput({ maxBytes: 0 })).not.toThrow();
  });

  it('keeps the longest whole-character prefix that fits, over chunks, as UTF-8 counts it', async () => {
    // Any UTF-16 units, lone surrogates included (UTF-8 writes those as U+FFFD: 3 bytes).
    const units = fc.array(
      fc.oneof(
        fc.constantFrom('a', 'é', '€', '😀', '\ud800', '\udc00'),
        fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)),
      ),
      { maxLength: 30 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          units.map((parts) => parts.join('')),
          { maxLength: 4 },
        ),
        fc.nat(40),
        async (chunks, maxBytes) => {
          // Characters as each event holds them: a pair is never split across events.
          const characters = chunks.flatMap((chunk) => [...chunk]);
          let expected = '';
          let bytes = 0;
          for (const char of characters) {
            bytes += Buffer.byteLength(char);
            if (bytes > maxBytes) break;
            expected += char;
          }
          const result = await collectChunks(chunks, maxBytes);
          expect(result.stdout).toBe(expected);
          expect(result.truncated).toBe(expected.length < chunks.join('').length);
        },
      ),
    );
  });
});

describe('collectOutput on session events (bytes)', () => {
  it('decodes each stream with one streaming decoder: characters split across frames come out whole', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('-o-e-p-q-g-|', SESSION_EVENTS);
      expectObservable(source.pipe(collectOutput())).toBe('---------(r|)', {
        r: { stdout: 'outé\n', stderr: 'e€', exitCode: 130, truncated: false },
      });
    });
  });

  it('flushes an incomplete last character as U+FFFD, and caps decoded text at maxBytes', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-h-f-|', SESSION_EVENTS).pipe(collectOutput())).toBe('---(r|)', {
        r: { stdout: '\ufffd', stderr: '', exitCode: 0, truncated: false },
      });
      expectObservable(cold('-o-p-f-|', SESSION_EVENTS).pipe(collectOutput({ maxBytes: 4 }))).toBe(
        '-----(r|)',
        {
          r: { stdout: 'out', stderr: '', exitCode: 0, truncated: true },
        },
      );
    });
  });

  it('errors with ExecIncompleteError when a session source completes without finished', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-o-|', SESSION_EVENTS).pipe(collectOutput())).toBe(
        '---#',
        {},
        new ExecIncompleteError(),
      );
    });
  });
});
