import { firstValueFrom, lastValueFrom, type Observable, toArray } from 'rxjs';
import {
  type AccessTokenProvider,
  cachedTokenProvider,
  createExecClient,
  exec$,
  execAll$,
  execEither$,
  ExecHttpError,
  type ExecOptions,
  ExecRequestError,
  ExecTimeoutError,
  retryOnExecFailed,
  withTimeout,
} from 'superserve-rx';
import { accessTokenAttempt } from '../../src/tokens/access-token-attempt';
import { fakeFetch, type FetchCall, frames, streamResponse, TS } from '../helpers/sse-response';

const OLD = 'old-token-5d2b8e1f';
const NEW = 'new-token-a7c4e903';

const finished = () =>
  streamResponse([frames({ stdout: 'ran', timestamp: TS }, { exit_code: 0, finished: true, timestamp: TS })]);
const unauthorized = () =>
  new Response('invalid access token\n', { status: 401, headers: { 'content-type': 'text/plain' } });

const tokenOf = (call: FetchCall) => new Headers(call.init.headers).get('x-access-token');

/** A fetch that runs the command for the tokens in `valid` and answers 401 to any other. */
function sandboxFetch(valid: ReadonlySet<string>) {
  return fakeFetch((call) => (valid.has(tokenOf(call) ?? '') ? finished() : unauthorized()));
}

/** A provider that records its calls and answers with `answer(context)`. */
function recordingProvider(answer: (context: { rejected?: string }) => string | Promise<string>) {
  const calls: Array<{ rejected?: string }> = [];
  const provider = jest.fn((context: { rejected?: string }) => {
    calls.push(context);
    return answer(context);
  });
  return { provider: provider as AccessTokenProvider, calls };
}

/** Old until told it was rejected, new from then on: a provider with a cache. */
function rotatingProvider() {
  let current = OLD;
  return recordingProvider(({ rejected }) => {
    if (rejected === current) current = NEW;
    return current;
  });
}

const options = (fetch: typeof globalThis.fetch, accessToken: string | AccessTokenProvider): ExecOptions => ({
  baseUrl: 'https://sandbox.test',
  fetch,
  accessToken,
});

const collect = <T>(source: Observable<T>) => lastValueFrom(source.pipe(toArray()));
const failure = <T>(source: Observable<T>): Promise<Error> =>
  lastValueFrom(source).then(
    () => {
      throw new Error('expected an error');
    },
    (error: unknown) => error as Error,
  );

/** Everything a person or a log could see of an error. */
const shown = (error: Error) =>
  `${String(error)} ${error.message} ${JSON.stringify(error)} ${error.stack ?? ''} ${JSON.stringify((error as ExecRequestError).issues ?? [])}`;

