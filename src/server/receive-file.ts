import { type FileHandle, mkdir, open, unlink } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import { replyJsonError } from './reply-json-error.js';
import { replyText } from './reply-text.js';
import { systemErrorText } from './system-error-text.js';

/** What {@link receiveFile} needs besides the request. */
export interface ReceiveFileConfig {
  /** The cleaned path to write. */
  readonly path: string;
  /** The largest body taken; past it, 413. */
  readonly maxBytes: number;
  /** How long the body may pause before the upload is dropped (idleness, never the transfer). */
  readonly idleTimeoutMs: number;
}

/** Bytes gathered before one write to disk: fewer, larger writes than one per socket read. */
const WRITE_BATCH_BYTES = 4 * 1024 * 1024;

/**
 * `POST /files`: streams the body to disk as it arrives (the socket is read only as fast as the
 * disk writes, so no upload is ever held in memory), creating the parents (0755) and creating
 * or truncating the file in place (0644), and answers `{"path","size"}` once every byte is
 * written. On any failure (the client gone, a pause past the idle timeout, a full disk, 413)
 * the file is removed, even one that existed before, as the service does.
 *
 * @param request - The upload.
 * @param response - Its response.
 * @param config - Where to write and the limits.
 */
export async function receiveFile(
  request: IncomingMessage,
  response: ServerResponse,
  config: ReceiveFileConfig,
): Promise<void> {
  const { path, maxBytes } = config;
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    return replyText(response, 413, 'request body too large', { Connection: 'close' });
  }
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o755 });
  } catch (error) {
    // Node says EEXIST where a parent is a file; Go's MkdirAll, and so the service, ENOTDIR.
    const { code } = error as { code?: unknown };
    const cause =
      code === 'EEXIST'
        ? Object.assign(new Error(), { code: 'ENOTDIR', path: (error as { path?: unknown }).path })
        : error;
    return replyWriteError(response, 'parent dir', systemErrorText('mkdir', dirname(path), cause), error);
  }
  let file: FileHandle;
  try {
    file = await open(path, 'w', 0o644);
  } catch (error) {
    return replyWriteError(response, 'create file', systemErrorText('open', path, error), error);
  }
  const outcome = await copyBody(request, file, config);
  await file.close().catch(() => undefined);
  if (outcome.ok) {
    const body = JSON.stringify({ path, size: outcome.size });
    response.writeHead(200, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
    });
    response.end(body);
    return;
  }
  await unlink(path).catch(() => undefined);
  if (outcome.reason === 'client') return;
  // The rest of the body is not read: the connection goes once the answer is out.
  response.once('finish', () => request.destroy());
  if (outcome.reason === 'too-large') {
    replyText(response, 413, 'request body too large', { Connection: 'close' });
  } else {
    replyWriteError(response, 'write', systemErrorText('write', path, outcome.error), outcome.error);
  }
}

type CopyOutcome =
  | { readonly ok: true; readonly size: number }
  | { readonly ok: false; readonly reason: 'too-large' }
  | { readonly ok: false; readonly reason: 'client' }
  | { readonly ok: false; readonly reason: 'disk'; readonly error: unknown };

async function copyBody(
  request: IncomingMessage,
  file: FileHandle,
  config: ReceiveFileConfig,
): Promise<CopyOutcome> {
  const socket = request.socket;
  const onIdle = (): void => void request.destroy(new Error('upload idle for too long'));
  socket.setTimeout(config.idleTimeoutMs, onIdle);
  let size = 0;
  let batch: Buffer[] = [];
  let batchBytes = 0;
  // One batch is written while the next is read: the socket and the disk work at the same
  // time, and at most two batches are held.
  let writing: Promise<CopyOutcome | undefined> = Promise.resolve(undefined);
  const flush = async (): Promise<CopyOutcome | undefined> => {
    const failed = await writing;
    if (failed !== undefined) return failed;
    const buffers = batch;
    batch = [];
    batchBytes = 0;
    writing = diskWrite(() => file.writev(buffers));
    return undefined;
  };
  try {
    // Not destroyed on an early return: the refusal (413, 507) still has to be answered on it.
    for await (const chunk of request.iterator({ destroyOnReturn: false })) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > config.maxBytes) return (await writing) ?? { ok: false, reason: 'too-large' };
      batch.push(buffer);
      batchBytes += buffer.length;
      if (batchBytes >= WRITE_BATCH_BYTES) {
        const failed = await flush();
        if (failed !== undefined) return failed;
      }
    }
  } catch {
    await writing;
    return { ok: false, reason: 'client' };
  } finally {
    socket.setTimeout(0);
    socket.off('timeout', onIdle);
  }
  // A client that aborted may still end the iteration quietly: only a complete body counts.
  if (!request.complete) {
    await writing;
    return { ok: false, reason: 'client' };
  }
  return (await flush()) ?? (await writing) ?? { ok: true, size };
}

async function diskWrite(write: () => Promise<unknown>): Promise<CopyOutcome | undefined> {
  try {
    await write();
    return undefined;
  } catch (error) {
    return { ok: false, reason: 'disk', error };
  }
}

function replyWriteError(response: ServerResponse, prefix: string, text: string, error: unknown): void {
  if ((error as { code?: unknown } | undefined)?.code === 'ENOSPC') {
    return replyJsonError(response, 507, 'Sandbox storage limit reached.', 'sandbox_storage_full');
  }
  replyJsonError(response, 500, `${prefix}: ${text}`);
}
