import type * as NodeCrypto from 'node:crypto';
import { timingSafeEqual } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';
import { lastValueFrom } from 'rxjs';
import { collectOutput, exec$, ExecFailedError, ExecHttpError } from 'superserve-rx';
import { localSandboxes, post, type SandboxOptions } from '../helpers/local-sandbox';
import { waitFor } from '../helpers/processes';
import { rawClient } from '../helpers/raw-client';

// Node's own timingSafeEqual, wrapped so that the test can see what it compares.
jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof NodeCrypto>('node:crypto');
  return { ...actual, timingSafeEqual: jest.fn(actual.timingSafeEqual) };
});

const TOKEN = 'security-token-b8e2f0c3a91d4e57';
const sandboxes = localSandboxes();
afterEach(async () => {
  jest.restoreAllMocks();
  await sandboxes.closeAll();
});

const echo = (options: SandboxOptions, text: string) =>
  lastValueFrom(exec$({ command: 'echo', args: [text] }, options).pipe(collectOutput()));

/** Writes `line` every 50 ms until the socket closes, at most `times` times. */
function dribble(socket: Socket, line: () => string, times = 400): void {
  let sent = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || sent++ >= times) clearInterval(timer);
    else socket.write(line());
  }, 50);
  socket.on('close', () => clearInterval(timer));
}

/** The head of an authorised POST /exec/stream that declares `contentLength` body bytes. */
const postHead = (options: SandboxOptions, contentLength: number, headers = ''): string =>
  'POST /exec/stream HTTP/1.1\r\nHost: sandbox\r\nContent-Type: application/json\r\n' +
  `${headers}X-Access-Token: ${options.accessToken}\r\nContent-Length: ${contentLength}\r\n\r\n`;

const portOf = (options: SandboxOptions): number => Number(new URL(options.sandbox.url).port);

describe('where the local sandbox listens', () => {
  it('listens on 127.0.0.1 by default, with no warning', async () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const options = await sandboxes.start();
    expect(options.sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(warn).not.toHaveBeenCalled();
  });

  it('warns with a SecurityWarning for a host given explicitly, never naming the token', async () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const options = await sandboxes.start({ host: '127.0.0.2', accessToken: TOKEN });
    expect(options.sandbox.url).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
    expect(warn).toHaveBeenCalledTimes(1);
    const [message, type] = warn.mock.calls[0] as [string, string];
    expect(type).toBe('SecurityWarning');
    expect(message).toMatch(/listening on 127\.0\.0\.2: anyone who can reach it/);
    expect(message).not.toContain(TOKEN);
  });
});

describe('the access token', () => {
  it.each([
    ['no token header', undefined, 'missing X-Access-Token header'],
    ['an empty token', '', 'missing X-Access-Token header'],
    ['a wrong token of the same length', TOKEN.replace(/.$/, 'x'), 'invalid access token'],
    ['a prefix of the token', TOKEN.slice(0, 8), 'invalid access token'],
    ['the token and more', `${TOKEN}0`, 'invalid access token'],
    ['the token in upper case', TOKEN.toUpperCase(), 'invalid access token'],
  ])('%s: 401, and the answer never contains the token', async (_name, token, text) => {
    const options = await sandboxes.start({ accessToken: TOKEN });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token !== undefined) headers['x-access-token'] = token;
    const response = await post(options, { headers, body: '{"command":"true"}' });
    expect(response.status).toBe(401);
    const body = await response.text();
    expect(body).toBe(`${text}\n`);
    expect(body + JSON.stringify([...response.headers])).not.toContain(TOKEN);
  });

  it('is compared as two SHA-256 digests of equal length with timingSafeEqual, whatever was sent', async () => {
    const compare = jest.mocked(timingSafeEqual);
    compare.mockClear();
    const options = await sandboxes.start({ accessToken: TOKEN });
    for (const token of ['x', TOKEN.slice(1), `${TOKEN}${TOKEN}`]) {
      const response = await post(options, {
        headers: { 'x-access-token': token },
        body: '{"command":"true"}',
      });
      expect(response.status).toBe(401);
      await response.text();
    }
    expect(compare).toHaveBeenCalledTimes(3);
    for (const [a, b] of compare.mock.calls as Array<[Buffer, Buffer]>) {
      expect([a.length, b.length]).toEqual([32, 32]);
    }
    expect((await echo(options, 'in')).stdout).toBe('in\n');
  });

  it('a client with the wrong token gets ExecHttpError 401 that never contains either token', async () => {
    const options = await sandboxes.start({ accessToken: TOKEN });
    const wrong = 'wrong-token-0f9e8d7c6b5a';
    const error = await echo({ ...options, accessToken: wrong }, 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExecHttpError);
    const shown = `${String(error)} ${JSON.stringify(error)} ${(error as Error).stack}`;
    expect(shown).not.toContain(TOKEN);
    expect(shown).not.toContain(wrong);
  });
});

