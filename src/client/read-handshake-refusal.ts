import type { ExecHttpError } from '../errors/exec-http-error.js';
import { ERROR_BODY_DEADLINE_MS, httpErrorOf, MAX_ERROR_BODY_BYTES } from './read-http-error.js';

/** The HTTP response of a refused WebSocket handshake, as the `ws` package hands it over. */
export interface HandshakeResponse {
  /** The status: 401, 403, 429... */
  readonly statusCode?: number;
  /** The response headers, lower-cased. */
  readonly headers?: Readonly<Record<string, string | string[] | undefined>>;
  /** Node's stream events: `data` with a chunk, `end`, `error`, `close`. */
  on(event: string, listener: (chunk?: Uint8Array) => void): unknown;
  /** Stops reading and closes the connection. */
  destroy(): void;
}

/**
 * Reads a refused handshake (the `ws` package's `unexpected-response`) into an
 * {@link ExecHttpError} with its status and the first 4 KiB of its body, within 2 s, and then
 * closes the connection.
 *
 * @param response - The refusal.
 * @param secret - The access token, redacted should the server echo it.
 * @param endpoint - The endpoint dialled, for the message.
 */
export function readHandshakeRefusal(
  response: HandshakeResponse,
  secret: string,
  endpoint = 'GET /exec/connect',
): Promise<ExecHttpError> {
  return new Promise((resolve) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      response.destroy();
      const bytes = new Uint8Array(size);
      let offset = 0;
      for (const chunk of chunks) {
        bytes.set(chunk, offset);
        offset += chunk.length;
      }
      const retryAfter = response.headers?.['retry-after'];
      resolve(
        httpErrorOf({
          status: response.statusCode ?? 0,
          text: new TextDecoder('utf-8').decode(bytes.subarray(0, MAX_ERROR_BODY_BYTES + secret.length)),
          retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
          secret,
          endpoint,
        }),
      );
    };
    // An endless body is reported with what arrived within the deadline.
    const timer = setTimeout(finish, ERROR_BODY_DEADLINE_MS);
    response.on('data', (chunk) => {
      if (chunk === undefined || done) return;
      chunks.push(chunk);
      size += chunk.length;
      if (size >= MAX_ERROR_BODY_BYTES + secret.length) finish();
    });
    response.on('end', finish);
    response.on('error', finish);
    response.on('close', finish);
  });
}
