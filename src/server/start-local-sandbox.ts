import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isLeft } from 'fp-ts/lib/Either.js';
import { decodeExecRequest } from '../codec/exec-request.js';
import { formatIssues } from '../errors/exec-issue.js';
import { createCorsPolicy } from './create-cors-policy.js';
import { KEEPALIVE_INTERVAL_MS, MAX_TIMER_MS } from './protocol-constants.js';
import { type ExecStreamRun, runExecStream } from './run-exec-stream.js';

/** Options of {@link startLocalSandbox}. */
export interface LocalSandboxOptions {
  /**
   * The interface to listen on. Anything but loopback exposes command execution to the
   * network, and a warning is emitted.
   * @defaultValue `127.0.0.1`
   */
  readonly host?: string;
  /**
   * The port; 0 picks a free one.
   * @defaultValue 0
   */
  readonly port?: number;
  /**
   * The token clients must send as `X-Access-Token`.
   * @defaultValue 32 random bytes, hex
   */
  readonly accessToken?: string;
  /**
   * The interval of `: keepalive` comments on every stream.
   * @defaultValue 15000
   */
  readonly keepaliveMs?: number;
  /**
   * The most streams at once; more get 429.
   * @defaultValue 32
   */
  readonly maxConcurrent?: number;
  /**
   * The largest request body; larger gets 413.
   * @defaultValue 1 MiB
   */
  readonly maxBodyBytes?: number;
  /**
   * The most milliseconds a client may take to send the request headers; a slower one gets 408
   * and is disconnected.
   * @defaultValue 10000
   */
  readonly headersTimeoutMs?: number;
  /**
   * The most milliseconds a client may take to send the whole request, headers and body; a
   * slower one gets 408 and is disconnected. The response stream has no such limit.
   * @defaultValue 30000
   */
  readonly requestTimeoutMs?: number;
  /**
   * The working directory of commands whose request gives none.
   * @defaultValue `process.cwd()`
   */
  readonly workingDir?: string;
  /**
   * The environment commands start from; each request's `env` is merged over it.
   * @defaultValue `process.env`
   */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Browser origins allowed to call the sandbox (`http://localhost:5173`), or `['*']` for any.
   * Preflights are answered without a token and never run a command; the actual request still
   * needs the token. Credentials are never allowed.
   * @defaultValue `[]` (CORS off)
   */
  readonly cors?: ReadonlyArray<string>;
}

