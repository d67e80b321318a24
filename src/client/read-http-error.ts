import { ExecHttpError } from '../errors/exec-http-error.js';
import { redactSecret } from '../codec/redact-secret.js';
import { hasBodyStream } from './has-body-stream.js';

/** The most of a non-2xx body that is kept, in bytes read and in characters. */
export const MAX_ERROR_BODY_BYTES = 4096;

/** How long a non-2xx body is read, at most, before the error is reported with what came. */
export const ERROR_BODY_DEADLINE_MS = 2000;

/**
 * Turns a non-2xx response into an {@link ExecHttpError}, reading at most 4 KiB of its body
 * and cancelling the rest, so that a huge error page costs nothing.
 *
 * @param response - The non-2xx response.
 * @param secret - The access token, redacted should the server echo it.
 * @param endpoint - The refused request, for the message (default `POST /exec/stream`).
 */
export async function readHttpError(
  response: Response,
  secret: string,
  endpoint?: string,
): Promise<ExecHttpError> {
  // Read a token's length past the cap, so that a token straddling the cap is redacted whole.
  const text = await readPrefix(response, MAX_ERROR_BODY_BYTES + secret.length);
  return httpErrorOf({
    status: response.status,
    text,
    retryAfter: response.headers.get('retry-after'),
    secret,
    // A browser hides a redirect it was told not to follow behind status 0 and no body.
    ...(response.type === 'opaqueredirect' && { detail: 'redirected (not followed)' }),
    endpoint,
  });
}

/** What {@link httpErrorOf} builds an {@link ExecHttpError} from. */
export interface HttpRefusal {
  /** The status. */
  readonly status: number;
  /** The start of the body, up to {@link MAX_ERROR_BODY_BYTES} plus the secret's length. */
  readonly text: string;
  /** The `Retry-After` header, if any. */
  readonly retryAfter: string | null;
  /** The access token, redacted before the body is cut and kept. */
  readonly secret: string;
  /** The message's detail when the body has none worth quoting. */
  readonly detail?: string;
  /** The refused request, for the message (`GET /exec/connect`). */
  readonly endpoint?: string | undefined;
}

/**
 * Builds the {@link ExecHttpError} of a refusal: the body redacted, then cut to 4 KiB, its
 * message read from whichever of the service's three shapes it is (plain text, whose first
 * line is the message; `{"error":"<message>"}`, whatever the content type; the envelope
 * `{"error":{"code","message"}}`, whose code is kept), `Retry-After` parsed.
 *
 * @param refusal - The status, the body's start and headers.
 */
export function httpErrorOf(refusal: HttpRefusal): ExecHttpError {
  const body = redactSecret(refusal.text, refusal.secret).slice(0, MAX_ERROR_BODY_BYTES).trim();
  const envelope = parseEnvelope(body);
  return new ExecHttpError({
    status: refusal.status,
    body,
    code: envelope?.code,
    detail: envelope?.message ?? refusal.detail,
    retryAfterMs: parseRetryAfter(refusal.retryAfter),
    endpoint: refusal.endpoint,
  });
}

async function readPrefix(response: Response, max: number): Promise<string> {
  if (response.body === null) return '';
  if (!hasBodyStream(response)) {
    // A fetch polyfill without streams: its whole (already buffered) text, cut by the caller.
    return response.text().catch(() => '');
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  // A 5xx sent as an event stream may trickle keepalives for an hour before 4 KiB: the error
  // is reported with what arrived within the deadline.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ERROR_BODY_DEADLINE_MS);
  });
  try {
    while (size < max) {
      const next = await Promise.race([reader.read(), late]);
      if (next === undefined || next.done) break;
      chunks.push(next.value);
      size += next.value.byteLength;
    }
  } catch {
    // A body that breaks off mid-read still has a status worth reporting.
  } finally {
    clearTimeout(timer);
    reader.cancel().catch(() => undefined);
  }
  const bytes = new Uint8Array(Math.min(size, max));
  let offset = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, bytes.length - offset);
    bytes.set(part, offset);
    offset += part.length;
  }
  // `fatal: false`: a cut inside a multi-byte character becomes U+FFFD, not an exception.
  return new TextDecoder('utf-8').decode(bytes);
}

function parseEnvelope(body: string): { code?: string; message?: string } | undefined {
  if (!body.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } | string };
    const error = parsed.error;
    if (typeof error === 'string') return { message: error };
    if (typeof error !== 'object' || error === null) return undefined;
    return {
      ...(typeof error.code === 'string' && { code: error.code }),
      ...(typeof error.message === 'string' && { message: error.message }),
    };
  } catch {
    return undefined;
  }
}

/**
 * Parses `Retry-After` (delay-seconds or an HTTP date) into milliseconds from now.
 *
 * @param value - The header's value.
 */
export function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