describe('the request body', () => {
  it('is capped even when sent chunked with no Content-Length: 413, and the server stops reading', async () => {
    const options = await sandboxes.start({ maxBodyBytes: 1000 });
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(`${options.baseUrl}/exec/stream`, {
        method: 'POST',
        headers: { 'x-access-token': options.accessToken!, 'transfer-encoding': 'chunked' },
      });
      request.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
        request.destroy();
      });
      request.on('error', reject);
      request.write(`{"command":"echo ${'x'.repeat(600)}`);
      request.write(`${'x'.repeat(600)}"}`);
    });
    expect(status).toBe(413);
    expect((await echo(options, 'after')).stdout).toBe('after\n');
  });

  it('declared over the cap with Content-Length: 413 at once, without waiting for the body', async () => {
    const options = await sandboxes.start({ maxBodyBytes: 1000 });
    const { socket, received } = rawClient(portOf(options));
    socket.write(postHead(options, 1001));
    expect(await received).toMatch(
      /^HTTP\/1\.1 413 Payload Too Large\r\n[^]*\r\n\r\nrequest body too large\n$/,
    );
    expect((await echo(options, 'after')).stdout).toBe('after\n');
  });

  it('still arriving, holds a concurrency slot: over maxConcurrent the next request is 429', async () => {
    const options = await sandboxes.start({ maxConcurrent: 1 });
    const body = '{"command":"echo","args":["slow body"]}';
    const { socket, received } = rawClient(portOf(options));
    socket.write(postHead(options, body.length, 'Connection: close\r\n') + body.slice(0, 10));
    await waitFor(
      async () => (await post(options, { body: '{"command":"true"}' })).status === 429,
      5000,
      'a 429 while the first body is unfinished',
    );
    // The run's terminal frame ends the response, and Connection: close then the socket.
    socket.write(body.slice(10));
    const stream = await received;
    expect(stream).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(stream).toContain('"stdout":"slow body\\n"');
    expect(stream).toContain('"exit_code":0');
    expect((await echo(options, 'after')).stdout).toBe('after\n');
  });

  it.each([
    ['command', { command: 'ec\u0000ho' }, 'command: expected a non-empty string without NUL bytes'],
    [
      'an argument',
      { command: 'echo', args: ['a', 'b\u0000'] },
      'args.1: expected a string without NUL bytes',
    ],
    [
      'an env value',
      { command: 'true', env: { A: 'x\u0000y' } },
      'env.A: expected a string without NUL bytes',
    ],
    ['an env name', { command: 'true', env: { 'A\u0000B': 'x' } }, 'expected an environment variable name'],
    [
      'working_dir',
      { command: 'true', working_dir: '/tmp\u0000/x' },
      'working_dir: expected a non-empty string',
    ],
  ])('a NUL byte in %s: 400 naming it, never a crash', async (_field, body, text) => {
    const options = await sandboxes.start();
    const response = await post(options, { body: JSON.stringify(body) });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain(text);
    expect((await echo(options, 'alive')).stdout).toBe('alive\n');
  });

  it.each([
    ['an empty env name', { command: 'true', env: { '': 'x' } }],
    ['an env name with =', { command: 'true', env: { 'A=B': 'x' } }],
    ['env not an object', { command: 'true', env: ['A=B'] }],
    ['args not strings', { command: 'echo', args: [1, null] }],
    ['timeout_s not an integer', { command: 'true', timeout_s: 1.5 }],
    ['a JSON array', [1, 2]],
    ['JSON null', null],
    ['a JSON number', 5],
    ['a JSON string', '"echo hi"'],
    ['deeply nested JSON', `${'['.repeat(100_000)}${']'.repeat(100_000)}`],
    ['deeply nested JSON objects', `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`],
  ])('%s: 400, never a crash', async (_name, body) => {
    const options = await sandboxes.start();
    const response = await post(options, { body: typeof body === 'string' ? body : JSON.stringify(body) });
    expect(response.status).toBe(400);
    await response.text();
    expect((await echo(options, 'alive')).stdout).toBe('alive\n');
  });

  it('an argument too long for the kernel (E2BIG): ExecFailedError, never a crash', async () => {
    const options = await sandboxes.start();
    const error = await echo(options, 'x'.repeat(200_000)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExecFailedError);
    expect(error).toMatchObject({ code: 'exec_failed', message: expect.stringMatching(/E2BIG/) });
    expect((await echo(options, 'alive')).stdout).toBe('alive\n');
  });
});

