import { lastValueFrom } from 'rxjs';
import { collectOutput, exec$, ExecRequestError, ExecStreamError, isExecStreamError } from 'superserve-rx';
import {
  activateTokenProvider,
  type ActivateTokenProviderConfig,
  ExecActivateError,
  isExecActivateError,
} from 'superserve-rx/server';
import { startFaultServer, step } from '../helpers/fault-server';
import { localSandboxes, type SandboxOptions } from '../helpers/local-sandbox';
import { type TestSseServer, unusedPort } from '../helpers/sse-server';

const API_KEY = 'ss_live_use_apikey0123456789abcdef0123456789';
const WINDOW_MS = 60_000;

const sandboxes = localSandboxes();
let server: TestSseServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  await sandboxes.closeAll();
});

/** A fetch that counts the requests it passes on. */
function countingFetch() {
  const urls: string[] = [];
  const impl = ((input: RequestInfo | URL, init?: RequestInit) => {
    urls.push(String(input));
    return fetch(input, init);
  }) as typeof fetch & { urls: string[] };
  impl.urls = urls;
  return impl;
}

/** A local sandbox with expiring tokens and an activate endpoint, and a clock to move. */
async function sandboxWithKey() {
  let now = Date.UTC(2026, 10, 7);
  const options = await sandboxes.start({
    tokenTtlMs: WINDOW_MS,
    apiKey: API_KEY,
    clock: () => now,
    sandboxId: 'sbx-activate',
  });
  return { options, pass: (ms: number) => void (now += ms) };
}

const providerFor = (options: SandboxOptions, extra: Partial<ActivateTokenProviderConfig> = {}) =>
  activateTokenProvider({
    apiKey: API_KEY,
    sandboxId: options.sandbox.sandboxId,
    apiUrl: options.sandbox.url,
    ...extra,
  });

/** Everything a person or a log could see of an error, its cause's message included. */
const shown = (error: unknown) => {
  const e = error as Error & { cause?: Error };
  return `${String(e)} ${JSON.stringify(e)} ${e.stack ?? ''} ${String(e.cause)} ${JSON.stringify(e.cause ?? null)}`;
};

describe('activateTokenProvider against the local sandbox', () => {
  it('gets a token that runs commands, keeps it, and activates again only when it is rejected', async () => {
    const { options, pass } = await sandboxWithKey();
    const counted = countingFetch();
    const accessToken = providerFor(options, { fetch: counted });
    const run = () =>
      lastValueFrom(exec$({ command: 'echo ok' }, { ...options, accessToken }).pipe(collectOutput()));
    await expect(run()).resolves.toMatchObject({ stdout: 'ok\n', exitCode: 0 });
    await expect(run()).resolves.toMatchObject({ stdout: 'ok\n', exitCode: 0 });
    expect(counted.urls).toEqual([`${options.sandbox.url}/sandboxes/sbx-activate/activate`]);
    pass(2 * WINDOW_MS);
    await expect(run()).resolves.toMatchObject({ stdout: 'ok\n', exitCode: 0 });
    expect(counted.urls).toHaveLength(2);
    await expect(accessToken({})).resolves.toBe(options.sandbox.currentAccessToken());
  });

  it('shares one request among concurrent callers', async () => {
    const { options } = await sandboxWithKey();
    const counted = countingFetch();
    const provider = providerFor(options, { fetch: counted });
    const tokens = await Promise.all(Array.from({ length: 10 }, () => provider({})));
    expect(new Set(tokens)).toEqual(new Set([options.sandbox.currentAccessToken()]));
    expect(counted.urls).toHaveLength(1);
    // Ten callers reporting the same token rejected: one more request between them.
    const fresh = await Promise.all(Array.from({ length: 10 }, () => provider({ rejected: tokens[0]! })));
    expect(new Set(fresh).size).toBe(1);
    expect(counted.urls).toHaveLength(2);
  });

  it('with a wrong key: ExecActivateError 401 unauthorized that never shows the key', async () => {
    const { options } = await sandboxWithKey();
    const provider = providerFor(options, { apiKey: 'ss_live_use_wrongkey0123456789abcdef012345' });
    const error = await Promise.resolve(provider({})).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExecActivateError);
    expect(error).toMatchObject({
      name: 'ExecActivateError',
      status: 401,
      code: 'unauthorized',
      sandboxId: 'sbx-activate',
      message: 'POST /sandboxes/sbx-activate/activate failed with 401 (unauthorized): invalid API key',
    });
    expect(shown(error)).not.toContain('wrongkey');
    expect(shown(error)).not.toContain(API_KEY);
  });

  it('inside exec$, its failure is ExecRequestError with it as the cause, and nothing runs', async () => {
    const { options } = await sandboxWithKey();
    const accessToken = providerFor(options, { sandboxId: 'no-such-sandbox' });
    const error = await lastValueFrom(exec$({ command: 'echo ran' }, { ...options, accessToken })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ExecRequestError);
    expect((error as Error).message).toBe(
      'invalid exec request: accessToken: the access token provider failed: POST /sandboxes/no-such-sandbox/activate failed with 404 (not_found): sandbox not found',
    );
    expect((error as Error).cause).toMatchObject({
      name: 'ExecActivateError',
      status: 404,
      code: 'not_found',
    });
    expect(shown(error)).not.toContain(API_KEY);
  });

  it('fetches again after a failure instead of keeping it', async () => {
    const { options } = await sandboxWithKey();
    let fail = true;
    const counted = countingFetch();
    const provider = providerFor(options, {
      fetch: (input, init) => (fail ? Promise.reject(new TypeError('fetch failed')) : counted(input, init)),
    });
    await expect(provider({})).rejects.toMatchObject({
      name: 'ExecActivateError',
      message: 'POST /sandboxes/sbx-activate/activate failed: the request failed: fetch failed',
    });
    fail = false;
    await expect(provider({})).resolves.toBe(options.sandbox.currentAccessToken());
  });
});

