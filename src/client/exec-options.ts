import type { ExecIssue } from '../errors/exec-issue.js';
import {
  EXEC_CONNECT_PATH,
  SUBPROTOCOL_TOKEN,
  SUBPROTOCOL_TOKEN_ISSUE,
} from '../session/session-protocol.js';
import type { AccessTokenProvider } from '../tokens/access-token-attempt.js';
import type { WebSocketConstructor } from './web-socket-like.js';
import type { XmlHttpRequestConstructor } from './xml-http-request-like.js';

/** The base URL used when neither `baseUrl` nor `SUPERSERVE_SANDBOX_URL` is set. */
export const DEFAULT_BASE_URL = 'https://sandbox.superserve.ai';

/** The endpoint's path below the base URL. */
export const EXEC_STREAM_PATH = '/exec/stream';

/** The files endpoint's path below the base URL. */
export const FILES_PATH = '/files';

/** Where and how `exec$` sends its request. */
export interface ExecOptions {
  /**
   * The sandbox service's base URL, e.g. `https://boxd-<id>.sandbox.superserve.ai` or a local
   * sandbox's `url`. In Node, falls back to the `SUPERSERVE_SANDBOX_URL` environment variable.
   * @defaultValue `https://sandbox.superserve.ai`
   */
  readonly baseUrl?: string;
  /**
   * The per-sandbox access token, sent as `X-Access-Token`, or a provider of tokens for tokens
   * that expire. In Node, falls back to the `SUPERSERVE_ACCESS_TOKEN` environment variable.
   * Required: without one no request is made. It never appears in an error, a log line or
   * `JSON.stringify` of anything this package makes.
   *
   * A provider is called with `{}` at the start of every attempt (each subscription, each
   * retry). When the service rejects its token before any event (401), it is called once more
   * with `{ rejected: token }` and the request is sent again, once, in the same subscription;
   * concurrent rejections of one token by one provider function share that call. A string
   * token is never retried. A provider that throws, rejects or gives something that is not a
   * non-empty string of printable ASCII with no spaces: `ExecRequestError`, nothing sent.
   */
  readonly accessToken?: string | AccessTokenProvider;
  /** The sandbox's id, sent as `X-Superserve-Sandbox-Id` (needed on the shared host only). */
  readonly sandboxId?: string;
  /**
   * The `fetch` to use: a test double, Angular's, a proxy's.
   * @defaultValue `globalThis.fetch`
   */
  readonly fetch?: typeof globalThis.fetch;
  /** Extra request headers. The protocol's own headers (`Content-Type`, `Accept`,
   * `X-Access-Token`, `X-Superserve-Sandbox-Id`) take precedence over these. */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * The most characters one unfinished SSE line or event may buffer before the stream errors
   * with `ExecProtocolError`: a guard against a server that never ends a line.
   * @defaultValue 8 Mi (8,388,608)
   */
  readonly maxEventLength?: number;
  /**
   * The WebSocket constructor `execSession$` and `terminal$` dial with: browsers and Node 22+ have one; on
   * Node 20 pass the `ws` package's (`import WebSocket from 'ws'`). Without one, `execSession$`
   * errors with `ExecRequestError` and dials nothing.
   * @defaultValue `globalThis.WebSocket`
   */
  readonly webSocket?: WebSocketConstructor;
  /**
   * The `XMLHttpRequest` constructor `writeFile$` uploads with, for progress where `fetch`
   * cannot stream a request body (browsers, over HTTP/1.1). Taken as `fetch` is: by default
   * `globalThis.XMLHttpRequest` when no `fetch` is given, so browsers report real upload
   * progress while Node (which has none) streams through `fetch`. Pass `null` to always use
   * `fetch`.
   * @defaultValue `globalThis.XMLHttpRequest` unless `fetch` is given
   */
  readonly xmlHttpRequest?: XmlHttpRequestConstructor | null;
  /**
   * The most bytes of stdin pushed by an `Observable` that may wait unsent in the socket; past
   * it the session errors with `ExecProtocolError` (pass stdin as an `AsyncIterable` or a
   * `ReadableStream` instead: those are pulled only as fast as the socket sends).
   * @defaultValue 16 MiB
   */
  readonly maxBufferedStdinBytes?: number;
}