describe('accessToken as a provider', () => {
  it('asks the provider with {} at each subscription and sends what it gives', async () => {
    const fetch = sandboxFetch(new Set([OLD]));
    const { provider, calls } = recordingProvider(() => OLD);
    const run$ = exec$({ command: 'x' }, options(fetch, provider));
    await collect(run$);
    await collect(run$);
    expect(calls).toEqual([{}, {}]);
    expect(fetch.calls.map(tokenOf)).toEqual([OLD, OLD]);
  });

  it('takes a provider that answers synchronously or with a promise', async () => {
    const fetch = sandboxFetch(new Set([OLD]));
    await collect(
      exec$(
        { command: 'x' },
        options(fetch, () => OLD),
      ),
    );
    await collect(
      exec$(
        { command: 'x' },
        options(fetch, () => Promise.resolve(OLD)),
      ),
    );
    expect(fetch.calls.map(tokenOf)).toEqual([OLD, OLD]);
  });

  it('asks again for every retry of retryOnExecFailed, so each attempt sends a current token', async () => {
    let answers = 0;
    const fetch = fakeFetch(() =>
      answers++ === 0 ? new Response('sandbox unreachable', { status: 502 }) : finished(),
    );
    const tokens = ['t-1', 't-2'];
    const { provider, calls } = recordingProvider(() => tokens[calls.length - 1]!);
    await collect(exec$({ command: 'x' }, options(fetch, provider)).pipe(retryOnExecFailed({ delay: 0 })));
    expect(calls).toEqual([{}, {}]);
    expect(fetch.calls.map(tokenOf)).toEqual(['t-1', 't-2']);
  });

  it('on a 401, asks once with { rejected } and sends the same request again, transparently', async () => {
    const fetch = sandboxFetch(new Set([NEW]));
    const { provider, calls } = rotatingProvider();
    const events = await collect(exec$({ command: 'echo hi', timeout_s: 5 }, options(fetch, provider)));
    expect(events).toEqual([
      { type: 'stdout', data: 'ran', timestamp: TS },
      { type: 'finished', exitCode: 0, timestamp: TS },
    ]);
    expect(calls).toEqual([{}, { rejected: OLD }]);
    expect(fetch.calls.map(tokenOf)).toEqual([OLD, NEW]);
    expect(fetch.calls[1]?.init.body).toBe(fetch.calls[0]?.init.body);
    expect(fetch.calls[1]?.url).toBe(fetch.calls[0]?.url);
  });

  it('refreshes for execEither$ and createExecClient alike', async () => {
    const fetch = sandboxFetch(new Set([NEW]));
    const either = rotatingProvider();
    await expect(
      collect(execEither$({ command: 'x' }, options(fetch, either.provider))),
    ).resolves.toHaveLength(2);
    expect(either.calls).toEqual([{}, { rejected: OLD }]);
    const client = rotatingProvider();
    const sandbox = createExecClient(options(fetch, client.provider));
    await collect(sandbox.exec$({ command: 'x' }));
    await collect(sandbox.exec$({ command: 'x' }));
    // The second run asks with {} and gets the new token at once.
    expect(client.calls).toEqual([{}, { rejected: OLD }, {}]);
  });

  it('ends with the second 401 as ExecHttpError: one refresh per subscription', async () => {
    const fetch = sandboxFetch(new Set());
    const { provider, calls } = rotatingProvider();
    const error = await failure(exec$({ command: 'x' }, options(fetch, provider)));
    expect(error).toBeInstanceOf(ExecHttpError);
    expect(error).toMatchObject({
      status: 401,
      message: 'POST /exec/stream failed with 401: invalid access token',
    });
    expect(calls).toEqual([{}, { rejected: OLD }]);
    expect(fetch.calls).toHaveLength(2);
  });

  it('never retries a string token', async () => {
    const fetch = sandboxFetch(new Set());
    const error = await failure(exec$({ command: 'x' }, options(fetch, OLD)));
    expect(error).toMatchObject({ name: 'ExecHttpError', status: 401 });
    expect(fetch.calls).toHaveLength(1);
  });

  it('does not send again when the provider gives the rejected token back', async () => {
    const fetch = sandboxFetch(new Set());
    const { provider, calls } = recordingProvider(() => OLD);
    const error = await failure(exec$({ command: 'x' }, options(fetch, provider)));
    expect(error).toMatchObject({ name: 'ExecHttpError', status: 401 });
    expect(calls).toEqual([{}, { rejected: OLD }]);
    expect(fetch.calls).toHaveLength(1);
  });

  it.each([403, 404, 429, 503])('leaves a %i alone: only a 401 is a rejected token', async (status) => {
    const fetch = fakeFetch(() => new Response('no', { status }));
    const { provider, calls } = rotatingProvider();
    const error = await failure(exec$({ command: 'x' }, options(fetch, provider)));
    expect(error).toMatchObject({ name: 'ExecHttpError', status });
    expect(calls).toEqual([{}]);
    expect(fetch.calls).toHaveLength(1);
  });

  it('shares one { rejected } call among 20 concurrent runs rejected with the same token', async () => {
    const fetch = sandboxFetch(new Set([NEW]));
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let current = OLD;
    const { provider, calls } = recordingProvider(async ({ rejected }) => {
      if (rejected === undefined) return current;
      await gate;
      current = NEW;
      return current;
    });
    const runs = Array.from({ length: 20 }, (_, index) => ({ request: { command: `run ${index}` } }));
    const done = collect(execAll$(runs, { concurrency: 20, options: options(fetch, provider) }));
    // Hold the refresh until every run has been rejected, so that all of them overlap it.
    while (fetch.calls.length < 20) await new Promise((resolve) => setImmediate(resolve));
    release();
    const events = await done;
    expect(events.filter(({ event }) => event.type === 'finished')).toHaveLength(20);
    expect(calls.filter((context) => context.rejected !== undefined)).toEqual([{ rejected: OLD }]);
    expect(calls.filter((context) => context.rejected === undefined)).toHaveLength(20);
    expect(fetch.calls.map(tokenOf).filter((token) => token === NEW)).toHaveLength(20);
  });

  it('shares a refresh that has already settled with a run that began before it settled', async () => {
    // The second run's 401 arrives after the first run's refresh is over: still one call.
    let answerSecond: (response: Response) => void = () => undefined;
    const fetch = fakeFetch((call) => {
      if (tokenOf(call) === NEW) return finished();
      if (String(call.init.body).includes('second')) {
        return new Promise<Response>((resolve) => (answerSecond = resolve));
      }
      return unauthorized();
    });
    const { provider, calls } = rotatingProvider();
    const secondDone = collect(exec$({ command: 'second' }, options(fetch, provider)));
    await collect(exec$({ command: 'first' }, options(fetch, provider)));
    // Each run asked with {}; the first was rejected and refreshed while the second waited.
    expect(calls).toEqual([{}, {}, { rejected: OLD }]);
    answerSecond(unauthorized());
    await expect(secondDone).resolves.toHaveLength(2);
    expect(calls).toEqual([{}, {}, { rejected: OLD }]);
    expect(fetch.calls.map(tokenOf)).toEqual([OLD, OLD, NEW, NEW]);
  });

  it('asks anew when a run that began after a refresh is rejected with the same token', async () => {
    const fetch = sandboxFetch(new Set());
    const { provider, calls } = recordingProvider(({ rejected }) => (rejected === undefined ? OLD : NEW));
    await failure(exec$({ command: 'x' }, options(fetch, provider)));
    await failure(exec$({ command: 'x' }, options(fetch, provider)));
    expect(calls).toEqual([{}, { rejected: OLD }, {}, { rejected: OLD }]);
  });

  it('shares nothing between two provider functions', async () => {
    const fetch = sandboxFetch(new Set([NEW]));
    const one = rotatingProvider();
    const two = rotatingProvider();
    await Promise.all([
      collect(exec$({ command: 'x' }, options(fetch, one.provider))),
      collect(exec$({ command: 'x' }, options(fetch, two.provider))),
    ]);
    expect(one.calls).toEqual([{}, { rejected: OLD }]);
    expect(two.calls).toEqual([{}, { rejected: OLD }]);
  });
});

