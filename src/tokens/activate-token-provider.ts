import { type AccessTokenProvider, isUsableAccessToken } from './access-token-attempt.js';
import { cachedTokenProvider } from './cached-token-provider.js';
import { redactSecret } from '../codec/redact-secret.js';
import { ExecActivateError } from '../errors/exec-activate-error.js';

/** The control plane's base URL when `apiUrl` is not given. */
export const DEFAULT_API_URL = 'https://api.superserve.ai';

/** How long a 409 (`conflict`: the sandbox is pausing or resuming) is waited out, by default. */
export const CONFLICT_RETRY_DELAYS_MS: ReadonlyArray<number> = [500, 1000, 2000];

/** The most of an error answer's body that is read, in characters. */
const MAX_ERROR_BODY = 4096;

/** Configuration of {@link activateTokenProvider}. */
export interface ActivateTokenProviderConfig {
  /** The account's API key, sent as `X-API-Key`. A server-side secret: never in a browser. */
  readonly apiKey: string;
  /** The sandbox whose tokens to get. */
  readonly sandboxId: string;
  /**
   * The control plane's base URL (a path prefix is kept), or a local sandbox's `url`.
   * @defaultValue `https://api.superserve.ai`
   */
  readonly apiUrl?: string;
  /**
   * The `fetch` to use.
   * @defaultValue `globalThis.fetch`
   */
  readonly fetch?: typeof globalThis.fetch;
  /**
   * The waits, in milliseconds, before each new try after a 409 `conflict` (the sandbox is
   * pausing or resuming, or another activation is under way): one try more per entry; `[]`
   * for none.
   * @defaultValue `[500, 1000, 2000]`
   */
  readonly conflictRetryDelaysMs?: ReadonlyArray<number>;
  /**
   * How long one activate request may take before it fails (a resume can take seconds).
   * @defaultValue 30000
   */
  readonly timeoutMs?: number;
}

/**
 * An {@link AccessTokenProvider} for servers that gets a sandbox's tokens from the control
 * plane: `POST {apiUrl}/sandboxes/{sandboxId}/activate` with the API key as `X-API-Key` (which
 * also resumes a paused sandbox), whose JSON answer's `access_token` is the token. The token
 * is kept until a caller reports it rejected, and one request is shared by every caller that
 * asks while it is under way (as {@link cachedTokenProvider} does). A 409 is tried again after
 * short waits; redirects are never followed (the API key would go along).
 *
 * Errors with `ExecActivateError` (status and envelope code kept; no status when no answer
 * came). The API key never appears in an error.
 *
 * In a browser, never: the API key is an account secret. Have the app's backend call this and
 * hand the browser tokens (see the README's browser pattern).
 *
 * @param config - The API key, the sandbox, and where the control plane is.
 * @example
 * ```ts
 * import { createExecClient } from 'superserve-rx';
 * import { activateTokenProvider } from 'superserve-rx/server';
 *
 * const sandbox = createExecClient({
 *   baseUrl: `https://boxd-${sandboxId}.sandbox.superserve.ai`,
 *   accessToken: activateTokenProvider({ apiKey: process.env.SUPERSERVE_API_KEY!, sandboxId }),
 * });
 * ```
 */
