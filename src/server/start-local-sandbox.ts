import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { isUsableAccessToken } from '../tokens/access-token-attempt.js';
import { ACTIVATE_PATH, activateEndpoint } from './activate-endpoint.js';
import { createAccessTokens, digest } from './create-access-tokens.js';
import { createCorsPolicy } from './create-cors-policy.js';
import { createRunRegistry } from './create-run-registry.js';
import { createExecConnectEndpoint } from './exec-connect-endpoint.js';
import { execEndpoint } from './exec-endpoint.js';
import { execStreamEndpoint } from './exec-stream-endpoint.js';
import { filesEndpoint } from './files-endpoint.js';
import { createTerminalEndpoint } from './terminal-endpoint.js';
import {
  KEEPALIVE_INTERVAL_MS,
  MAX_SESSION_FRAME_BYTES,
  MAX_UPLOAD_BYTES,
  MAX_ZIP_BYTES,
  MAX_ZIP_ENTRIES,
  MAX_TIMER_MS,
  SESSION_PING_INTERVAL_MS,
  SESSION_START_TIMEOUT_MS,
  TERMINAL_IDLE_MS,
  TERMINAL_MAX_MS,
} from './protocol-constants.js';
import { replyText } from './reply-text.js';
import type { SandboxContext } from './sandbox-context.js';

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
   * The token clients must send: as `X-Access-Token`, or, on `/exec/connect`, as the
   * subprotocol `token.<value>`. Not with `tokenTtlMs`, under which tokens are minted.
   * @defaultValue 32 random bytes, hex
   */
  readonly accessToken?: string;
  /**
   * Makes tokens expire as the service's do: each is 64 hex characters, an HMAC over the
   * sandbox id and the window `floor(now / tokenTtlMs)`, accepted in its own window and the
   * next (so it lives between one and two `tokenTtlMs`). The token is checked when a request
   * or a session starts only: a run outlives its token. `accessToken` is then the token of the
   * window the sandbox started in; `currentAccessToken()` and the activate endpoint (with
   * `apiKey`) give fresh ones. The service's window is an hour (3,600,000).
   * @defaultValue unset: one fixed token that never expires
   */
  readonly tokenTtlMs?: number;
  /**
   * Enables `POST /sandboxes/{sandboxId}/activate` with this key as `X-API-Key`, answering as
   * the control plane does: 200 and the sandbox as JSON with a fresh `access_token`; 401 JSON
   * envelope (`unauthorized`) for a missing or wrong key; 404 (`not_found`) for another id.
   * @defaultValue unset: no activate endpoint (404)
   */
  readonly apiKey?: string;
  /**
   * The sandbox's id: the `{id}` of the activate endpoint, and what minted tokens are bound to.
   * Letters, digits, `.`, `_` and `-`.
   * @defaultValue a random UUID
   */
  readonly sandboxId?: string;
  /**
   * The clock tokens are minted and checked by, in milliseconds since the epoch: a test can
   * move it to cross token windows without waiting.
   * @defaultValue `Date.now`
   */
  readonly clock?: () => number;
  /**
   * The interval of `: keepalive` comments on every stream.
   * @defaultValue 15000
   */
  readonly keepaliveMs?: number;
  /**
   * The most runs at once (streams, sync execs and sessions together, each for its whole
   * life); more get 429.
   * @defaultValue 32
   */
  readonly maxConcurrent?: number;
  /**
   * The largest request body of `POST /exec/stream` and `POST /exec`; larger gets 413.
   * @defaultValue 1 MiB
   */
  readonly maxBodyBytes?: number;
  /**
   * The largest file `POST /files` takes; larger gets 413 `request body too large`.
   * @defaultValue 4 GiB, as the service
   */
  readonly maxUploadBytes?: number;
  /**
   * The most entries of a `GET /files?format=zip` archive; past it the archive silently ends,
   * still valid.
   * @defaultValue 100,000, as the service
   */
  readonly maxZipEntries?: number;
  /**
   * The most file bytes of a `GET /files?format=zip` archive; past it the archive silently
   * ends, still valid.
   * @defaultValue 2 GiB, as the service
   */
  readonly maxZipBytes?: number;
  /**
   * The largest frame a `/exec/connect` client may send, the start frame included; larger
   * closes the session with 1009 and kills the command.
   * @defaultValue 4 MiB
   */
  readonly maxFrameBytes?: number;
  /**
   * How long a `/exec/connect` client may take to send its start frame before the socket is
   * dropped.
   * @defaultValue 10000
   */
  readonly sessionStartTimeoutMs?: number;
  /**
   * How often `/exec/connect` sessions are pinged; a client that does not answer within 10 s
   * (or this interval, if shorter) is dropped and its command killed.
   * @defaultValue 30000
   */
  readonly pingIntervalMs?: number;
  /**
   * The most milliseconds a client may take to send the request headers; a slower one gets 408
   * and is disconnected.
   * @defaultValue 10000
   */
  readonly headersTimeoutMs?: number;
  /**
   * The most milliseconds a client may take to send the body of `POST /exec/stream` or
   * `POST /exec` once its headers are in; a slower one gets 408 and is disconnected. The
   * response stream has no such limit. A `POST /files` upload has no deadline (1 GiB at 30 MB/s
   * takes 35 s): it is dropped, and its file removed, when its body pauses this long.
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
   * needs the token. Credentials are never allowed. A WebSocket handshake whose `Origin` is
   * not allowed gets 403 (handshakes without one, from Node, are fine).
   * @defaultValue `[]` (CORS off)
   */
  readonly cors?: ReadonlyArray<string>;
  /**
   * The shell `/terminal` starts, with no arguments, in a pseudo-terminal (a test may name
   * another; the service always runs `/bin/bash`).
   * @defaultValue `/bin/bash`
   */
  readonly terminalShell?: string;
  /**
   * How long a `/terminal` connection may go with no data message in either direction before
   * it is cut (no close frame) and its shell killed, as on the service.
   * @defaultValue 600000 (10 minutes)
   */
  readonly terminalIdleMs?: number;
  /**
   * How long a `/terminal` connection may last before it is cut (no close frame) and its shell
   * killed, as on the service.
   * @defaultValue 14400000 (4 hours)
   */
  readonly terminalMaxMs?: number;
}