describe('a provider that fails', () => {
  const sealed = new Error('vault sealed');
  const backend = new Error('backend said 500\nstack here');
  it.each([
    [
      'throws',
      () => {
        throw sealed;
      },
      sealed,
      'accessToken: the access token provider failed: vault sealed',
    ],
    [
      'rejects',
      () => Promise.reject(backend),
      backend,
      'accessToken: the access token provider failed: backend said 500',
    ],
    [
      'rejects with a string',
      () => Promise.reject('nope'),
      'nope',
      'accessToken: the access token provider failed: nope',
    ],
    [
      'rejects with nothing',
      () => Promise.reject(undefined),
      undefined,
      'accessToken: the access token provider failed',
    ],
  ])('%s: ExecRequestError with the cause, nothing sent', async (_name, provider, cause, message) => {
    const fetch = sandboxFetch(new Set([OLD]));
    const error = await failure(exec$({ command: 'x' }, options(fetch, provider as AccessTokenProvider)));
    expect(error).toBeInstanceOf(ExecRequestError);
    expect(error.message).toBe(`invalid exec request: ${message}`);
    expect(error.cause).toBe(cause);
    expect(fetch.calls).toHaveLength(0);
  });

  it('throws on the refresh: ExecRequestError with the cause, after the one request', async () => {
    const fetch = sandboxFetch(new Set());
    const cause = new Error('control plane down');
    const provider = ({ rejected }: { rejected?: string }) => {
      if (rejected === undefined) return OLD;
      throw cause;
    };
    const error = await failure(exec$({ command: 'x' }, options(fetch, provider)));
    expect(error).toBeInstanceOf(ExecRequestError);
    expect(error.message).toBe(
      'invalid exec request: accessToken: the access token provider failed to replace a rejected token: control plane down',
    );
    expect(error.cause).toBe(cause);
    expect(fetch.calls).toHaveLength(1);
  });

  it.each([
    ['undefined', undefined, 'undefined'],
    ['null', null, 'null'],
    ['an empty string', '', 'an empty string'],
    ['a number', 42, 'a value of type number'],
    ['an object', { token: 'secret-inside' }, 'a value of type object'],
    ['a token with a space', 'secret value', 'an unusable string'],
    ['a token with a newline', 'secret\nvalue', 'an unusable string'],
    ['a token with a non-ASCII character', 'secrét', 'an unusable string'],
  ])('gives %s: ExecRequestError that never shows it, nothing sent', async (_name, junk, what) => {
    const fetch = sandboxFetch(new Set([OLD]));
    const error = await failure(
      exec$(
        { command: 'x' },
        options(fetch, () => junk as string),
      ),
    );
    expect(error).toBeInstanceOf(ExecRequestError);
    expect(error.message).toBe(
      `invalid exec request: accessToken: the access token provider gave ${what}, expected a non-empty string of printable ASCII with no spaces`,
    );
    expect(shown(error)).not.toContain('secret');
    expect(fetch.calls).toHaveLength(0);
  });

  it('gives junk on the refresh: ExecRequestError, nothing more sent', async () => {
    const fetch = sandboxFetch(new Set());
    const provider = ({ rejected }: { rejected?: string }) => (rejected === undefined ? OLD : 'secret value');
    const error = await failure(exec$({ command: 'x' }, options(fetch, provider)));
    expect(error).toBeInstanceOf(ExecRequestError);
    expect(shown(error)).not.toContain('secret');
    expect(fetch.calls).toHaveLength(1);
  });

  it('hangs: withTimeout ends the run with ExecTimeoutError, and nothing is ever sent', async () => {
    const fetch = sandboxFetch(new Set([OLD]));
    let answer: (token: string) => void = () => undefined;
    const provider = () => new Promise<string>((resolve) => (answer = resolve));
    const error = await failure(exec$({ command: 'x' }, options(fetch, provider)).pipe(withTimeout(20)));
    expect(error).toBeInstanceOf(ExecTimeoutError);
    answer(OLD);
    await new Promise((resolve) => setImmediate(resolve));
    expect(fetch.calls).toHaveLength(0);
  });

  it('hangs on the refresh: unsubscribing leaves nothing more to send', async () => {
    const fetch = sandboxFetch(new Set([NEW]));
    let answer: (token: string) => void = () => undefined;
    let asked = false;
    const provider = ({ rejected }: { rejected?: string }) => {
      if (rejected === undefined) return OLD;
      asked = true;
      return new Promise<string>((resolve) => (answer = resolve));
    };
    const subscription = exec$({ command: 'x' }, options(fetch, provider)).subscribe({
      error: () => undefined,
    });
    while (!asked) await new Promise((resolve) => setImmediate(resolve));
    subscription.unsubscribe();
    answer(NEW);
    await new Promise((resolve) => setImmediate(resolve));
    expect(fetch.calls).toHaveLength(1);
  });

  it('a secret that the service echoes in its 401 is redacted, the old token and the new', async () => {
    const fetch = fakeFetch((call) => new Response(`invalid access token ${tokenOf(call)}`, { status: 401 }));
    const { provider } = rotatingProvider();
    const error = await failure(exec$({ command: 'x' }, options(fetch, provider)));
    expect(shown(error)).not.toContain(OLD);
    expect(shown(error)).not.toContain(NEW);
    expect(error.message).toBe('POST /exec/stream failed with 401: invalid access token [redacted]');
  });

  it('refuses an accessToken that is neither a string nor a function', async () => {
    const fetch = sandboxFetch(new Set([OLD]));
    const error = await failure(exec$({ command: 'x' }, options(fetch, 42 as unknown as string)));
    expect(error.message).toBe(
      'invalid exec request: accessToken: expected a string or a function, got number',
    );
    expect(fetch.calls).toHaveLength(0);
  });

  it('never calls the provider for an invalid request', async () => {
    const fetch = sandboxFetch(new Set([OLD]));
    const { provider, calls } = recordingProvider(() => OLD);
    await expect(firstValueFrom(exec$({ command: '' }, options(fetch, provider)))).rejects.toBeInstanceOf(
      ExecRequestError,
    );
    expect(calls).toEqual([]);
  });
});

