import { ExecTimeoutError, withTimeout } from 'superserve-rx';
import { testScheduler } from '../helpers/marbles';

describe('withTimeout', () => {
  it('errors after idle ms without a value and unsubscribes from the source (doc diagram)', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--a--b-----------c--|');
      expectObservable(source.pipe(withTimeout({ idle: 5 }))).toBe(
        '--a--b----#',
        undefined,
        new ExecTimeoutError('idle', 5),
      );
      expectSubscriptions(source.subscriptions).toBe('^---------!');
    });
  });

  it('errors when the whole run exceeds total ms, however busy it is (doc diagram)', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--a--a--a--a--a--a--|');
      expectObservable(source.pipe(withTimeout(10))).toBe(
        '--a--a--a-#',
        undefined,
        new ExecTimeoutError('total', 10),
      );
      expectSubscriptions(source.subscriptions).toBe('^---------!');
    });
  });

  it('counts idle time from subscription to the first value', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('------a|').pipe(withTimeout({ idle: 3 }))).toBe(
        '---#',
        undefined,
        new ExecTimeoutError('idle', 3),
      );
    });
  });

  it('lets a run that meets both limits complete untouched', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-b-c|').pipe(withTimeout({ idle: 3, total: 100 }))).toBe('-a-b-c|');
      expectObservable(cold('|').pipe(withTimeout({ idle: 3 }))).toBe('|');
    });
  });

  it('handles never, a source error and early unsubscribe', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      expectObservable(cold('-').pipe(withTimeout({ total: 4 }))).toBe(
        '----#',
        undefined,
        new ExecTimeoutError('total', 4),
      );
      expectObservable(cold('-a#', undefined, new Error('x')).pipe(withTimeout(50))).toBe(
        '-a#',
        undefined,
        new Error('x'),
      );
      const source = cold('-a-a-a-a-|');
      expectObservable(source.pipe(withTimeout(100)), '^--!').toBe('-a-');
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('takes the scheduler from its config', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('-----a|').pipe(withTimeout({ total: 2, scheduler }))).toBe(
        '--#',
        undefined,
        new ExecTimeoutError('total', 2),
      );
    });
  });

  it('carries which limit and its ms', () => {
    const error = new ExecTimeoutError('idle', 60_000);
    expect(error).toMatchObject({ name: 'ExecTimeoutError', timeout: 'idle', ms: 60_000 });
    expect(error.message).toBe('no exec event arrived for 60000 ms');
  });

  it('rejects bad limits at call time', () => {
    expect(() => withTimeout({})).toThrow(/total or an idle/);
    expect(() => withTimeout(0)).toThrow(TypeError);
    expect(() => withTimeout({ idle: -1 })).toThrow(/idle must be a positive number/);
    expect(() => withTimeout({ total: Number.NaN })).toThrow(TypeError);
  });
});
