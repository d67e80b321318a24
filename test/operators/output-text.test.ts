import { type ExecEvent, outputText, stderrText, stdoutText } from 'superserve-rx';
import { EVENTS, testScheduler } from '../helpers/marbles';

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