/** The default of {@link ExecOptions.maxBufferedStdinBytes}: 16 MiB. */
export const DEFAULT_MAX_BUFFERED_STDIN_BYTES = 16 * 1024 * 1024;

/** {@link ExecOptions} with the defaults and environment fallbacks applied and checked. */
export interface ResolvedExecOptions {
  readonly url: string;
  readonly accessToken: string | AccessTokenProvider;
  readonly sandboxId?: string;
  readonly fetch: typeof globalThis.fetch;
  readonly headers: Readonly<Record<string, string>>;
  readonly maxEventLength?: number;
}

/**
 * Reads an environment variable in Node without importing `node:process`, so that this module
 * stays browser-safe; in a browser it is always `undefined`.
 */
function environment(name: string): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.[name];
  return value === '' ? undefined : value;
}

/**
 * Applies defaults and environment fallbacks and checks the options.
 *
 * @param options - What the caller gave.
 * @param path - The endpoint's path below the base URL.
 * @returns The resolved options, or the issues that make them unusable.
 */
export function resolveExecOptions(
  options: ExecOptions,
  path: string = EXEC_STREAM_PATH,
):
  | { readonly ok: true; readonly value: ResolvedExecOptions }
  | { readonly ok: false; readonly issues: ExecIssue[] } {
  const issues: ExecIssue[] = [];
  const accessToken = tokenOf(options, issues);
  const url = endpointUrl(baseUrlOf(options), path);
  if (url === undefined) {
    issues.push({ path: 'baseUrl', message: 'expected an absolute http(s) URL' });
  }
  const fetchImpl = options.fetch ?? (globalThis.fetch as typeof fetch | undefined);
  if (typeof fetchImpl !== 'function') {
    issues.push({ path: 'fetch', message: 'no fetch: pass options.fetch on a runtime without one' });
  }
  const max = options.maxEventLength;
  if (max !== undefined && !(Number.isSafeInteger(max) && max > 0)) {
    issues.push({ path: 'maxEventLength', message: 'expected a positive integer' });
  }
  if (issues.length > 0 || url === undefined || accessToken === undefined || fetchImpl === undefined) {
    return { ok: false, issues };
  }
  return {
    ok: true,
    value: {
      url,
      accessToken,
      // A bare global `fetch` must be called with `globalThis` as `this` in browsers.
      fetch: options.fetch ?? fetchImpl.bind(globalThis),
      headers: options.headers ?? {},
      ...(options.sandboxId !== undefined && { sandboxId: options.sandboxId }),
      ...(max !== undefined && { maxEventLength: max }),
    },
  };
}

/** {@link ExecOptions} resolved for `execSession$`. */
export interface ResolvedSessionOptions {
  /** The `ws:` or `wss:` URL of `/exec/connect`. */
  readonly url: string;
  readonly accessToken: string | AccessTokenProvider;
  readonly webSocket: WebSocketConstructor;
  readonly maxBufferedStdinBytes: number;
}

/**
 * Applies defaults and environment fallbacks for `execSession$` and checks the options: the
 * URL is the base URL's with `http:` made `ws:` and `https:` made `wss:`, a path prefix kept.
 * Browsers cannot set the sandbox-id header on a WebSocket, so with `sandboxId` on a shared
 * `*.superserve.ai` host the session dials the per-sandbox host `boxd-<id>.<host>`, as the
 * vendor SDK does.
 *
 * @param options - What the caller gave.
 * @param path - The endpoint's path: `/exec/connect`, or `/terminal` for `terminal$`.
 * @returns The resolved options, or the issues that make them unusable.
 */
