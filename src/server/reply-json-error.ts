import type { ServerResponse } from 'node:http';

/**
 * Answers with the service's JSON error body `{"error":"<message>"}`, which it labels
 * `text/plain` (clients must read it whatever its content type), or, with a `code`, the
 * envelope `{"error":{"code","message"}}` as `application/json`. Does nothing if the answer has
 * begun or the client is gone.
 *
 * @param response - The response.
 * @param status - The HTTP status.
 * @param message - The error's text.
 * @param code - The envelope's code, for the envelope shape.
 */
export function replyJsonError(
  response: ServerResponse,
  status: number,
  message: string,
  code?: string,
): void {
  if (response.headersSent || response.destroyed) return;
  const body = `${JSON.stringify({ error: code === undefined ? message : { code, message } })}\n`;
  response.writeHead(status, {
    'Content-Type': code === undefined ? 'text/plain; charset=utf-8' : 'application/json',
    'Content-Length': Buffer.byteLength(body),
  });
  response.end(body);
}