describe('activateTokenProvider against a scripted control plane', () => {
  const json = (status: number, body: object) => [
    step.head(status, { 'content-type': 'application/json' }),
    step.write(JSON.stringify(body)),
    step.end(),
  ];
  const answer = { id: 'sbx', name: 'x', status: 'active', access_token: 'a'.repeat(64) };
  const conflict = { error: { code: 'conflict', message: 'sandbox is resuming' } };

  it('sends POST with X-API-Key and no body to {apiUrl}/sandboxes/{id}/activate, keeping a path prefix', async () => {
    server = await startFaultServer(json(200, answer));
    const provider = activateTokenProvider({
      apiKey: API_KEY,
      sandboxId: 'sbx 1',
      apiUrl: `${server.url}/v1/`,
    });
    await expect(provider({})).resolves.toBe(answer.access_token);
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', url: '/v1/sandboxes/sbx%201/activate', body: '' });
    expect(request?.headers['x-api-key']).toBe(API_KEY);
  });

  it('tries a 409 again after the given waits, and succeeds', async () => {
    server = await startFaultServer((_request, index) =>
      index < 2 ? json(409, conflict) : json(200, answer),
    );
    const provider = activateTokenProvider({
      apiKey: API_KEY,
      sandboxId: 'sbx',
      apiUrl: server.url,
      conflictRetryDelaysMs: [1, 1, 1],
    });
    await expect(provider({})).resolves.toBe(answer.access_token);
    expect(server.requests).toHaveLength(3);
  });

  it('gives up on a 409 after the last wait, with the status and code kept', async () => {
    server = await startFaultServer(json(409, conflict));
    const provider = activateTokenProvider({
      apiKey: API_KEY,
      sandboxId: 'sbx',
      apiUrl: server.url,
      conflictRetryDelaysMs: [1, 1],
    });
    await expect(provider({})).rejects.toMatchObject({
      status: 409,
      code: 'conflict',
      message: 'POST /sandboxes/sbx/activate failed with 409 (conflict): sandbox is resuming',
    });
    expect(server.requests).toHaveLength(3);
  });

  it.each([
    [
      'a 500 envelope',
      json(500, { error: { code: 'internal_error', message: 'boom' } }),
      { status: 500, code: 'internal_error' },
      'failed with 500 (internal_error): boom',
    ],
    [
      'a plain-text 502',
      [step.head(502, { 'content-type': 'text/plain' }), step.write('bad gateway\nmore'), step.end()],
      { status: 502 },
      'failed with 502: bad gateway',
    ],
    [
      'a 200 without access_token',
      json(200, { id: 'sbx' }),
      { status: 200 },
      'failed with 200: the answer has no usable access_token',
    ],
    [
      'a 200 that is not JSON',
      [step.head(200), step.write('<html>'), step.end()],
      { status: 200 },
      'failed with 200: the answer has no usable access_token',
    ],
    [
      'a redirect (never followed: the key would go along)',
      [step.head(302, { location: 'http://127.0.0.1:9/steal' }), step.end()],
      { status: 302 },
      'failed with 302: Found',
    ],
  ])('fails on %s with ExecActivateError', async (_name, script, fields, message) => {
    server = await startFaultServer(script);
    const provider = activateTokenProvider({
      apiKey: API_KEY,
      sandboxId: 'sbx',
      apiUrl: server.url,
      conflictRetryDelaysMs: [],
    });
    const error = await Promise.resolve(provider({})).catch((e: unknown) => e);
    expect(isExecActivateError(error)).toBe(true);
    expect(error).toMatchObject(fields);
    expect((error as Error).message).toBe(`POST /sandboxes/sbx/activate ${message}`);
    expect(server.requests).toHaveLength(1);
  });

  it('redacts the API key should the control plane echo it', async () => {
    server = await startFaultServer(
      json(401, { error: { code: 'unauthorized', message: `bad key ${API_KEY}` } }),
    );
    const provider = activateTokenProvider({ apiKey: API_KEY, sandboxId: 'sbx', apiUrl: server.url });
    const error = await Promise.resolve(provider({})).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      'POST /sandboxes/sbx/activate failed with 401 (unauthorized): bad key [redacted]',
    );
    expect(shown(error)).not.toContain(API_KEY);
  });

  it('fails when no answer comes within timeoutMs, and closes the request', async () => {
    server = await startFaultServer([step.stall()]);
    const provider = activateTokenProvider({
      apiKey: API_KEY,
      sandboxId: 'sbx',
      apiUrl: server.url,
      timeoutMs: 50,
    });
    const error = await Promise.resolve(provider({})).catch((e: unknown) => e);
    expect(error).toMatchObject({ message: 'POST /sandboxes/sbx/activate failed: no answer within 50 ms' });
    expect((error as ExecActivateError).status).toBeUndefined();
    await server.requests[0]?.closed;
    expect(server.requests[0]?.closedBy).toBe('client');
  });

  it('fails when the control plane cannot be reached, with the cause', async () => {
    const port = await unusedPort();
    const provider = activateTokenProvider({
      apiKey: API_KEY,
      sandboxId: 'sbx',
      apiUrl: `http://127.0.0.1:${port}`,
    });
    const error = await Promise.resolve(provider({})).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      'POST /sandboxes/sbx/activate failed: the request failed: fetch failed (ECONNREFUSED)',
    );
    expect((error as Error).cause).toMatchObject({ name: 'TypeError', message: 'fetch failed' });
  });

  it('uses https://api.superserve.ai by default', async () => {
    const urls: string[] = [];
    const provider = activateTokenProvider({
      apiKey: API_KEY,
      sandboxId: 'sbx',
      fetch: (input) => {
        urls.push(String(input));
        return Promise.resolve(Response.json(answer));
      },
    });
    await provider({});
    expect(urls).toEqual(['https://api.superserve.ai/sandboxes/sbx/activate']);
  });
});

