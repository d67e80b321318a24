import type { Stats } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, extname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { contentType } from 'mime-types';
import { parseRange } from './parse-range.js';
import { replyJsonError } from './reply-json-error.js';
import { replyText } from './reply-text.js';

/** How much is read from disk at once when a file is sent. */
const READ_CHUNK_BYTES = 1024 * 1024;

/** How many bytes are looked at to tell text from binary when the extension says nothing. */
const SNIFF_BYTES = 512;

/**
 * `GET /files` of a regular file: its bytes streamed from disk as the client reads them, with
 * `Content-Length`, `Content-Disposition: inline; filename="<base name>"`, `Content-Type` from
 * the extension or sniffed (text or binary), and one `Range` honoured (206, or 416 past the end).
 *
 * @param request - The download request (for its `Range`).
 * @param response - Its response.
 * @param path - The cleaned path.
 * @param stats - The file's stats.
 */
export async function sendFile(
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  stats: Stats,
): Promise<void> {
  const size = stats.size;
  const range = parseRange(request.headers.range, size);
  if (range === 'unsatisfiable') {
    return replyText(response, 416, 'invalid range: failed to overlap', {
      'Content-Range': `bytes */${size}`,
    });
  }
  let file;
  try {
    file = await open(path, 'r');
  } catch {
    return replyJsonError(response, 404, 'file not found');
  }
  const type = contentType(extname(path)) || (await sniff(file));
  const start = range?.start ?? 0;
  const end = range?.end ?? size - 1;
  response.writeHead(range === undefined ? 200 : 206, {
    'Content-Type': type,
    'Content-Length': String(Math.max(0, end - start + 1)),
    'Content-Disposition': `inline; filename="${basename(path).replace(/["\\]/g, '\\$&')}"`,
    'Accept-Ranges': 'bytes',
    ...(range !== undefined && { 'Content-Range': `bytes ${start}-${end}/${size}` }),
  });
  if (size === 0) {
    await file.close();
    response.end();
    return;
  }
  const stream = file.createReadStream({ start, end, highWaterMark: READ_CHUNK_BYTES });
  // A client that goes away ends the pipeline; the stream closes the file either way.
  await pipeline(stream, response).catch(() => undefined);
}

/** Text or binary, as Go's content sniffing decides for the two cases that matter here. */
async function sniff(file: FileHandle): Promise<string> {
  const head = Buffer.alloc(SNIFF_BYTES);
  const { bytesRead } = await file.read(head, 0, SNIFF_BYTES, 0);
  const binary = head.subarray(0, bytesRead).some((byte) => byte < 0x20 && !TEXT_CONTROLS.has(byte));
  return binary ? 'application/octet-stream' : 'text/plain; charset=utf-8';
}

/** The control bytes text may hold: tab, LF, form feed, CR, escape. */
const TEXT_CONTROLS = new Set([0x09, 0x0a, 0x0c, 0x0d, 0x1b]);
