import { lastValueFrom, type Subscription, toArray } from 'rxjs';
import {
  execAll$,
  type ExecAllEvent,
  ExecFailedError,
  ExecHttpError,
  ExecTimeoutError,
  type ExecOptions,
  withTimeout,
} from 'superserve-rx';
import { fakeFetch, type FetchCall, frames, streamResponse, TS } from '../helpers/sse-response';

/** A fetch whose answer depends on the request's command. */
function scriptedFetch(answers: Record<string, () => Response>) {
  return fakeFetch((call: FetchCall) => {
    const { command } = JSON.parse(String(call.init.body)) as { command: string };
    return answers[command]!();
  });
}

const ok = (text: string) => () =>
  streamResponse([frames({ stdout: text, timestamp: TS }, { exit_code: 0, finished: true, timestamp: TS })]);

const summary = (events: ExecAllEvent<{ name: string; request: { command: string } }>[]) =>
  events.map(({ run, event }) => `${run.name}:${event.type}`);

describe('execAll$', () => {
  const runs = ['a', 'b', 'c'].map((name) => ({ name, request: { command: name } }));

  it('tags every event with its run and completes when every run ended', async () => {
    const fetch = scriptedFetch({ a: ok('A'), b: ok('B'), c: ok('C') });
    const events = await lastValueFrom(
      execAll$(runs, { options: { accessToken: 't', baseUrl: 'https://s.test', fetch } }).pipe(toArray()),
    );
    expect(events).toHaveLength(6);
    for (const name of ['a', 'b', 'c']) {
      expect(summary(events).filter((line) => line.startsWith(`${name}:`))).toEqual([
        `${name}:stdout`,
        `${name}:finished`,
      ]);
    }
    expect(events.find(({ run }) => run.name === 'b')?.event).toEqual({
      type: 'stdout',
      data: 'B',
      timestamp: TS,
    });
    expect(events[0]?.run).toBe(runs[0]);
  });

  it('keeps a failed run as its last value and lets the others finish', async () => {
    const fetch = scriptedFetch({
      a: ok('A'),
      b: () =>
        streamResponse(['sandbox is paused'], { status: 503, headers: { 'content-type': 'text/plain' } }),
      c: () => streamResponse([frames({ code: 'bad_request', error: 'no such binary', finished: true })]),
    });
    const events = await lastValueFrom(
      execAll$(runs, { options: { accessToken: 't', baseUrl: 'https://s.test', fetch } }).pipe(toArray()),
    );
    expect(summary(events).sort()).toEqual(['a:finished', 'a:stdout', 'b:error', 'c:error']);
    const errors = events.flatMap(({ event }) => (event.type === 'error' ? [event.error] : []));
    expect(errors.map((error) => (error as Error).name).sort()).toEqual(['ExecFailedError', 'ExecHttpError']);
  });

  it('with failFast, errors with the first failure and aborts the runs still going', async () => {
    const signals: AbortSignal[] = [];
    const fetch = fakeFetch((call) => {
      signals.push(call.init.signal as AbortSignal);
      const { command } = JSON.parse(String(call.init.body)) as { command: string };
      return command === 'b'
        ? streamResponse([frames({ code: 'exec_failed', error: 'spawn', finished: true })])
        : streamResponse([frames({ stdout: 'working', timestamp: TS })], { hang: true });
    });
    const error = await lastValueFrom(
      execAll$(runs, { failFast: true, options: { accessToken: 't', baseUrl: 'https://s.test', fetch } }),
    ).catch((e: unknown) => e);
    expect(error).toEqual(new ExecFailedError('spawn', 'exec_failed'));
    expect(signals.every((signal) => signal.aborted)).toBe(true);
  });

  it('never has more than `concurrency` requests in flight', async () => {
    const many = Array.from({ length: 8 }, (_, i) => ({ name: `r${i}`, request: { command: `r${i}` } }));
    let inFlight = 0;
    let maxInFlight = 0;
    const fetch = fakeFetch(async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return streamResponse([frames({ exit_code: 0, finished: true })]);
    });
    const events = await lastValueFrom(
      execAll$(many, {
        concurrency: 3,
        options: { accessToken: 't', baseUrl: 'https://s.test', fetch },
      }).pipe(toArray()),
    );
    expect(events).toHaveLength(8);
    expect(fetch.calls).toHaveLength(8);
    expect(maxInFlight).toBe(3);
  });

  it('applies `each` to every run and merges per-run options over the shared ones', async () => {
    const fetch = fakeFetch(() => streamResponse([], { hang: true }));
    const other = fakeFetch(() => streamResponse([frames({ exit_code: 0, finished: true })]));
    const shared: ExecOptions = { accessToken: 't', baseUrl: 'https://s.test', fetch };
    const events = await lastValueFrom(
      execAll$(
        [
          { name: 'slow', request: { command: 'slow' } },
          { name: 'own', request: { command: 'own' }, options: { fetch: other } },
        ],
        {
          options: shared,
          each: withTimeout({ total: 30 }),
        },
      ).pipe(toArray()),
    );
    expect(events.map(({ run, event }) => `${run.name}:${event.type}`).sort()).toEqual([
      'own:finished',
      'slow:error',
    ]);
    expect(events.find(({ run }) => run.name === 'slow')?.event).toEqual({
      type: 'error',
      error: new ExecTimeoutError('total', 30),
    });
    expect(other.calls).toHaveLength(1);
  });

  it('aborts every running request on unsubscribe', async () => {
    const signals: AbortSignal[] = [];
    const fetch = fakeFetch((call) => {
      signals.push(call.init.signal as AbortSignal);
      return streamResponse([frames({ stdout: 'x', timestamp: TS })], { hang: true });
    });
    let subscription: Subscription | undefined;
    await new Promise<void>((resolve) => {
      let seen = 0;
      subscription = execAll$(runs, {
        options: { accessToken: 't', baseUrl: 'https://s.test', fetch },
      }).subscribe(() => {
        if (++seen === 3) resolve();
      });
    });
    subscription?.unsubscribe();
    expect(signals).toHaveLength(3);
    expect(signals.every((signal) => signal.aborted)).toBe(true);
  });

  it('rejects a bad concurrency at call time', () => {
    expect(() => execAll$([], { concurrency: 0 })).toThrow(TypeError);
    expect(() => execAll$([], { concurrency: 1.5 })).toThrow(/concurrency/);
    expect(() => execAll$([], { concurrency: Infinity })).not.toThrow();
  });

  it('is empty for no runs', async () => {
    await expect(lastValueFrom(execAll$([]).pipe(toArray()))).resolves.toEqual([]);
  });

  it('keeps HTTP errors typed in the error value', async () => {
    const fetch = fakeFetch(() => streamResponse(['nope'], { status: 401 }));
    const [only] = await lastValueFrom(
      execAll$([{ request: { command: 'x' } }], {
        options: { accessToken: 't', baseUrl: 'https://s.test', fetch },
      }).pipe(toArray()),
    );
    expect(only?.event.type === 'error' && only.event.error).toBeInstanceOf(ExecHttpError);
  });
});
