import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** How a local sandbox's tokens are made and checked. */
export interface AccessTokensConfig {
  /** The sandbox's id, which every minted token is bound to. */
  readonly sandboxId: string;
  /** A fixed token (without `ttlMs`); default 32 random bytes, hex. */
  readonly fixed?: string | undefined;
  /** The length of one token window; unset: one fixed token that never expires. */
  readonly ttlMs?: number | undefined;
  /** Milliseconds since the epoch, now. */
  readonly clock: () => number;
}

/** The tokens of one local sandbox. */
export interface AccessTokens {
  /** A token valid now: the fixed one, or the current window's. */
  current(): string;
  /** Checks a presented token in constant time: `missing`, `invalid` or `ok`. */
  authorize(token: string | undefined): 'missing' | 'invalid' | 'ok';
}

/**
 * A local sandbox's tokens: one fixed token, or, with `ttlMs`, tokens minted as the service
 * mints them (`../shared/PROTOCOL.md`, "Access tokens"): 64 hex characters, an HMAC-SHA256 under
 * a per-sandbox secret over the sandbox id and the window number `floor(now / ttlMs)`, accepted
 * during their own window and the next, so that a token lives between one and two windows.
 *
 * @param config - The sandbox id, a fixed token or a window length, and the clock.
 */
export function createAccessTokens(config: AccessTokensConfig): AccessTokens {
  const { ttlMs, clock, sandboxId } = config;
  if (ttlMs === undefined) {
    const fixed = config.fixed ?? randomBytes(32).toString('hex');
    const expected = digest(fixed);
    return {
      current: () => fixed,
      authorize: (token) =>
        token === undefined || token === ''
          ? 'missing'
          : timingSafeEqual(digest(token), expected)
            ? 'ok'
            : 'invalid',
    };
  }
  const secret = randomBytes(32);
  const mint = (window: number): string =>
    createHmac('sha256', secret).update(`${sandboxId}:${window}`).digest('hex');
  const windowNow = (): number => Math.floor(clock() / ttlMs);
  return {
    current: () => mint(windowNow()),
    authorize: (token) => {
      if (token === undefined || token === '') return 'missing';
      const window = windowNow();
      const presented = digest(token);
      // Both compared every time, so that the answer takes as long for either window.
      const current = timingSafeEqual(presented, digest(mint(window)));
      const previous = timingSafeEqual(presented, digest(mint(window - 1)));
      return current || previous ? 'ok' : 'invalid';
    },
  };
}

/**
 * A SHA-256 digest. Hashing first gives equal lengths, so a comparison takes the same time for
 * any presented token.
 *
 * @param text - A token or an API key.
 */
export function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