describe('activateTokenProvider configuration', () => {
  it.each([
    [
      'no API key',
      { sandboxId: 'x' },
      'activateTokenProvider: apiKey must be non-empty printable ASCII with no spaces',
    ],
    [
      'an API key with a space',
      { apiKey: 'secret key', sandboxId: 'x' },
      'activateTokenProvider: apiKey must be non-empty printable ASCII with no spaces',
    ],
    ['no sandbox id', { apiKey: 'k' }, 'activateTokenProvider: sandboxId must be a non-empty string'],
    [
      'an apiUrl that is not a URL',
      { apiKey: 'k', sandboxId: 'x', apiUrl: 'api.superserve.ai' },
      'activateTokenProvider: apiUrl must be an absolute http(s) URL',
    ],
    [
      'an ftp apiUrl',
      { apiKey: 'k', sandboxId: 'x', apiUrl: 'ftp://api' },
      'activateTokenProvider: apiUrl must be an absolute http(s) URL',
    ],
    [
      'negative waits',
      { apiKey: 'k', sandboxId: 'x', conflictRetryDelaysMs: [-1] },
      'activateTokenProvider: conflictRetryDelaysMs must be an array of non-negative integers',
    ],
    [
      'a zero timeout',
      { apiKey: 'k', sandboxId: 'x', timeoutMs: 0 },
      'activateTokenProvider: timeoutMs must be a positive integer, got 0',
    ],
  ])('refuses %s at once with a TypeError that shows no secret', (_name, config, message) => {
    expect(() => activateTokenProvider(config as ActivateTokenProviderConfig)).toThrow(
      new TypeError(message),
    );
  });
});

describe('ExecActivateError', () => {
  it('is an ExecStreamError with its own guard that survives a second copy of the package', () => {
    const error = new ExecActivateError({
      sandboxId: 'sbx',
      status: 404,
      code: 'not_found',
      detail: 'sandbox not found',
    });
    expect(error).toBeInstanceOf(ExecStreamError);
    expect(String(error)).toBe(
      'ExecActivateError: POST /sandboxes/sbx/activate failed with 404 (not_found): sandbox not found',
    );
    expect(isExecStreamError(error)).toBe(true);
    expect(isExecActivateError(Object.assign(new Error('x'), { name: 'ExecActivateError' }))).toBe(true);
    expect(isExecActivateError(new Error('x'))).toBe(false);
    expect(JSON.stringify(error)).toBe(
      '{"name":"ExecActivateError","sandboxId":"sbx","status":404,"code":"not_found"}',
    );
  });
});
