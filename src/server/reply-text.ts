import type { ServerResponse } from 'node:http';

/**
 * Answers with a one-line plain-text body, as the service does for every error before a run
 * (and does nothing if the answer has begun or the client is gone).
 *
 * @param response - The response.
 * @param status - The HTTP status.
 * @param text - The line, without its newline.
 * @param headers - Extra headers (`Allow`, `Connection`).
 */
export function replyText(
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