describe('accessTokenAttempt, for every transport', () => {
  it('gives a string token at once and never refreshes it', async () => {
    const attempt = accessTokenAttempt(OLD);
    expect(attempt.token()).toBe(OLD);
    await expect(attempt.refresh(OLD)).resolves.toBeUndefined();
  });

  it('refuses an unusable string token in its promise, without showing it', async () => {
    const error: unknown = await Promise.resolve(accessTokenAttempt('secret value').token()).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ExecRequestError);
    expect((error as Error).message).toBe(
      'invalid exec request: accessToken: must be printable ASCII with no spaces',
    );
  });

  it('refreshes once per attempt, whatever the provider says', async () => {
    let n = 0;
    const attempt = accessTokenAttempt(() => `token-${n++}`);
    await expect(attempt.token()).resolves.toBe('token-0');
    await expect(attempt.refresh('token-0')).resolves.toBe('token-1');
    await expect(attempt.refresh('token-1')).resolves.toBeUndefined();
  });

  it('shares the latest rejected token only: a refresh of another token takes its place', async () => {
    const { provider, calls } = recordingProvider(({ rejected }) => `after-${rejected ?? ''}`);
    const earliest = accessTokenAttempt(provider);
    await accessTokenAttempt(provider).refresh('r0');
    await expect(earliest.refresh('r0')).resolves.toBe('after-r0');
    expect(calls).toEqual([{ rejected: 'r0' }]);
    const late = accessTokenAttempt(provider);
    await accessTokenAttempt(provider).refresh('r0');
    await accessTokenAttempt(provider).refresh('r1');
    await late.refresh('r0');
    expect(calls).toEqual([{ rejected: 'r0' }, { rejected: 'r0' }, { rejected: 'r1' }, { rejected: 'r0' }]);
  });
});