describe('slow and vanishing clients', () => {
  it('a client that sends its headers too slowly gets 408 and is disconnected', async () => {
    const options = await sandboxes.start({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
    const { socket, received } = rawClient(portOf(options));
    socket.write('POST /exec/stream HTTP/1.1\r\nHost: sandbox\r\n');
    let n = 0;
    dribble(socket, () => `X-Slow-${n++}: 1\r\n`);
    expect(await received).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect((await echo(options, 'alive')).stdout).toBe('alive\n');
  });

  it('a client that sends its body too slowly gets 408 and is disconnected, and the server goes on', async () => {
    const options = await sandboxes.start({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
    const { socket, received } = rawClient(portOf(options));
    socket.write(`${postHead(options, 1000)}{`);
    dribble(socket, () => ' ');
    expect(await received).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect((await echo(options, 'alive')).stdout).toBe('alive\n');
  });

  it('a client that disconnects in the middle of its body does not bring the server down', async () => {
    const options = await sandboxes.start();
    const { socket, received } = rawClient(portOf(options));
    socket.write(`${postHead(options, 1000)}{"command":`, () => socket.destroy());
    await received;
    expect((await echo(options, 'alive')).stdout).toBe('alive\n');
  });

  it('rejects timeouts that are not positive integers, or a header timeout over the request timeout', async () => {
    await expect(sandboxes.start({ headersTimeoutMs: 0 })).rejects.toThrow(
      /headersTimeoutMs must be a positive integer/,
    );
    await expect(sandboxes.start({ requestTimeoutMs: 1.5 })).rejects.toThrow(
      /requestTimeoutMs must be a positive integer/,
    );
    await expect(sandboxes.start({ headersTimeoutMs: 2000, requestTimeoutMs: 1000 })).rejects.toThrow(
      /headersTimeoutMs must not exceed requestTimeoutMs/,
    ); // Node would run a longer timer after 1 ms, flooding every stream with keepalives.
    await expect(sandboxes.start({ keepaliveMs: 3_000_000_000 })).rejects.toThrow(
      /keepaliveMs must be at most 2147483647 ms/,
    );
  });

  it('accepts the limits themselves: equal header and request timeouts, the longest timer Node honours', async () => {
    const options = await sandboxes.start({
      headersTimeoutMs: 1000,
      requestTimeoutMs: 1000,
      keepaliveMs: 2 ** 31 - 1,
      // Only timers are capped so: a byte or run limit may be larger.
      maxBodyBytes: 2 ** 32,
    });
    expect((await echo(options, 'at the limits')).stdout).toBe('at the limits\n');
  });

  it.each([
    ['that is empty', ''],
    ['with a space', 'two words'],
    ['with a control character', 'tok\nen'],
    ['that is not ASCII', 'tökén'],
  ])('rejects an access token %s, without echoing it', async (_name, token) => {
    const error = await sandboxes.start({ accessToken: token }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe(
      'startLocalSandbox: accessToken must be non-empty printable ASCII with no spaces',
    );
  });

  it('treats localhost as loopback: no warning', async () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const options = await sandboxes.start({ host: 'localhost' });
    expect(options.sandbox.url).toMatch(/^http:\/\/(127\.0\.0\.1|\[::1\]):\d+$/);
    expect((await echo(options, 'local')).stdout).toBe('local\n');
    expect(warn).not.toHaveBeenCalled();
  });
});
