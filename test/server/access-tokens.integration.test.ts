import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, of, toArray } from 'rxjs';
import WebSocket from 'ws';
import {
  type AccessTokenProvider,
  cachedTokenProvider,
  collectOutput,
  exec$,
  execAll$,
  ExecHttpError,
  type ExecOptions,
  execSession$,
  isExecHttpError,
  stdoutText,
} from 'superserve-rx';
import { startLocalSandbox } from 'superserve-rx/server';
import { localSandboxes, post, type SandboxOptions } from '../helpers/local-sandbox';
import { dial, resultOf } from '../helpers/ws-session';

const WINDOW_MS = 60_000;
const API_KEY = 'local-api-key-7e19c2d04b';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'superserve-rx-tokens-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const sandboxes = localSandboxes();
afterEach(() => sandboxes.closeAll());

/** A clock the test moves: token windows pass in an instant. */
function testClock(start = Date.UTC(2026, 10, 7, 5, 0, 0)) {
  let now = start;
  return { now: () => now, pass: (ms: number) => void (now += ms) };
}

/** A local sandbox whose tokens expire after one to two windows of the test's clock. */
async function expiring(extra: object = {}) {
  const clock = testClock();
  const options = await sandboxes.start({ tokenTtlMs: WINDOW_MS, clock: clock.now, ...extra });
  return { clock, options, sandbox: options.sandbox };
}

const run = (options: ExecOptions, command = 'echo ran') =>
  lastValueFrom(exec$({ command }, options).pipe(collectOutput()));

/** The status each endpoint answers a request or a dial with `token`. */
async function statuses(options: SandboxOptions, token: string): Promise<number[]> {
  const stream = await post({ ...options, accessToken: token }, { body: '{"command":"true"}' });
  await stream.text();
  const sync = await post({ ...options, accessToken: token }, { path: '/exec', body: '{"command":"true"}' });
  await sync.text();
  const session = dial({ url: options.sandbox.url, accessToken: token });
  const handshake = await session.handshake;
  session.ws.terminate();
  await session.closed;
  return [stream.status, sync.status, handshake.opened ? 101 : handshake.status];
}