describe('cachedTokenProvider', () => {
  it('fetches once for many callers, keeps the token, and fetches again only when that token is rejected', async () => {
    const fetched: Array<{ rejected?: string }> = [];
    let n = 0;
    const provider = cachedTokenProvider(async (context) => {
      fetched.push(context);
      return `token-${n++}`;
    });
    await expect(Promise.all([provider({}), provider({}), provider({})])).resolves.toEqual([
      'token-0',
      'token-0',
      'token-0',
    ]);
    await expect(provider({ rejected: 'token-0' })).resolves.toBe('token-1');
    // An older token reported late: the current one, with no fetch.
    await expect(provider({ rejected: 'token-0' })).resolves.toBe('token-1');
    await expect(provider({})).resolves.toBe('token-1');
    expect(fetched).toEqual([{}, { rejected: 'token-0' }]);
  });

  it('shares a fetch under way with a caller reporting a rejection', async () => {
    let release: (token: string) => void = () => undefined;
    const fetchToken = jest.fn(() => new Promise<string>((resolve) => (release = resolve)));
    const provider = cachedTokenProvider(fetchToken);
    const first = provider({});
    const second = provider({ rejected: 'whatever' });
    release('fresh');
    await expect(Promise.all([first, second])).resolves.toEqual(['fresh', 'fresh']);
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it('keeps neither a failure nor junk: the next call fetches again', async () => {
    const answers: Array<() => string | Promise<string>> = [
      () => {
        throw new Error('down');
      },
      () => '',
      () => 'good',
    ];
    const provider = cachedTokenProvider(() => answers.shift()!());
    await expect(provider({})).rejects.toThrow('down');
    await expect(provider({})).resolves.toBe('');
    await expect(provider({})).resolves.toBe('good');
    await expect(provider({})).resolves.toBe('good');
  });

  it('refuses something that is not a function, at once', () => {
    expect(() => cachedTokenProvider('token' as never)).toThrow(
      new TypeError('cachedTokenProvider: expected a function that fetches a token'),
    );
  });
});