/** A running local sandbox. */
export interface LocalSandbox {
  /** Its base URL, e.g. `http://127.0.0.1:43117`: pass it as `baseUrl`. */
  readonly url: string;
  /**
   * The token it requires: pass it as `accessToken`. With `tokenTtlMs`, the token of the window
   * it started in, which expires like the service's.
   */
  readonly accessToken: string;
  /** Its id: `POST {url}/sandboxes/{sandboxId}/activate` gives fresh tokens (with `apiKey`). */
  readonly sandboxId: string;
  /** A token valid now: `accessToken`, or with `tokenTtlMs` the current window's. */
  currentAccessToken(): string;
  /**
   * Stops accepting connections, kills every running command's process group, and resolves
   * once every process has exited and every socket is closed.
   */
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Starts a local server that speaks the Superserve exec data plane as the service does, by
 * running real processes on this machine: `POST /exec/stream` (Server-Sent Events),
 * `GET /exec/connect` (an interactive WebSocket session), `GET /terminal` (a shell in a
 * pseudo-terminal, over a WebSocket) and `POST /exec` (one JSON answer), for
 * development, demos and tests with no account and no network. It runs commands as the current
 * user with no isolation: it is not a sandbox. It listens on loopback by default and always
 * requires its token.
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
  const sandboxId = options.sandboxId ?? randomUUID();
  const maxConcurrent = options.maxConcurrent ?? 32;
  const headersTimeout = options.headersTimeoutMs ?? 10_000;
  const requestTimeout = options.requestTimeoutMs ?? 30_000;
  const limits = {
    maxConcurrent,
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    maxFrameBytes: options.maxFrameBytes ?? MAX_SESSION_FRAME_BYTES,
    keepaliveMs: options.keepaliveMs ?? KEEPALIVE_INTERVAL_MS,
    sessionStartTimeoutMs: options.sessionStartTimeoutMs ?? SESSION_START_TIMEOUT_MS,
    pingIntervalMs: options.pingIntervalMs ?? SESSION_PING_INTERVAL_MS,
    headersTimeoutMs: headersTimeout,
    requestTimeoutMs: requestTimeout,
    maxUploadBytes: options.maxUploadBytes ?? MAX_UPLOAD_BYTES,
    maxZipEntries: options.maxZipEntries ?? MAX_ZIP_ENTRIES,
    maxZipBytes: options.maxZipBytes ?? MAX_ZIP_BYTES,
    terminalIdleMs: options.terminalIdleMs ?? TERMINAL_IDLE_MS,
    terminalMaxMs: options.terminalMaxMs ?? TERMINAL_MAX_MS,
  };
  checkOptions(options, sandboxId, limits);
  if (headersTimeout > requestTimeout) {
    throw new TypeError('startLocalSandbox: headersTimeoutMs must not exceed requestTimeoutMs');
  }
  if (!LOOPBACK.has(host)) {
    process.emitWarning(
      `superserve-rx local sandbox listening on ${host}: anyone who can reach it with the token can run commands as this user`,
      'SecurityWarning',
    );
  }
  const tokens = createAccessTokens({
    sandboxId,
    fixed: options.accessToken,
    ttlMs: options.tokenTtlMs,
    clock: options.clock ?? Date.now,
  });
  const apiKey = options.apiKey === undefined ? undefined : digest(options.apiKey);
  const context: SandboxContext = {
    ...limits,
    zipLimits: { maxEntries: limits.maxZipEntries, maxBytes: limits.maxZipBytes },
    sandboxId,
    baseEnv: options.env ?? process.env,
    workingDir: options.workingDir ?? process.cwd(),
    cors: createCorsPolicy(options.cors),
    authorize: tokens.authorize,
    currentToken: tokens.current,
    authorizeApiKey: (key) =>
      key === undefined || key === ''
        ? 'missing'
        : apiKey !== undefined && timingSafeEqual(digest(key), apiKey)
          ? 'ok'
          : 'invalid',
    runs: createRunRegistry(maxConcurrent),
  };
  const accessToken = tokens.current();
  const routes: Record<string, typeof execEndpoint> = {
    '/exec/stream': execStreamEndpoint,
    '/exec': execEndpoint,
    '/files': filesEndpoint,
  };
  const connect = createExecConnectEndpoint(context);
  const terminal = createTerminalEndpoint(context, {
    shell: options.terminalShell ?? '/bin/bash',
    idleMs: limits.terminalIdleMs,
    maxMs: limits.terminalMaxMs,
  });

