import { defer, type Observable } from 'rxjs';
import {
  ExecDecodeError,
  ExecFailedError,
  ExecHttpError,
  ExecNetworkError,
  ExecRequestError,
  retryOnExecFailed,
} from 'superserve-rx';
import { testScheduler } from '../helpers/marbles';

const execFailed = new ExecFailedError('spawn failed', 'exec_failed');

/** The first `failures` subscriptions get `failing`, the rest `ok`. */
function flaky<T>(failures: number, failing: Observable<T>, ok: Observable<T>): Observable<T> {
  let attempt = 0;
  return defer(() => (attempt++ < failures ? failing : ok));
}

describe('retryOnExecFailed', () => {
  it('re-runs after 500 ms on exec_failed (doc diagram)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = flaky(1, cold('--#', undefined, execFailed), cold('--a--f--|'));
      expectObservable(source.pipe(retryOnExecFailed())).toBe('-- 500ms --a--f--|');
    });
  });

  it('does not re-run once the attempt emitted a value (doc diagram)', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const network = new ExecNetworkError('body', new Error('reset'));
      const source = cold('--a--#', undefined, network);
      expectObservable(source.pipe(retryOnExecFailed())).toBe('--a--#', undefined, network);
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('does not re-run an attempt that emitted, even for an error it would retry before any value', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const fetchFailed = new ExecNetworkError('fetch', new Error('refused'));
      for (const error of [execFailed, fetchFailed, new ExecHttpError({ status: 503, body: '' })]) {
        const source = cold('--a--#', undefined, error);
        expectObservable(source.pipe(retryOnExecFailed())).toBe('--a--#', undefined, error);
        expectSubscriptions(source.subscriptions).toBe('^----!');
      }
    });
  });

  it('backs off 500, 1000, 2000 ms, then passes the last error on', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--#', undefined, execFailed);
      expectObservable(source.pipe(retryOnExecFailed())).toBe('3508ms #', undefined, execFailed);
      expectSubscriptions(source.subscriptions).toBe(['^-!', '502ms ^-!', '1504ms ^-!', '3506ms ^-!']);
    });
  });

  it('caps the backoff at 10 s', () => {
    testScheduler().run(({ cold, expectSubscriptions, expectObservable }) => {
      const source = cold('#', undefined, execFailed);
      expectObservable(source.pipe(retryOnExecFailed({ count: 6 }))).toBe('25500ms #', undefined, execFailed);
      expectSubscriptions(source.subscriptions).toBe([
        '(^!)',
        '500ms (^!)',
        '1500ms (^!)',
        '3500ms (^!)',
        '7500ms (^!)',
        '15500ms (^!)',
        '25500ms (^!)',
      ]);
    });
  });

  it.each([429, 502, 503, 504])('retries ExecHttpError %i, waiting at least its Retry-After', (status) => {
    testScheduler().run(({ cold, expectObservable }) => {
      const error = new ExecHttpError({ status, body: 'busy', retryAfterMs: 3000 });
      const source = flaky(1, cold('-#', undefined, error), cold('-a|'));
      expectObservable(source.pipe(retryOnExecFailed())).toBe('- 3000ms -a|');
    });
  });

  it('retries ExecNetworkError before any value', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const error = new ExecNetworkError('fetch', new Error('ECONNRESET'));
      const source = flaky(2, cold('#', undefined, error), cold('a|'));
      expectObservable(source.pipe(retryOnExecFailed())).toBe('1500ms a|');
    });
  });

  it('never retries a stream that broke after its response began, even before any value', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const broke = new ExecNetworkError('body', new Error('socket hang up'));
      const source = cold('--#', undefined, broke);
      expectObservable(source.pipe(retryOnExecFailed())).toBe('--#', undefined, broke);
      expectSubscriptions(source.subscriptions).toBe('^-!');
    });
  });

  it.each([
    ['ExecFailedError bad_request', new ExecFailedError('no such binary', 'bad_request')],
    ['ExecFailedError without code', new ExecFailedError('old server')],
    ['ExecHttpError 401', new ExecHttpError({ status: 401, body: 'invalid access token' })],
    ['ExecHttpError 500', new ExecHttpError({ status: 500, body: 'oops' })],
    ['ExecDecodeError', new ExecDecodeError('json', 'x', [])],
    ['ExecRequestError', new ExecRequestError([])],
    ['a plain Error', new Error('boom')],
  ])('passes %s on at once', (_name, error) => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-#', undefined, error);
      expectObservable(source.pipe(retryOnExecFailed())).toBe('-#', undefined, error);
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('takes a fixed delay, a delay function, a count and a scheduler', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const fixed = flaky(2, cold('#', undefined, execFailed), cold('a|'));
      expectObservable(fixed.pipe(retryOnExecFailed({ delay: 100, scheduler }))).toBe('200ms a|');
      const custom = flaky(2, cold('#', undefined, execFailed), cold('a|'));
      expectObservable(custom.pipe(retryOnExecFailed({ delay: (attempt) => attempt * 7 }))).toBe('21ms a|');
      const once = cold('#', undefined, execFailed);
      expectObservable(once.pipe(retryOnExecFailed({ count: 0 }))).toBe('#', undefined, execFailed);
    });
  });

  it('passes on an error thrown by the delay callback', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const thrown = new Error('delay threw');
      const source = cold('#', undefined, execFailed);
      expectObservable(
        source.pipe(
          retryOnExecFailed({
            delay: () => {
              throw thrown;
            },
          }),
        ),
      ).toBe('#', undefined, thrown);
    });
  });

  it('handles empty, never, and unsubscribing during the backoff', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      expectObservable(cold('|').pipe(retryOnExecFailed())).toBe('|');
      expectObservable(cold('-').pipe(retryOnExecFailed())).toBe('-');
      const source = cold('-#', undefined, execFailed);
      expectObservable(source.pipe(retryOnExecFailed()), '^ 100ms !').toBe('-');
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('rejects bad config at call time', () => {
    expect(() => retryOnExecFailed({ count: -1 })).toThrow(TypeError);
    expect(() => retryOnExecFailed({ count: 1.5 })).toThrow(/count/);
    expect(() => retryOnExecFailed({ delay: -5 })).toThrow(/delay/);
    expect(() => retryOnExecFailed({ delay: 0, count: 0 })).not.toThrow();
  });
});
