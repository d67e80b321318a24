import { isLeft, left, right } from 'fp-ts/lib/Either.js';
import { firstValueFrom, lastValueFrom, type Observable, type Subscription, toArray } from 'rxjs';
import {
  ExecDecodeError,
  execEither$,
  ExecHttpError,
  ExecNetworkError,
  ExecProtocolError,
  ExecRequestError,
  type ExecOptions,
} from 'superserve-rx';
import { type BodyProbe, fakeFetch, frames, streamResponse, TS } from '../helpers/sse-response';

const TOKEN = 'tok-3f1c9a0e5b7d4c2a';

function options(fetch: typeof globalThis.fetch, extra: Partial<ExecOptions> = {}): ExecOptions {
  return { accessToken: TOKEN, baseUrl: 'https://sandbox.test', fetch, ...extra };
}

const collect = <T>(source: Observable<T>) => lastValueFrom(source.pipe(toArray()));

/** Runs `body` with these environment variables set (`undefined`: unset), then restores them. */
async function withEnv(vars: Readonly<Record<string, string | undefined>>, body: () => Promise<unknown>) {
  const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  const apply = (values: Readonly<Record<string, string | undefined>>): void => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(vars);
  try {
    await body();
  } finally {
    apply(saved);
  }
}

describe('execEither$ over an injected fetch', () => {
  it('POSTs the request with the protocol headers and exactly the given fields', async () => {
    const fetch = fakeFetch(() => streamResponse([frames({ exit_code: 0, finished: true })]));
    await collect(
      execEither$(
        { command: 'ls', args: ['-l'], timeout_s: 5 },
        options(fetch, { sandboxId: 'sbx-1', headers: { 'X-Trace': 't1', accept: 'text/html' } }),
      ),
    );
    expect(fetch.calls).toHaveLength(1);
    const [call] = fetch.calls;
    expect(call?.url).toBe('https://sandbox.test/exec/stream');
    expect(call?.init.method).toBe('POST');
    expect(JSON.parse(String(call?.init.body))).toEqual({ command: 'ls', args: ['-l'], timeout_s: 5 });
    const headers = new Headers(call?.init.headers);
    expect(headers.get('content-type')).toBe('application/json');
    expect(headers.get('accept')).toBe('text/event-stream');
    expect(headers.get('x-access-token')).toBe(TOKEN);
    expect(headers.get('x-superserve-sandbox-id')).toBe('sbx-1');
    expect(headers.get('x-trace')).toBe('t1');
  });

  it('keeps a base URL path prefix and drops trailing slashes', async () => {
    const fetch = fakeFetch(() => streamResponse([]));
    await collect(execEither$({ command: 'x' }, options(fetch, { baseUrl: 'https://proxy.test/sbx/1//' })));
    expect(fetch.calls[0]?.url).toBe('https://proxy.test/sbx/1/exec/stream');
  });

  it('emits a Right per event and a Left per bad frame, going on after a Left', async () => {
    const fetch = fakeFetch(() =>
      streamResponse([
        frames({ stdout: 'a', timestamp: TS }),
        'data: not json\n\n',
        frames({ stderr: 'b', timestamp: TS }, { error: 'nope', code: 'bad_request', finished: true }),
      ]),
    );
    const values = await collect(execEither$({ command: 'x' }, options(fetch)));
    expect(values).toHaveLength(4);
    expect(values[0]).toEqual(right({ type: 'stdout', data: 'a', timestamp: TS }));
    expect(isLeft(values[1]!) && values[1].left).toBeInstanceOf(ExecDecodeError);
    expect(values[2]).toEqual(right({ type: 'stderr', data: 'b', timestamp: TS }));
    expect(values[3]).toEqual(right({ type: 'failed', code: 'bad_request', message: 'nope' }));
  });

  it('completes when the body ends, even without a terminal event', async () => {
    const fetch = fakeFetch(() => streamResponse([frames({ stdout: 'a', timestamp: TS })]));
    await expect(collect(execEither$({ command: 'x' }, options(fetch)))).resolves.toHaveLength(1);
  });

  it('makes no request and errors with ExecRequestError for an invalid request', async () => {
    const fetch = fakeFetch(() => streamResponse([]));
    const error = await firstValueFrom(execEither$({ command: '', timeout_s: -1 }, options(fetch))).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ExecRequestError);
    expect((error as ExecRequestError).issues.map((issue) => issue.path)).toEqual(['command', 'timeout_s']);
    expect(fetch.calls).toHaveLength(0);
  });

  it('makes no request without a token, and never echoes a malformed token', async () => {
    const fetch = fakeFetch(() => streamResponse([]));
    await withEnv({ SUPERSERVE_ACCESS_TOKEN: undefined }, async () => {
      await expect(
        firstValueFrom(execEither$({ command: 'x' }, { fetch, baseUrl: 'https://s.test' })),
      ).rejects.toThrow(/no access token/);
      await expect(
        firstValueFrom(execEither$({ command: 'x' }, { fetch, baseUrl: 'https://s.test', accessToken: '' })),
      ).rejects.toThrow(/no access token/);
      const bad = 'secret\nvalue';
      const error = await firstValueFrom(
        execEither$({ command: 'x' }, options(fetch, { accessToken: bad })),
      ).catch((e: unknown) => e as Error);
      expect(error).toBeInstanceOf(ExecRequestError);
      expect(`${String(error)} ${JSON.stringify(error)}`).not.toContain('secret');
    });
    await withEnv({ SUPERSERVE_ACCESS_TOKEN: '' }, () =>
      expect(
        firstValueFrom(execEither$({ command: 'x' }, { fetch, baseUrl: 'https://s.test' })),
      ).rejects.toThrow(/no access token/),
    );
    expect(fetch.calls).toHaveLength(0);
  });

  it('rejects a sandbox id or extra header no header can carry, with ExecRequestError', async () => {
    const fetch = fakeFetch(() => streamResponse([]));
    const error = await firstValueFrom(
      execEither$({ command: 'x' }, options(fetch, { sandboxId: 'a\nb' })),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExecRequestError);
    expect((error as ExecRequestError).issues).toEqual([
      { path: 'sandboxId', message: 'must be printable ASCII with no spaces' },
    ]);
    await expect(
      firstValueFrom(execEither$({ command: 'x' }, options(fetch, { headers: { 'X-Bad': 'a\nb' } }))),
    ).rejects.toBeInstanceOf(ExecRequestError);
    expect(fetch.calls).toHaveLength(0);
  });

  it('falls back to SUPERSERVE_ACCESS_TOKEN and SUPERSERVE_SANDBOX_URL', async () => {
    const fetch = fakeFetch(() => streamResponse([]));
    await withEnv(
      { SUPERSERVE_ACCESS_TOKEN: 'env-token', SUPERSERVE_SANDBOX_URL: 'http://127.0.0.1:1234' },
      () => collect(execEither$({ command: 'x' }, { fetch })),
    );
    expect(fetch.calls[0]?.url).toBe('http://127.0.0.1:1234/exec/stream');
    expect(new Headers(fetch.calls[0]?.init.headers).get('x-access-token')).toBe('env-token');
  });

  it('defaults to the service’s URL, also when SUPERSERVE_SANDBOX_URL is empty', async () => {
    const fetch = fakeFetch(() => streamResponse([]));
    await withEnv({ SUPERSERVE_SANDBOX_URL: '' }, () =>
      collect(execEither$({ command: 'x' }, { fetch, accessToken: 't' })),
    );
    expect(fetch.calls[0]?.url).toBe('https://sandbox.superserve.ai/exec/stream');
  });

  it('rejects a base URL that is not http(s)', async () => {
    const fetch = fakeFetch(() => streamResponse([]));
    await expect(
      firstValueFrom(execEither$({ command: 'x' }, options(fetch, { baseUrl: 'ftp://x' }))),
    ).rejects.toThrow(/baseUrl: expected an absolute http\(s\) URL/);
  });

  it.each([
    [
      401,
      'text/plain',
      'invalid access token\n',
      undefined,
      'POST /exec/stream failed with 401: invalid access token',
    ],
    [
      503,
      'application/json',
      '{"error":{"code":"sandbox_unavailable","message":"sandbox is paused"}}',
      'sandbox_unavailable',
      'POST /exec/stream failed with 503: sandbox is paused',
    ],
    [
      502,
      'text/event-stream',
      'sandbox unreachable',
      undefined,
      'POST /exec/stream failed with 502: sandbox unreachable',
    ],
  ])(
    'errors with ExecHttpError on %i (%s), the status winning',
    async (status, type, body, code, message) => {
      const fetch = fakeFetch(() =>
        streamResponse([body], { status, headers: { 'content-type': type, 'retry-after': '2' } }),
      );
      const error = (await firstValueFrom(execEither$({ command: 'x' }, options(fetch))).catch(
        (e: unknown) => e,
      )) as ExecHttpError;
      expect(error).toBeInstanceOf(ExecHttpError);
      expect(error.message).toBe(message);
      expect(error.status).toBe(status);
      expect(error.code).toBe(code);
      expect(error.body).toBe(body.trim());
      expect(error.retryAfterMs).toBe(2000);
    },
  );

  it('reads at most 4 KiB of an error body and cancels the rest', async () => {
    const probe: BodyProbe = { cancelled: false, pulls: 0 };
    const chunk = 'x'.repeat(1000);
    const fetch = fakeFetch(() =>
      streamResponse(
        Array.from({ length: 1000 }, () => chunk),
        { status: 500 },
        probe,
      ),
    );
    const error = (await firstValueFrom(execEither$({ command: 'x' }, options(fetch))).catch(
      (e: unknown) => e,
    )) as ExecHttpError;
    expect(error.body).toHaveLength(4096);
    expect(probe.cancelled).toBe(true);
    expect(probe.pulls).toBeLessThan(10);
  });

  it('redacts the token should a server echo it in an error body', async () => {
    const fetch = fakeFetch(() => streamResponse([`bad token ${TOKEN}`], { status: 401 }));
    const error = (await firstValueFrom(execEither$({ command: 'x' }, options(fetch))).catch(
      (e: unknown) => e,
    )) as ExecHttpError;
    expect(error.body).toBe('bad token [redacted]');
    expect(`${error.message} ${String(error)} ${JSON.stringify(error)}`).not.toContain(TOKEN);
  });

  it('does not follow redirects, and says so where a browser hides the redirect behind status 0', async () => {
    const opaque = { status: 0, type: 'opaqueredirect', headers: new Headers(), body: null } as Response;
    const fetch = fakeFetch(() => opaque);
    const error = await firstValueFrom(execEither$({ command: 'x' }, options(fetch))).catch(
      (e: unknown) => e,
    );
    expect(fetch.calls[0]?.init.redirect).toBe('manual');
    expect(error).toBeInstanceOf(ExecHttpError);
    expect(error).toMatchObject({
      status: 0,
      message: 'POST /exec/stream failed with 0: redirected (not followed)',
    });
  });

  it('redacts the token should a server echo it in an error event or a bad frame, not in output', async () => {
    const fetch = fakeFetch(() =>
      streamResponse([
        frames({ stdout: `out ${TOKEN}`, timestamp: TS }),
        `data: {oops ${TOKEN}\n\n`,
        `data: ${TOKEN}\n\n`,
        frames({ stdout: 5, note: `x ${TOKEN}` }),
        frames({ error: `bad token ${TOKEN}`, code: `c-${TOKEN}`, finished: true }),
      ]),
    );
    const values = await collect(execEither$({ command: 'x' }, options(fetch)));
    expect(values[0]).toEqual(right({ type: 'stdout', data: `out ${TOKEN}`, timestamp: TS }));
    expect(values.slice(1, 4).map((value) => isLeft(value) && value.left)).toEqual([
      expect.objectContaining({ reason: 'json', data: '{oops [redacted]' }),
      expect.objectContaining({ reason: 'json', data: '[redacted]' }),
      expect.objectContaining({ reason: 'schema', data: '{"stdout":5,"note":"x [redacted]"}' }),
    ]);
    expect(values[4]).toEqual(
      right({ type: 'failed', message: 'bad token [redacted]', code: 'c-[redacted]' }),
    );
    const errors = values.slice(1).map((value) => (isLeft(value) ? value.left : value.right));
    for (const error of errors) expect(`${JSON.stringify(error)} ${String(error)}`).not.toContain(TOKEN);
  });

  it('leaves no part of a long token in an issue that quotes a value cut short, or at the body cap', async () => {
    const long = `tok-${'9f'.repeat(40)}`;
    const prefix = long.slice(0, 12);
    const fetch = fakeFetch((call) =>
      JSON.parse(String(call.init.body)).command === 'frame'
        ? streamResponse([frames({ exit_code: long, finished: true })])
        : streamResponse([`${'x'.repeat(4090)}${long}`], { status: 500 }),
    );
    const [frame] = await collect(execEither$({ command: 'frame' }, options(fetch, { accessToken: long })));
    const decodeError = isLeft(frame!) && frame.left;
    expect(decodeError).toMatchObject({ reason: 'schema', issues: [{ path: 'exit_code' }] });
    const http = await firstValueFrom(
      execEither$({ command: 'body' }, options(fetch, { accessToken: long })),
    ).catch((e: unknown) => e as ExecHttpError);
    expect((http as ExecHttpError).body).toBe(`${'x'.repeat(4090)}[redac`);
    for (const error of [decodeError, http]) {
      expect(
        `${JSON.stringify(error)} ${String(error)} ${JSON.stringify((error as ExecDecodeError).issues ?? [])}`,
      ).not.toContain(prefix);
    }
  });

  it('ends typed, never hanging, when a fetch double gives no stream or a locked one', async () => {
    const headers = new Headers({ 'content-type': 'text/event-stream' });
    const noStream = { status: 200, ok: true, headers, body: undefined } as unknown as Response;
    await expect(
      lastValueFrom(execEither$({ command: 'x' }, options(fakeFetch(() => noStream)))),
    ).rejects.toThrow(
      new ExecProtocolError(
        'the fetch implementation gives no readable body stream (response.body.getReader); pass a streaming fetch',
      ),
    );
    const locked = streamResponse([frames({ exit_code: 0, finished: true })]);
    locked.body!.getReader();
    const error = await lastValueFrom(execEither$({ command: 'x' }, options(fakeFetch(() => locked)))).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ExecNetworkError);
    expect((error as Error).message).toMatch(/^POST \/exec\/stream: reading the response body failed/);
  });

  it('reads the error body of a fetch double that buffers instead of streaming', async () => {
    const buffered = {
      status: 503,
      ok: false,
      type: 'basic',
      headers: new Headers(),
      body: undefined,
      text: async () => 'sandbox is paused',
    } as unknown as Response;
    await expect(
      lastValueFrom(execEither$({ command: 'x' }, options(fakeFetch(() => buffered)))),
    ).rejects.toMatchObject({
      name: 'ExecHttpError',
      status: 503,
      body: 'sandbox is paused',
    });
  });

  it('parses Retry-After as an HTTP date', async () => {
    const when = new Date(Date.now() + 60_000).toUTCString();
    const fetch = fakeFetch(() =>
      streamResponse(['busy'], { status: 429, headers: { 'retry-after': when } }),
    );
    const error = (await firstValueFrom(execEither$({ command: 'x' }, options(fetch))).catch(
      (e: unknown) => e,
    )) as ExecHttpError;
    expect(error.retryAfterMs).toBeGreaterThan(55_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('errors with ExecProtocolError on a 2xx that is not an event stream', async () => {
    const probe: BodyProbe = { cancelled: false, pulls: 0 };
    const fetch = fakeFetch(() =>
      streamResponse(['{"ok":true}'], { headers: { 'content-type': 'application/json' } }, probe),
    );
    await expect(firstValueFrom(execEither$({ command: 'x' }, options(fetch)))).rejects.toThrow(
      new ExecProtocolError(
        'POST /exec/stream answered 200 with content type application/json, expected text/event-stream',
      ),
    );
    expect(probe.cancelled).toBe(true);
  });

  it.each(['xtext/event-stream', 'text/event-streams', 'text/event-stream-x; charset=utf-8'])(
    'does not mistake %s for an event stream',
    async (type) => {
      const fetch = fakeFetch(() =>
        streamResponse([frames({ exit_code: 0, finished: true })], { headers: { 'content-type': type } }),
      );
      await expect(firstValueFrom(execEither$({ command: 'x' }, options(fetch)))).rejects.toBeInstanceOf(
        ExecProtocolError,
      );
    },
  );

  it('accepts an event-stream content type with parameters', async () => {
    const fetch = fakeFetch(() =>
      streamResponse([frames({ exit_code: 0, finished: true })], {
        headers: { 'content-type': ' Text/Event-Stream ; charset=utf-8' },
      }),
    );
    await expect(collect(execEither$({ command: 'x' }, options(fetch)))).resolves.toEqual([
      right({ type: 'finished', exitCode: 0 }),
    ]);
  });

  it('errors with ExecNetworkError when fetch rejects', async () => {
    const cause = new TypeError('fetch failed', {
      cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }),
    });
    const fetch = fakeFetch(() => Promise.reject(cause));
    const error = (await firstValueFrom(execEither$({ command: 'x' }, options(fetch))).catch(
      (e: unknown) => e,
    )) as ExecNetworkError;
    expect(error).toBeInstanceOf(ExecNetworkError);
    expect(error.message).toBe('POST /exec/stream: fetch failed (ECONNREFUSED)');
    expect(error.phase).toBe('fetch');
    expect(error.cause).toBe(cause);
  });

  it('errors with ExecNetworkError when the body breaks off, after the events before it', async () => {
    const fetch = fakeFetch(() =>
      streamResponse([frames({ stdout: 'a', timestamp: TS })], { failWith: new Error('socket hang up') }),
    );
    const seen: unknown[] = [];
    const error = await new Promise((resolve) =>
      execEither$({ command: 'x' }, options(fetch)).subscribe({ next: (v) => seen.push(v), error: resolve }),
    );
    expect(error).toBeInstanceOf(ExecNetworkError);
    expect((error as Error).message).toMatch(/reading the response body failed: socket hang up/);
    expect(error).toMatchObject({ phase: 'body' });
    expect(seen).toEqual([right({ type: 'stdout', data: 'a', timestamp: TS })]);
  });

  it('errors with ExecProtocolError when one line exceeds maxEventLength', async () => {
    const probe: BodyProbe = { cancelled: false, pulls: 0 };
    const fetch = fakeFetch(() =>
      streamResponse(['data: ', 'x'.repeat(600), 'x'.repeat(600)], { hang: true }, probe),
    );
    await expect(
      lastValueFrom(execEither$({ command: 'x' }, options(fetch, { maxEventLength: 1000 }))),
    ).rejects.toBeInstanceOf(ExecProtocolError);
    expect(probe.cancelled).toBe(true);
  });

  it('is cold: one request per subscription', async () => {
    const fetch = fakeFetch(() => streamResponse([frames({ exit_code: 0, finished: true })]));
    const run$ = execEither$({ command: 'x' }, options(fetch));
    expect(fetch.calls).toHaveLength(0);
    await collect(run$);
    await collect(run$);
    expect(fetch.calls).toHaveLength(2);
  });

  it('aborts the request and cancels the body on unsubscribe', async () => {
    const probe: BodyProbe = { cancelled: false, pulls: 0 };
    const fetch = fakeFetch(() =>
      streamResponse([frames({ stdout: 'a', timestamp: TS })], { hang: true }, probe),
    );
    const run$ = execEither$({ command: 'x' }, options(fetch));
    let subscription: Subscription | undefined;
    await new Promise<void>((resolve) => {
      subscription = run$.subscribe(() => resolve());
    });
    subscription?.unsubscribe();
    expect((fetch.calls[0]?.init.signal as AbortSignal).aborted).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(probe.cancelled).toBe(true);
  });

  it.each([
    [
      'a maxEventLength that is not a positive integer',
      { maxEventLength: 0 },
      'maxEventLength: expected a positive integer',
    ],
    ['a fractional maxEventLength', { maxEventLength: 1.5 }, 'maxEventLength: expected a positive integer'],
    [
      'a base URL that is not a URL',
      { baseUrl: 'sandbox.test' },
      'baseUrl: expected an absolute http(s) URL',
    ],
    ['a header name that is not a token', { headers: { 'bad header': 'x' } }, 'headers: '],
    [
      'a token with a space',
      { accessToken: 'two words' },
      'accessToken: must be printable ASCII with no spaces',
    ],
  ])('makes no request for %s: ExecRequestError', async (_name, extra, issue) => {
    const fetch = fakeFetch(() => streamResponse([]));
    const error = await firstValueFrom(execEither$({ command: 'x' }, options(fetch, extra))).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ExecRequestError);
    expect((error as Error).message).toContain(issue);
    expect(fetch.calls).toHaveLength(0);
  });

  it('needs a fetch where the runtime has none', async () => {
    const saved = globalThis.fetch;
    Reflect.deleteProperty(globalThis, 'fetch');
    try {
      await expect(
        firstValueFrom(execEither$({ command: 'x' }, { accessToken: TOKEN, baseUrl: 'https://s.test' })),
      ).rejects.toThrow('fetch: no fetch: pass options.fetch on a runtime without one');
    } finally {
      globalThis.fetch = saved;
    }
  });

  it('calls the global fetch with globalThis as this, as browsers require', async () => {
    const saved = globalThis.fetch;
    const global = jest.fn(() => Promise.resolve(streamResponse([frames({ exit_code: 0, finished: true })])));
    globalThis.fetch = global as unknown as typeof fetch;
    try {
      await collect(execEither$({ command: 'x' }, { accessToken: TOKEN, baseUrl: 'https://s.test' }));
    } finally {
      globalThis.fetch = saved;
    }
    expect(global.mock.contexts).toEqual([globalThis]);
  });

  it('cancels the body of a response that arrives after unsubscribing, and emits nothing', async () => {
    const probe: BodyProbe = { cancelled: false, pulls: 0 };
    let answer: (response: Response) => void = () => undefined;
    const fetch = fakeFetch(() => new Promise<Response>((resolve) => (answer = resolve)));
    const seen: unknown[] = [];
    const subscription = execEither$({ command: 'x' }, options(fetch)).subscribe({
      next: (value) => seen.push(value),
      error: (error) => seen.push(error),
      complete: () => seen.push('complete'),
    });
    subscription.unsubscribe();
    answer(streamResponse([frames({ stdout: 'late', timestamp: TS })], { hang: true }, probe));
    await new Promise((resolve) => setImmediate(resolve));
    expect(probe.cancelled).toBe(true);
    expect(seen).toEqual([]);
  });

  it('completes on a 2xx event stream with no body at all', async () => {
    const empty = {
      status: 200,
      type: 'basic',
      headers: new Headers({ 'content-type': 'text/event-stream' }),
      body: null,
    };
    const fetch = fakeFetch(() => empty as Response);
    await expect(collect(execEither$({ command: 'x' }, options(fetch)))).resolves.toEqual([]);
  });

  it('delivers a Left for a schema-invalid frame with the path', async () => {
    const fetch = fakeFetch(() => streamResponse([frames({ exit_code: 'zero', finished: true })]));
    const [value] = await collect(execEither$({ command: 'x' }, options(fetch)));
    expect(value).toEqual(left(expect.objectContaining({ reason: 'schema' })));
  });
});