  const server = createServer(
    {
      headersTimeout,
      // Node's whole-request deadline would cut off every large upload: POST bodies get their
      // own (acceptExecPost's deadline, the uploads' idle timeout) instead.
      requestTimeout: 0,
      // Node checks both timeouts only this often (by default every 30 s, which made a 10 s
      // header timeout up to 40 s in practice): check often enough to keep them.
      connectionsCheckingInterval: Math.min(1000, headersTimeout),
    },
    (request: IncomingMessage, response: ServerResponse) => {
      const path = pathOf(request);
      for (const [name, value] of Object.entries(context.cors.headers(request.headers.origin)))
        response.setHeader(name, value);
      const endpoint = routes[path];
      if (endpoint !== undefined) return void endpoint(request, response, context);
      if (apiKey !== undefined && ACTIVATE_PATH.test(path))
        return activateEndpoint(request, response, context);
      if (path === '/exec/connect' || path === '/terminal') {
        return replyText(response, 426, 'expected a WebSocket upgrade', { Upgrade: 'websocket' });
      }
      replyText(response, 404, 'not found');
    },
  );
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (pathOf(request) === '/exec/connect') return connect.upgrade(request, socket, head);
    if (pathOf(request) === '/terminal') return terminal.upgrade(request, socket, head);
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });

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
    sandboxId,
    currentAccessToken: tokens.current,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const finished = context.runs.closeAll();
      server.closeIdleConnections();
      await finished;
      server.closeAllConnections();
      await closed;
    },
  };
}

/** The request's path: a query string is ignored, as on the service (and never authenticates). */
function pathOf(request: IncomingMessage): string {
  return (request.url ?? '/').split('?', 1)[0]!;
}

function checkOptions(
  options: LocalSandboxOptions,
  sandboxId: string,
  positive: Readonly<Record<string, number>>,
): void {
  // Named, never shown: a malformed secret is still a secret.
  for (const name of ['accessToken', 'apiKey'] as const) {
    const value = options[name];
    if (value !== undefined && !isUsableAccessToken(value)) {
      throw new TypeError(`startLocalSandbox: ${name} must be non-empty printable ASCII with no spaces`);
    }
  }
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(sandboxId)) {
    throw new TypeError('startLocalSandbox: sandboxId must be 1 to 128 letters, digits, ".", "_" or "-"');
  }
  const ttl = options.tokenTtlMs;
  if (ttl !== undefined) {
    if (!(Number.isSafeInteger(ttl) && ttl > 0)) {
      throw new TypeError(`startLocalSandbox: tokenTtlMs must be a positive integer, got ${String(ttl)}`);
    }
    if (options.accessToken !== undefined) {
      throw new TypeError(
        'startLocalSandbox: accessToken and tokenTtlMs exclude each other: with tokenTtlMs, tokens are minted',
      );
    }
  }
  if (
    options.terminalShell !== undefined &&
    (typeof options.terminalShell !== 'string' || options.terminalShell === '')
  ) {
    throw new TypeError('startLocalSandbox: terminalShell must be the path of a shell');
  }
  if (options.clock !== undefined && typeof options.clock !== 'function') {
    throw new TypeError('startLocalSandbox: clock must be a function returning milliseconds since the epoch');
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
