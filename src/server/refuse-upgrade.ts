import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Answers a WebSocket upgrade request in plain text before any WebSocket exists, then closes.
 *
 * @param socket - The upgrade request's socket.
 * @param status - The HTTP status of the refusal.
 * @param text - The refusal's text (the body, with a newline).
 * @param headers - More header lines, as `Name: value`.
 */
export function refuseUpgrade(
  socket: Duplex,
  status: number,
  text: string,
  headers: readonly string[] = [],
): void {
  const body = `${text}\n`;
  socket.once('finish', () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      headers.map((header) => `${header}\r\n`).join('') +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
