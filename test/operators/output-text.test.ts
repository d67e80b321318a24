import fc from 'fast-check';
import { from } from 'rxjs';
import { type ExecEvent, type ExecSessionEvent, outputText, stderrText, stdoutText } from 'superserve-rx';
import { EVENTS, SESSION_EVENTS, testScheduler } from '../helpers/marbles';

const TEXT = { a: 'out\n', b: 'more', c: 'err\n' };

describe('stdoutText, stderrText and outputText', () => {
  it('keep the text of one stream (the doc diagrams)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('--o--e--p--f--|', EVENTS);
      expectObservable(source.pipe(stdoutText())).toBe('--a-----b-----|', TEXT);
      expectObservable(source.pipe(stderrText())).toBe('-----c--------|', TEXT);
      expectObservable(source.pipe(outputText('stdout'))).toBe('--a-----b-----|', TEXT);
    });
  });

  it('handle empty, never, one value, a source error and early unsubscribe', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      expectObservable(cold<ExecEvent>('|').pipe(stdoutText())).toBe('|');
      expectObservable(cold<ExecEvent>('-').pipe(stderrText())).toBe('-');
      expectObservable(cold('-o|', EVENTS).pipe(stdoutText())).toBe('-a|', TEXT);
      expectObservable(cold('-e-#', EVENTS, new Error('x')).pipe(stderrText())).toBe(
        '-c-#',
        TEXT,
        new Error('x'),
      );
      const source = cold('-o-o-o-o-|', EVENTS);
      expectObservable(source.pipe(stdoutText()), '^--!').toBe('-a-', TEXT);
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('rejects an unknown stream name at call time', () => {
    expect(() => outputText('stdin' as 'stdout')).toThrow(TypeError);
  });
});

describe('stdoutText and stderrText on session events (bytes)', () => {
  it('decode each stream with its own streaming decoder: a character split across frames comes out whole', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('--o--e--p--q--f--|', SESSION_EVENTS);
      expectObservable(source.pipe(stdoutText())).toBe('--a-----b--------|', { a: 'out', b: 'é\n' });
      expectObservable(source.pipe(stderrText())).toBe('-----c-----d-----|', { c: 'e', d: '€' });
    });
  });

  it('flush an incomplete character as U+FFFD before completing, and before an error', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-h-|', SESSION_EVENTS).pipe(stdoutText())).toBe('---(a|)', { a: '\ufffd' });
      expectObservable(cold('-h-#', SESSION_EVENTS, new Error('x')).pipe(stdoutText())).toBe(
        '---(a#)',
        { a: '\ufffd' },
        new Error('x'),
      );
      expectObservable(cold('-o-p-|', SESSION_EVENTS).pipe(stdoutText())).toBe('-a-b-|', {
        a: 'out',
        b: 'é\n',
      });
    });
  });

  it('give one decoder per subscription: two subscribers do not share a split character', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const text$ = cold('-o-p-|', SESSION_EVENTS).pipe(stdoutText());
      expectObservable(text$).toBe('-a-b-|', { a: 'out', b: 'é\n' });
      expectObservable(text$).toBe('-a-b-|', { a: 'out', b: 'é\n' });
    });
  });

  it('any split of UTF-8 output across frames decodes to the same text', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 60 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (text, cuts) => {
          const bytes = new TextEncoder().encode(text);
          const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
          const frames = [0, ...points, bytes.length]
            .slice(0, -1)
            .map((start, i, all) => bytes.subarray(start, [...all.slice(1), bytes.length][i]))
            .map((data): ExecSessionEvent => ({ type: 'stdout', data }));
          let decoded = '';
          from([...frames, { type: 'finished', exitCode: 0 } as const])
            .pipe(stdoutText())
            .subscribe((chunk) => (decoded += chunk));
          expect(decoded).toBe(text);
        },
      ),
    );
  });
});
