import { redactSecret } from '../codec/redact-secret.js';
import { ExecRequestError } from '../errors/exec-request-error.js';

/** What the client tells an {@link AccessTokenProvider} when it asks for a token. */
export interface AccessTokenContext {
  /**
   * The token the service has just rejected (a 401 before any event on `/exec/stream`, a
   * refused handshake on `/exec/connect`): present only when the client asks for a
   * replacement. Absent on the first call of every attempt.
   */
  readonly rejected?: string;
}

/**
 * Gives access tokens on demand, for tokens that expire (the service's live one to two hours).
 * Called with `{}` at the start of every attempt (each subscription, each retry), and with
 * `{ rejected }` once when the service rejected the token it gave. A provider that fetches
 * should cache: {@link cachedTokenProvider} does, and shares one request between callers.
 *
 * @param context - Empty, or the token that was just rejected.
 * @returns A non-empty string of printable ASCII with no spaces, or a promise of one.
 */
export type AccessTokenProvider = (context: AccessTokenContext) => string | Promise<string>;

/**
 * The access token of one attempt (one subscription of `exec$`, `execEither$` or a session
 * dial) and its one refresh. Built by {@link accessTokenAttempt}.
 */
export interface AccessTokenAttempt {
  /**
   * The token to send first: a usable string token as given, at once (so that a transport can
   * send in the same turn as the subscription, as it did before providers existed), or a
   * promise of the provider's answer to `{}`. The promise rejects with `ExecRequestError` (the
   * provider's error as `cause`) when the provider throws, rejects or gives something that is
   * not a usable token, and so does the promise given for an unusable string token.
   */
  token(): string | Promise<string>;
  /**
   * To call when the service rejected `rejected` before any event. Resolves with the token to
   * send again, once per attempt, or with `undefined` when there is to be no retry: a string
   * token, a refresh already used, or a provider that gave the rejected token back. Rejects
   * with `ExecRequestError` as {@link AccessTokenAttempt.token} does. Attempts that overlap share
   * one provider call per rejected token (see {@link accessTokenAttempt}).
   *
   * @param rejected - The token the service rejected.
   */
  refresh(rejected: string): Promise<string | undefined>;
}

/**
 * The per-attempt token logic that every transport shares (`exec$`, `execEither$`, sessions):
 * call it once per attempt, send `await attempt.token()`, and, when the service rejects that
 * token before any event, `await attempt.refresh(token)` and send once more with what it gives
 * (`undefined`: report the rejection as it is).
 *
 * Refreshes are shared: when several attempts that use the same provider function are
 * rejected with the same token, the provider is called with `{ rejected }` once, and every
 * attempt that began before that call settled gets its outcome (the new token, or the same
 * error). An attempt that begins later and is rejected with the same token again calls the
 * provider anew: the token it was given is evidently stale still. `{}` calls are never
 * shared: caching is the provider's business.
 *
 * Tokens and provider results are checked as string tokens are (non-empty printable ASCII,
 * no spaces) and never appear in an error message.
 *
 * @param source - The access token, or a provider of tokens.
 * @example
 * ```ts
 * const attempt = accessTokenAttempt(options.accessToken);
 * let token = await attempt.token();
 * let response = await send(token);
 * if (response.status === 401) {
 *   const fresh = await attempt.refresh(token);
 *   if (fresh !== undefined) response = await send((token = fresh));
 * }
 * ```
 */
export function accessTokenAttempt(source: string | AccessTokenProvider): AccessTokenAttempt {
  const startedAt = ++clock;
  let refreshed = false;
  return {
    token: () => {
      if (typeof source !== 'string') return ask(source, {});
      return isUsableAccessToken(source)
        ? source
        : Promise.reject(new ExecRequestError([{ path: 'accessToken', message: STRING_TOKEN_ISSUE }]));
    },
    refresh: async (rejected) => {
      if (typeof source === 'string' || refreshed) return undefined;
      refreshed = true;
      const fresh = await sharedRefresh(source, rejected, startedAt);
      return fresh === rejected ? undefined : fresh;
    },
  };
}

/**
 * Whether `value` can be sent as an access token: a non-empty string of printable ASCII with
 * no spaces (anything else could not travel in a header or a subprotocol).
 *
 * @param value - A token, or anything a provider gave.
 */
export function isUsableAccessToken(value: unknown): value is string {
  return typeof value === 'string' && /^[\x21-\x7e]+$/.test(value);
}

/** What is wrong with a string token that {@link isUsableAccessToken} refuses (never its value). */
export const STRING_TOKEN_ISSUE = 'must be printable ASCII with no spaces';

/** The latest provider call for a rejected token, shared by the attempts that overlap it. */
interface SharedRefresh {
  readonly rejected: string;
  readonly token: Promise<string>;
  /** The {@link clock} when the call settled; attempts begun before then share its outcome. */
  settledAt?: number;
}

/**
 * A logical clock: ticks when an attempt begins and when a shared refresh settles, so that
 * "began before it settled" needs no wall time.
 */
let clock = 0;

/**
 * Per provider function, its latest refresh: one rejected token at a time is all that
 * concurrent attempts share (tokens are replaced one at a time). Weak: providers come and go.
 */
const refreshes = new WeakMap<AccessTokenProvider, SharedRefresh>();

function sharedRefresh(provider: AccessTokenProvider, rejected: string, startedAt: number): Promise<string> {
  const shared = refreshes.get(provider);
  if (shared?.rejected === rejected && (shared.settledAt === undefined || startedAt < shared.settledAt)) {
    return shared.token;
  }
  const entry: SharedRefresh = { rejected, token: ask(provider, { rejected }) };
  const settle = (): void => {
    entry.settledAt = ++clock;
  };
  entry.token.then(settle, settle);
  refreshes.set(provider, entry);
  return entry.token;
}

async function ask(provider: AccessTokenProvider, context: AccessTokenContext): Promise<string> {
  const doing = context.rejected === undefined ? 'failed' : 'failed to replace a rejected token';
  let value: unknown;
  try {
    value = await provider(context);
  } catch (error) {
    const detail = describeError(error, context.rejected);
    throw new ExecRequestError(
      [{ path: 'accessToken', message: `the access token provider ${doing}${detail}` }],
      { cause: error },
    );
  }
  if (!isUsableAccessToken(value)) {
    // What it was, never its value: a token with a stray space is still a secret.
    throw new ExecRequestError([
      {
        path: 'accessToken',
        message: `the access token provider gave ${describeValue(value)}, expected a non-empty string of printable ASCII with no spaces`,
      },
    ]);
  }
  return value;
}

function describeError(error: unknown, rejected: string | undefined): string {
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  const line = message.trim().split('\n', 1)[0]!.trim();
  return line && `: ${rejected === undefined ? line : redactSecret(line, rejected)}`;
}

function describeValue(value: unknown): string {
  if (typeof value !== 'string') return value == null ? String(value) : `a value of type ${typeof value}`;
  return value === '' ? 'an empty string' : 'an unusable string';
}