describe('a local sandbox whose tokens expire (tokenTtlMs)', () => {
  it('mints 64 hex characters bound to the window, and accessToken is the first one', async () => {
    const { clock, sandbox } = await expiring();
    expect(sandbox.accessToken).toMatch(/^[0-9a-f]{64}$/);
    expect(sandbox.currentAccessToken()).toBe(sandbox.accessToken);
    clock.pass(WINDOW_MS);
    expect(sandbox.currentAccessToken()).toMatch(/^[0-9a-f]{64}$/);
    expect(sandbox.currentAccessToken()).not.toBe(sandbox.accessToken);
  });

  it('accepts a token in its own window and the next on all three endpoints, and refuses it after', async () => {
    const { clock, options, sandbox } = await expiring();
    const first = sandbox.accessToken;
    expect(await statuses(options, first)).toEqual([200, 200, 101]);
    clock.pass(WINDOW_MS);
    expect(await statuses(options, first)).toEqual([200, 200, 101]);
    clock.pass(WINDOW_MS);
    expect(await statuses(options, first)).toEqual([401, 401, 401]);
    expect(await statuses(options, sandbox.currentAccessToken())).toEqual([200, 200, 101]);
  });

  it('answers an expired token with the service’s 401 text on each endpoint', async () => {
    const { clock, options, sandbox } = await expiring();
    clock.pass(2 * WINDOW_MS);
    const stale = { ...options, accessToken: sandbox.accessToken };
    const stream = await post(stale, { body: '{"command":"true"}' });
    expect([stream.status, await stream.text()]).toEqual([401, 'invalid access token\n']);
    const session = dial({ url: sandbox.url, accessToken: sandbox.accessToken });
    expect(await session.handshake).toEqual({ opened: false, status: 401, body: 'invalid access token\n' });
  });

  it('keeps streaming a run started with a valid token past its expiry: the token is checked at the start only', async () => {
    const { clock, options, sandbox } = await expiring();
    const go = join(dir, 'go');
    const output: string[] = [];
    let sawStart: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (sawStart = resolve));
    const done = new Promise<void>((resolve, reject) =>
      exec$(
        {
          command: `echo started; while [ ! -e "${go}" ]; do sleep 0.05; done; echo after expiry`,
          timeout_s: 60,
        },
        options,
      )
        .pipe(stdoutText())
        .subscribe({
          next: (text) => {
            output.push(text);
            if (output.join('').startsWith('started\n')) sawStart();
          },
          error: reject,
          complete: resolve,
        }),
    );
    await started;
    clock.pass(3 * WINDOW_MS);
    // The token has really expired: a new request with it is refused while the run goes on.
    expect((await statuses(options, sandbox.accessToken))[0]).toBe(401);
    await writeFile(go, '');
    await done;
    expect(output.join('')).toBe('started\nafter expiry\n');
  });

  it('keeps a session opened with a valid token past its expiry', async () => {
    const { clock, sandbox } = await expiring();
    const session = dial({ url: sandbox.url, accessToken: sandbox.accessToken });
    expect(await session.handshake).toMatchObject({ opened: true });
    clock.pass(3 * WINDOW_MS);
    session.ws.send(JSON.stringify({ command: 'echo still here' }));
    const result = resultOf(session, await session.closed);
    expect(result.stdout.toString()).toBe('still here\n');
    expect(result.terminal).toEqual({ exit_code: 0, finished: true });
  });

  it('with a string token started after expiry: ExecHttpError 401, one request', async () => {
    const { clock, options, sandbox } = await expiring();
    clock.pass(2 * WINDOW_MS);
    const error = await run({ ...options, accessToken: sandbox.accessToken }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExecHttpError);
    expect(error).toMatchObject({
      status: 401,
      message: 'POST /exec/stream failed with 401: invalid access token',
    });
  });

  it('with a provider started after expiry: succeeds through one refresh', async () => {
    const { clock, options, sandbox } = await expiring();
    const asked: Array<{ rejected?: string }> = [];
    const provider = cachedTokenProvider((context) => {
      asked.push(context);
      return sandbox.currentAccessToken();
    });
    await expect(run({ ...options, accessToken: provider })).resolves.toMatchObject({
      stdout: 'ran\n',
      exitCode: 0,
    });
    clock.pass(2 * WINDOW_MS);
    await expect(run({ ...options, accessToken: provider })).resolves.toMatchObject({
      stdout: 'ran\n',
      exitCode: 0,
    });
    expect(asked).toEqual([{}, { rejected: sandbox.accessToken }]);
  });

  it('20 concurrent runs after expiry make one { rejected } provider call', async () => {
    const { clock, options, sandbox } = await expiring();
    const stale = sandbox.accessToken;
    clock.pass(2 * WINDOW_MS);
    const calls: Array<{ rejected?: string }> = [];
    const provider: AccessTokenProvider = (context) => {
      calls.push(context);
      return context.rejected === undefined ? stale : sandbox.currentAccessToken();
    };
    const runs = Array.from({ length: 20 }, (_, index) => ({ request: { command: `echo ${index}` } }));
    const events = await lastValueFrom(
      execAll$(runs, { concurrency: 20, options: { ...options, accessToken: provider } }).pipe(toArray()),
    );
    expect(events.filter(({ event }) => event.type === 'finished')).toHaveLength(20);
    expect(events.filter(({ event }) => event.type === 'error')).toEqual([]);
    expect(calls.filter((context) => context.rejected !== undefined)).toEqual([{ rejected: stale }]);
    expect(calls.filter((context) => context.rejected === undefined)).toHaveLength(20);
  });

  describe('a session dialled after expiry', () => {
    const session = (options: ExecOptions, accessToken: string | AccessTokenProvider) =>
      lastValueFrom(
        execSession$(
          { command: 'cat' },
          { stdin: of('through\n') },
          { ...options, accessToken, webSocket: WebSocket },
        ).pipe(collectOutput()),
      );

    it('with a provider: the refused handshake (401) is refreshed once and the session runs', async () => {
      const { clock, options, sandbox } = await expiring();
      const stale = sandbox.accessToken;
      clock.pass(2 * WINDOW_MS);
      const asked: Array<{ rejected?: string }> = [];
      const provider: AccessTokenProvider = (context) => {
        asked.push(context);
        return context.rejected === undefined ? stale : sandbox.currentAccessToken();
      };
      await expect(session(options, provider)).resolves.toMatchObject({ stdout: 'through\n', exitCode: 0 });
      expect(asked).toEqual([{}, { rejected: stale }]);
    });

    it('with a string: ExecHttpError 401, never retried; a provider rejected twice: the second 401', async () => {
      const { clock, options, sandbox } = await expiring();
      const stale = sandbox.accessToken;
      clock.pass(2 * WINDOW_MS);
      const string = await session(options, stale).catch((e: unknown) => e);
      expect(isExecHttpError(string) && string.status).toBe(401);
      let calls = 0;
      const stubborn: AccessTokenProvider = () => {
        calls++;
        return calls === 1 ? stale : `${'0'.repeat(63)}1`;
      };
      const twice = await session(options, stubborn).catch((e: unknown) => e);
      expect(isExecHttpError(twice) && twice.status).toBe(401);
      expect(calls).toBe(2);
      expect(String(twice)).not.toContain(stale);
    });

    it('through a WebSocket that hides the status (a browser): any refusal before the open is refreshed once', async () => {
      const { clock, options, sandbox } = await expiring();
      const stale = sandbox.accessToken;
      clock.pass(2 * WINDOW_MS);
      const asked: Array<{ rejected?: string }> = [];
      const provider: AccessTokenProvider = (context) => {
        asked.push(context);
        return context.rejected === undefined ? stale : sandbox.currentAccessToken();
      };
      // The ws package's WebSocket without its `on`: errors and closes only, as in browsers.
      const Hidden = class extends WebSocket {
        override on(event: string, listener: (...args: never[]) => void): this {
          return event === 'unexpected-response' ? this : super.on(event, listener as never);
        }
      };
      const output = await lastValueFrom(
        execSession$(
          { command: 'echo ok' },
          {},
          { ...options, accessToken: provider, webSocket: Hidden },
        ).pipe(collectOutput()),
      );
      expect(output.stdout).toBe('ok\n');
      expect(asked).toEqual([{}, { rejected: stale }]);
    });

    it('20 concurrent sessions after expiry make one { rejected } provider call', async () => {
      const { clock, options, sandbox } = await expiring();
      const stale = sandbox.accessToken;
      clock.pass(2 * WINDOW_MS);
      const calls: Array<{ rejected?: string }> = [];
      const provider: AccessTokenProvider = (context) => {
        calls.push(context);
        return context.rejected === undefined ? stale : sandbox.currentAccessToken();
      };
      const outputs = await Promise.all(Array.from({ length: 20 }, () => session(options, provider)));
      expect(outputs.every((output) => output.stdout === 'through\n')).toBe(true);
      expect(calls.filter((context) => context.rejected !== undefined)).toEqual([{ rejected: stale }]);
    });
  });

  it.each([
    ['tokenTtlMs 0', { tokenTtlMs: 0 }, 'startLocalSandbox: tokenTtlMs must be a positive integer, got 0'],
    [
      'a fractional tokenTtlMs',
      { tokenTtlMs: 1.5 },
      'startLocalSandbox: tokenTtlMs must be a positive integer, got 1.5',
    ],
    [
      'a fixed accessToken with tokenTtlMs',
      { tokenTtlMs: 1000, accessToken: 'fixed-secret-token' },
      'startLocalSandbox: accessToken and tokenTtlMs exclude each other: with tokenTtlMs, tokens are minted',
    ],
    [
      'a clock that is not a function',
      { clock: 5 },
      'startLocalSandbox: clock must be a function returning milliseconds since the epoch',
    ],
    [
      'an API key with a space',
      { apiKey: 'secret key' },
      'startLocalSandbox: apiKey must be non-empty printable ASCII with no spaces',
    ],
    [
      'a sandbox id with a slash',
      { sandboxId: 'a/b' },
      'startLocalSandbox: sandboxId must be 1 to 128 letters, digits, ".", "_" or "-"',
    ],
  ])('refuses %s with a TypeError that shows no secret', async (_name, options, message) => {
    await expect(startLocalSandbox(options as never)).rejects.toThrow(new TypeError(message));
  });

  it('without tokenTtlMs keeps one token that never expires, under any clock', async () => {
    const clock = testClock();
    const options = await sandboxes.start({ clock: clock.now });
    clock.pass(1000 * WINDOW_MS);
    expect(options.sandbox.currentAccessToken()).toBe(options.accessToken);
    await expect(run(options)).resolves.toMatchObject({ exitCode: 0 });
    expect(options.sandbox.sandboxId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('POST /sandboxes/{id}/activate on the local sandbox (apiKey)', () => {
  const activate = (options: SandboxOptions, init: RequestInit & { id?: string } = {}) =>
    fetch(`${options.sandbox.url}/sandboxes/${init.id ?? options.sandbox.sandboxId}/activate`, {
      method: 'POST',
      headers: { 'x-api-key': API_KEY },
      ...init,
    });

  it('answers the sandbox as JSON with a fresh access_token that works, never cached', async () => {
    const { clock, options, sandbox } = await expiring({ apiKey: API_KEY, sandboxId: 'sbx-local-1' });
    clock.pass(2 * WINDOW_MS);
    const response = await activate(options);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({
      id: 'sbx-local-1',
      name: 'local-sandbox',
      status: 'active',
      access_token: sandbox.currentAccessToken(),
    });
    expect(body.access_token).not.toBe(sandbox.accessToken);
    await expect(run({ ...options, accessToken: body.access_token as string })).resolves.toMatchObject({
      exitCode: 0,
    });
  });

  it('gives the fixed token when tokens do not expire', async () => {
    const options = await sandboxes.start({ apiKey: API_KEY });
    const body = (await (await activate(options)).json()) as { access_token: string };
    expect(body.access_token).toBe(options.accessToken);
  });

  it.each([
    ['a wrong key', { headers: { 'x-api-key': 'wrong-key' } }, 401, 'unauthorized', 'invalid API key'],
    ['no key', { headers: {} }, 401, 'unauthorized', 'missing X-API-Key header'],
    ['another sandbox id', { id: 'someone-else' }, 404, 'not_found', 'sandbox not found'],
    ['GET', { method: 'GET' }, 405, 'method_not_allowed', 'method not allowed'],
    ['a preflight', { method: 'OPTIONS' }, 405, 'method_not_allowed', 'method not allowed'],
  ])('answers %s with the control plane’s JSON envelope', async (_name, init, status, code, message) => {
    const options = await sandboxes.start({ apiKey: API_KEY, cors: ['*'] });
    const response = await activate(options, init as RequestInit);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/json');
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: { code, message } });
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain(options.accessToken);
  });

  it('is not there without an apiKey: 404, as any unknown path', async () => {
    const options = await sandboxes.start();
    const response = await activate(options);
    expect([response.status, await response.text()]).toEqual([404, 'not found\n']);
  });
});