/** A running local sandbox. */
export interface LocalSandbox {
  /** Its base URL, e.g. `http://127.0.0.1:43117`: pass it as `baseUrl`. */
  readonly url: string;
  /** The token it requires: pass it as `accessToken`. */
  readonly accessToken: string;
  /**
   * Stops accepting connections, kills every running command's process group, and resolves
   * once every process has exited and every socket is closed.
   */
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Starts a local server that speaks `POST /exec/stream` as the Superserve service does, by
 * running real processes on this machine: for development, demos and tests with no account
 * and no network. It runs commands as the current user with no isolation: it is not a
 * sandbox. It listens on loopback by default and always requires its token.
 *
 * @param options - Where to listen and how to run commands.
 * @example
 * ```ts
 * import { exec$, stdoutText } from 'superserve-rx';
 * import { startLocalSandbox } from 'superserve-rx/server';
 *
 * const sandbox = await startLocalSandbox();
 * exec$({ command: 'uname -a' }, { baseUrl: sandbox.url, accessToken: sandbox.accessToken })
 *   .pipe(stdoutText())
 *   .subscribe({ next: console.log, complete: () => void sandbox.close() });
 * ```
 */
export async function startLocalSandbox(options: LocalSandboxOptions = {}): Promise<LocalSandbox> {
  const host = options.host ?? '127.0.0.1';
  const accessToken = options.accessToken ?? randomBytes(32).toString('hex');
  const maxConcurrent = options.maxConcurrent ?? 32;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const context = {
    baseEnv: options.env ?? process.env,
    workingDir: options.workingDir ?? process.cwd(),
    keepaliveMs: options.keepaliveMs ?? KEEPALIVE_INTERVAL_MS,
  };
  const headersTimeout = options.headersTimeoutMs ?? 10_000;
  const requestTimeout = options.requestTimeoutMs ?? 30_000;
  checkOptions(accessToken, {
    maxConcurrent,
    maxBodyBytes,
    keepaliveMs: context.keepaliveMs,
    headersTimeoutMs: headersTimeout,
    requestTimeoutMs: requestTimeout,
  });
  if (headersTimeout > requestTimeout) {
    throw new TypeError('startLocalSandbox: headersTimeoutMs must not exceed requestTimeoutMs');
  }
  const cors = createCorsPolicy(options.cors);
  if (!LOOPBACK.has(host)) {
    process.emitWarning(
      `superserve-rx local sandbox listening on ${host}: anyone who can reach it with the token can run commands as this user`,
      'SecurityWarning',
    );
  }
  const expected = digest(accessToken);
  const runs = new Set<ExecStreamRun>();
  let pending = 0;

  const server = createServer(
    {
      headersTimeout,
      requestTimeout,
      // Node checks both timeouts only this often (by default every 30 s, which made a 10 s
      // header timeout up to 40 s in practice): check often enough to keep them.
      connectionsCheckingInterval: Math.min(1000, headersTimeout),
    },
    (request, response) => {
      void handle(request, response);
    },
  );

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?', 1)[0];
    for (const [name, value] of Object.entries(cors.headers(request.headers.origin)))
      response.setHeader(name, value);
    if (path !== '/exec/stream') return reply(response, 404, 'not found');
    if (request.method === 'OPTIONS' && cors.enabled) return cors.preflight(request, response);
    if (request.method !== 'POST') return reply(response, 405, 'method not allowed', { Allow: 'POST' });
    const token = request.headers['x-access-token'];
    if (typeof token !== 'string' || token === '')
      return reply(response, 401, 'missing X-Access-Token header');
    if (!timingSafeEqual(digest(token), expected)) return reply(response, 401, 'invalid access token');
    if (runs.size + pending >= maxConcurrent) return reply(response, 429, 'too many connections to sandbox');
    pending++;
    let body: Buffer | undefined;
    try {
      body = await readBody(request, maxBodyBytes);
    } catch {
      // The client went away, or was cut off by the request timeout (Node has sent it 408),
      // in the middle of its body: there is no one left to answer.
      return;
    } finally {
      pending--;
    }
    if (body === undefined) return reply(response, 413, 'request body too large', { Connection: 'close' });
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      return reply(response, 400, 'invalid JSON body');
    }
    // The service reads `timeout_s: 0` as "the default".
    if (typeof json === 'object' && json !== null && (json as { timeout_s?: unknown }).timeout_s === 0) {
      delete (json as { timeout_s?: unknown }).timeout_s;
    }
    const decoded = decodeExecRequest(json, { rejectUnknownFields: false });
    if (isLeft(decoded)) {
      const commandMissing = decoded.left.some((issue) => issue.path === 'command') && !hasCommand(json);
      return reply(response, 400, commandMissing ? 'command is required' : formatIssues(decoded.left));
    }
    if (closing || response.destroyed) return reply(response, 503, 'sandbox is shutting down');
    const run = runExecStream(decoded.right, response, context);
    runs.add(run);
    void run.done.then(() => runs.delete(run));
  }

  let closing = false;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${urlHost}:${address.port}`,
    accessToken,
    close: async () => {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const finished = [...runs].map((run) => {
        run.abort();
        return run.done;
      });
      server.closeIdleConnections();
      await Promise.all(finished);
      server.closeAllConnections();
      await closed;
    },
  };
}

function checkOptions(token: string, positive: Readonly<Record<string, number>>): void {
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new TypeError('startLocalSandbox: accessToken must be non-empty printable ASCII with no spaces');
  }
  for (const [name, value] of Object.entries(positive)) {
    if (!(Number.isSafeInteger(value) && value > 0)) {
      throw new TypeError(`startLocalSandbox: ${name} must be a positive integer, got ${String(value)}`);
    }
    // Node runs a longer timer after 1 ms: a huge keepalive interval would flood every stream.
    if (name.endsWith('Ms') && value > MAX_TIMER_MS) {
      throw new TypeError(`startLocalSandbox: ${name} must be at most ${MAX_TIMER_MS} ms, got ${value}`);
    }
  }
}

function digest(text: string): Buffer {
  // Hashing first gives equal lengths, so the comparison takes the same time for any token.
  return createHash('sha256').update(text).digest();
}

function hasCommand(json: unknown): boolean {
  const command =
    typeof json === 'object' && json !== null ? (json as { command?: unknown }).command : undefined;
  return command !== undefined && command !== '';
}

/** Reads the body, or `undefined` once it is over `max` bytes (and stops reading it). */
async function readBody(request: IncomingMessage, max: number): Promise<Buffer | undefined> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > max) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function reply(
  response: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(`${text}\n`),
    ...headers,
  });
  response.end(`${text}\n`);
}
