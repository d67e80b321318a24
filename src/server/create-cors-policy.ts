import type { IncomingMessage, ServerResponse } from 'node:http';

/** The request headers a browser may send to `POST /exec/stream`. */
export const CORS_ALLOWED_HEADERS = ['Content-Type', 'Accept', 'X-Access-Token', 'X-Superserve-Sandbox-Id'];

/** How long a browser may cache a preflight answer, in seconds. */
export const CORS_MAX_AGE_S = 600;

/** Which browser origins may call the local sandbox. */
export interface CorsPolicy {
  /** Whether any origin is allowed at all (otherwise OPTIONS is a plain 405). */
  readonly enabled: boolean;
  /** Whether a browser page from `origin` may call the sandbox. */
  allows(origin: string): boolean;
  /** The headers every response to a request from `origin` carries. */
  headers(origin: string | undefined): Record<string, string>;
  /** Answers an OPTIONS preflight: it never runs a command and needs no token. */
  preflight(request: IncomingMessage, response: ServerResponse): void;
}

/**
 * Builds the CORS policy of the local sandbox from an allow-list of origins
 * (`http://localhost:5173`), or `['*']` for any origin. Credentials are never allowed: the
 * token travels in a header, not a cookie, so `*` is safe to send and never combined with
 * `Access-Control-Allow-Credentials`.
 *
 * @param origins - The allowed origins; empty or absent: CORS off.
 */
export function createCorsPolicy(origins: ReadonlyArray<string> = []): CorsPolicy {
  for (const origin of origins) {
    if (origin !== '*' && !isOrigin(origin)) {
      throw new TypeError(
        `startLocalSandbox: cors entries must be '*' or an origin like http://localhost:5173, got ${origin}`,
      );
    }
  }
  const any = origins.includes('*');
  const allowed = new Set(origins);
  const allow = (origin: string | undefined): string | undefined =>
    any ? '*' : origin !== undefined && allowed.has(origin) ? origin : undefined;

  const headers = (origin: string | undefined): Record<string, string> => {
    if (origins.length === 0) return {};
    const allowedOrigin = allow(origin);
    return {
      // The answer depends on the Origin unless it is `*`.
      ...(!any && { Vary: 'Origin' }),
      ...(allowedOrigin !== undefined && {
        'Access-Control-Allow-Origin': allowedOrigin,
        'Access-Control-Expose-Headers': 'Retry-After',
      }),
    };
  };

  return {
    enabled: origins.length > 0,
    allows: (origin) => allow(origin) !== undefined,
    headers,
    preflight(request, response) {
      const origin = request.headers.origin;
      const method = request.headers['access-control-request-method'];
      const text =
        allow(origin) === undefined
          ? 'origin not allowed'
          : method !== 'POST'
            ? 'only POST is allowed'
            : undefined;
      const common = { ...headers(origin), 'Content-Type': 'text/plain; charset=utf-8' };
      if (text !== undefined) {
        response.writeHead(403, { ...common, 'Content-Length': Buffer.byteLength(`${text}\n`) });
        response.end(`${text}\n`);
        return;
      }
      response.writeHead(204, {
        ...headers(origin),
        'Access-Control-Allow-Methods': 'POST',
        'Access-Control-Allow-Headers': CORS_ALLOWED_HEADERS.join(', '),
        'Access-Control-Max-Age': String(CORS_MAX_AGE_S),
      });
      response.end();
    },
  };
}

function isOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === text;
  } catch {
    return false;
  }
}
