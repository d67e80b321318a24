import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listDirectory } from './list-directory.js';
import { receiveFile } from './receive-file.js';
import { replyJsonError } from './reply-json-error.js';
import { replyText } from './reply-text.js';
import { resolveFilesPath } from './resolve-files-path.js';
import type { SandboxContext } from './sandbox-context.js';
import { sendFile } from './send-file.js';
import { zipDirectory } from './zip-directory.js';

/** The methods `/files` answers. */
const FILES_METHODS = 'GET, POST, OPTIONS';

/** The CORS headers every `/files` response to an allowed origin carries, as the service's. */
const FILES_CORS_HEADERS = {
  'Access-Control-Allow-Methods': FILES_METHODS,
  'Access-Control-Allow-Headers': 'X-Access-Token, X-Superserve-Routing-Hint, Content-Type',
  'Access-Control-Expose-Headers': 'Content-Disposition',
  'Access-Control-Max-Age': '3600',
};

/**
 * `POST /files` (write a file) and `GET /files` (read a file, a directory as a zip or a JSON
 * listing), as the service answers them, on this machine's own file system: the local sandbox
 * isolates nothing, and a path is this machine's path. The checks run in the service's order,
 * each with its text: 405; 400 for a missing path, a NUL byte, a `..` segment (all before the
 * token); 401; 429 (a transfer counts in `maxConcurrent` for its whole life); then the path's
 * own refusals (`/`, `/proc`, `/sys`, `/dev`).
 *
 * @param request - The incoming request.
 * @param response - Its response.
 * @param context - The sandbox's settings, token and runs.
 */
export async function filesEndpoint(
  request: IncomingMessage,
  response: ServerResponse,
  context: SandboxContext,
): Promise<void> {
  if (response.hasHeader('Access-Control-Allow-Origin')) {
    for (const [name, value] of Object.entries(FILES_CORS_HEADERS)) response.setHeader(name, value);
  }
  if (request.method === 'OPTIONS') {
    response.writeHead(204, { Allow: FILES_METHODS });
    return void response.end();
  }
  if (request.method !== 'GET' && request.method !== 'POST') {
    return replyText(response, 405, 'method not allowed', { Allow: FILES_METHODS });
  }
  const query = new URLSearchParams((request.url ?? '').split('?')[1] ?? '');
  const raw = query.get('path');
  if (raw === null || raw === '') return replyText(response, 400, 'missing path query parameter');
  if (raw.includes('\0')) return replyText(response, 400, 'path contains null byte');
  if (raw.split('/').includes('..')) return replyText(response, 400, 'path traversal not allowed');
  const token = request.headers['x-access-token'];
  const access = context.authorize(typeof token === 'string' ? token : undefined);
  if (access === 'missing') return replyText(response, 401, 'missing X-Access-Token header');
  if (access === 'invalid') return replyText(response, 401, 'invalid access token');
  if (context.runs.full()) return replyText(response, 429, 'too many connections to sandbox');
  if (context.runs.closing) return replyText(response, 503, 'sandbox is shutting down');
  const closed = new Promise<void>((resolve) => response.once('close', resolve));
  const work = transfer(request, response, context, raw, query.get('format')).catch(() => {
    response.destroy();
  });
  context.runs.add({
    abort: () => response.destroy(),
    done: Promise.all([work, closed]).then(() => undefined),
  });
  await work;
}

async function transfer(
  request: IncomingMessage,
  response: ServerResponse,
  context: SandboxContext,
  raw: string,
  format: string | null,
): Promise<void> {
  const resolved = await resolveFilesPath(raw);
  if (!resolved.ok) return replyJsonError(response, 400, resolved.error);
  const { path } = resolved;
  if (request.method === 'POST') {
    return receiveFile(request, response, {
      path,
      maxBytes: context.maxUploadBytes,
      idleTimeoutMs: context.requestTimeoutMs,
    });
  }
  const stats = await stat(path).catch(() => undefined);
  if (stats === undefined) return replyJsonError(response, 404, 'file not found');
  if (stats.isDirectory()) {
    if (format === 'zip') return zipDirectory(response, path, context.zipLimits);
    if (format === 'json') return listDirectory(response, path);
    return replyJsonError(response, 400, 'use FilesystemService.ListDir for directories');
  }
  if (!stats.isFile()) return replyJsonError(response, 400, 'not a regular file');
  if (format === 'json') return replyJsonError(response, 400, 'not a directory');
  return sendFile(request, response, path, stats);
}