export function resolveSessionOptions(
  options: ExecOptions,
  path: string = EXEC_CONNECT_PATH,
):
  | { readonly ok: true; readonly value: ResolvedSessionOptions }
  | { readonly ok: false; readonly issues: ExecIssue[] } {
  const issues: ExecIssue[] = [];
  const accessToken = tokenOf(options, issues);
  // A string token is checked now; a provider's, at each dial.
  if (typeof accessToken === 'string' && !SUBPROTOCOL_TOKEN.test(accessToken)) {
    issues.push({ path: 'accessToken', message: SUBPROTOCOL_TOKEN_ISSUE });
  }
  const url = sessionUrl(baseUrlOf(options), options.sandboxId, path);
  if (url === undefined) {
    issues.push({ path: 'baseUrl', message: 'expected an absolute http(s) URL' });
  } else if (url === INVALID_SANDBOX_ID) {
    issues.push({
      path: 'sandboxId',
      message: 'must be a host name label (letters, digits, -) to dial boxd-<id>',
    });
  }
  const webSocket = options.webSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (typeof webSocket !== 'function') {
    issues.push({
      path: 'webSocket',
      message:
        "no WebSocket: pass options.webSocket (on Node 20, the ws package's: import WebSocket from 'ws')",
    });
  }
  const max = options.maxBufferedStdinBytes ?? DEFAULT_MAX_BUFFERED_STDIN_BYTES;
  if (!(Number.isSafeInteger(max) && max > 0)) {
    issues.push({ path: 'maxBufferedStdinBytes', message: 'expected a positive integer' });
  }
  if (
    issues.length > 0 ||
    url === undefined ||
    url === INVALID_SANDBOX_ID ||
    accessToken === undefined ||
    webSocket === undefined
  ) {
    return { ok: false, issues };
  }
  return { ok: true, value: { url, accessToken, webSocket, maxBufferedStdinBytes: max } };
}

function tokenOf(options: ExecOptions, issues: ExecIssue[]): string | AccessTokenProvider | undefined {
  const accessToken = options.accessToken ?? environment('SUPERSERVE_ACCESS_TOKEN');
  if (accessToken === undefined || accessToken === '') {
    issues.push({
      path: 'accessToken',
      message: 'no access token: pass options.accessToken or set SUPERSERVE_ACCESS_TOKEN',
    });
    return undefined;
  }
  if (typeof accessToken !== 'string' && typeof accessToken !== 'function') {
    issues.push({
      path: 'accessToken',
      message: `expected a string or a function, got ${typeof accessToken}`,
    });
    return undefined;
  }
  return accessToken;
}

function baseUrlOf(options: ExecOptions): string {
  return options.baseUrl ?? environment('SUPERSERVE_SANDBOX_URL') ?? DEFAULT_BASE_URL;
}

function endpointUrl(baseUrl: string, path: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  parsed.pathname = `${parsed.pathname.replace(/\/+$/, '')}${path}`;
  return parsed.toString();
}

/** What {@link sessionUrl} returns for a `sandboxId` that cannot be a host name label. */
const INVALID_SANDBOX_ID = Symbol('invalid sandboxId');

function sessionUrl(
  baseUrl: string,
  sandboxId: string | undefined,
  path: string,
): string | typeof INVALID_SANDBOX_ID | undefined {
  const http = endpointUrl(baseUrl, path);
  if (http === undefined) return undefined;
  const url = new URL(http);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const shared =
    (url.hostname === 'superserve.ai' || url.hostname.endsWith('.superserve.ai')) &&
    !url.hostname.startsWith('boxd-');
  if (sandboxId === undefined || !shared) return url.toString();
  // A host name label: anything else could point the token at another host.
  if (!/^[a-z0-9-]{1,63}$/i.test(sandboxId)) return INVALID_SANDBOX_ID;
  url.hostname = `boxd-${sandboxId}.${url.hostname}`;
  return url.toString();
}