export function activateTokenProvider(config: ActivateTokenProviderConfig): AccessTokenProvider {
  const { apiKey, sandboxId } = config ?? {};
  // Named, never shown: a malformed key is still a secret.
  if (!isUsableAccessToken(apiKey)) {
    throw new TypeError('activateTokenProvider: apiKey must be non-empty printable ASCII with no spaces');
  }
  if (typeof sandboxId !== 'string' || sandboxId === '') {
    throw new TypeError('activateTokenProvider: sandboxId must be a non-empty string');
  }
  const url = activateUrl(config.apiUrl ?? DEFAULT_API_URL, sandboxId);
  const delays = config.conflictRetryDelaysMs ?? CONFLICT_RETRY_DELAYS_MS;
  if (!Array.isArray(delays) || !delays.every((ms) => Number.isSafeInteger(ms) && ms >= 0)) {
    throw new TypeError(
      'activateTokenProvider: conflictRetryDelaysMs must be an array of non-negative integers',
    );
  }
  const timeoutMs = config.timeoutMs ?? 30_000;
  if (!(Number.isSafeInteger(timeoutMs) && timeoutMs > 0)) {
    throw new TypeError(
      `activateTokenProvider: timeoutMs must be a positive integer, got ${String(timeoutMs)}`,
    );
  }
  const fetchImpl = config.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') {
    throw new TypeError('activateTokenProvider: no fetch: pass config.fetch on a runtime without one');
  }
  const activate = { url, apiKey, sandboxId, timeoutMs, fetch: fetchImpl };
  return cachedTokenProvider(async () => {
    for (let tries = 0; ; tries++) {
      const outcome = await activateOnce(activate);
      if (typeof outcome === 'string') return outcome;
      const delay = delays[tries];
      if (outcome.status !== 409 || delay === undefined) throw outcome;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  });
}

function activateUrl(apiUrl: string, sandboxId: string): string {
  let parsed: URL;
  try {
    parsed = new URL(apiUrl);
  } catch {
    throw new TypeError('activateTokenProvider: apiUrl must be an absolute http(s) URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError('activateTokenProvider: apiUrl must be an absolute http(s) URL');
  }
  parsed.pathname = `${parsed.pathname.replace(/\/+$/, '')}/sandboxes/${encodeURIComponent(sandboxId)}/activate`;
  return parsed.toString();
}

interface Activate {
  readonly url: string;
  readonly apiKey: string;
  readonly sandboxId: string;
  readonly timeoutMs: number;
  readonly fetch: typeof globalThis.fetch;
}

/** One request: the token, or the error for what came instead (returned, so 409 can be retried). */
async function activateOnce(activate: Activate): Promise<string | ExecActivateError> {
  const { sandboxId, apiKey } = activate;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), activate.timeoutMs);
  try {
    let response: Response;
    try {
      response = await activate.fetch(activate.url, {
        method: 'POST',
        headers: { 'X-API-Key': apiKey, Accept: 'application/json' },
        signal: controller.signal,
        redirect: 'manual',
      });
    } catch (error) {
      const detail = controller.signal.aborted
        ? `no answer within ${activate.timeoutMs} ms`
        : `the request failed${describe(error, apiKey)}`;
      return new ExecActivateError({ sandboxId, detail, cause: error });
    }
    const text = await response.text().catch(() => '');
    const json = parseJson(text);
    if (response.status >= 200 && response.status <= 299) {
      const token = (json as { access_token?: unknown } | undefined)?.access_token;
      if (isUsableAccessToken(token)) return token;
      return new ExecActivateError({
        sandboxId,
        status: response.status,
        detail: 'the answer has no usable access_token',
      });
    }
    const envelope = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    const code = typeof envelope?.code === 'string' ? redactSecret(envelope.code, apiKey) : undefined;
    const message =
      typeof envelope?.message === 'string'
        ? envelope.message
        : text.slice(0, MAX_ERROR_BODY).trim().split(/\r?\n/, 1)[0] || response.statusText || 'no detail';
    return new ExecActivateError({
      sandboxId,
      status: response.status,
      code,
      detail: redactSecret(message.length > 200 ? `${message.slice(0, 200)}…` : message, apiKey),
    });
  } finally {
    clearTimeout(timer);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

// Duck-typed, not `instanceof Error`: fetch's errors may come from another realm.
function describe(error: unknown, apiKey: string): string {
  const { message, cause } = (error ?? {}) as {
    message?: unknown;
    cause?: { code?: unknown; message?: unknown };
  };
  const inner =
    typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : '';
  const text = [typeof message === 'string' ? message : '', inner && `(${inner})`].filter(Boolean).join(' ');
  return text === '' ? '' : `: ${redactSecret(text, apiKey)}`;
}
