import { createReadStream, type ReadStream } from 'node:fs';
import { lstat, opendir } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import { MAX_ZIP_BYTES, MAX_ZIP_ENTRIES } from './protocol-constants.js';

/** The limits of one archive. */
export interface ZipLimits {
  /** The most entries; past it the archive ends (still valid). */
  readonly maxEntries: number;
  /** The most file bytes; past it the archive ends (still valid). */
  readonly maxBytes: number;
}

/**
 * `GET /files?format=zip` of a directory: the archive streamed as it is made (chunked, no
 * length), in constant memory whatever the files' sizes: yazl (a maintained streaming zip
 * writer, zip64 for large files) opens each file only when its turn comes, and writes only as
 * fast as the client reads. Entries are `<base>/<relative path>`, directories as
 * `<base>/<dir>/` so that empty ones are kept; symlinks and special files are skipped. Past
 * {@link MAX_ZIP_ENTRIES} entries or {@link MAX_ZIP_BYTES} of file data, no more entries are
 * added: the archive ends there, still valid, as the service's does.
 *
 * @param response - The response.
 * @param path - The cleaned path of a directory.
 * @param limits - The archive's limits.
 */
export async function zipDirectory(
  response: ServerResponse,
  path: string,
  limits: ZipLimits = { maxEntries: MAX_ZIP_ENTRIES, maxBytes: MAX_ZIP_BYTES },
): Promise<void> {
  const base = basename(path);
  const zip = new ZipFile();
  const state = { entries: 0, bytes: 0, open: undefined as ReadStream | undefined, gone: false };
  response.writeHead(200, {
    'Content-Type': 'application/zip',
    'Content-Disposition': `attachment; filename="${base.replace(/["\\]/g, '\\$&')}.zip"`,
  });
  response.once('close', () => {
    state.gone = true;
    // The file being read would otherwise stay open, paused, for ever.
    state.open?.destroy();
  });
  // A file that cannot be read once its turn comes (removed, unreadable) breaks the archive:
  // the response is cut, so that the client sees an incomplete zip rather than a wrong one.
  zip.on('error', () => response.destroy());
  const sent = pipeline(zip.outputStream, response).catch(() => undefined);
  await addDirectory(zip, path, base, limits, state).catch(() => undefined);
  if (!state.gone) zip.end();
  await sent;
}

interface ZipState {
  entries: number;
  bytes: number;
  open: ReadStream | undefined;
  gone: boolean;
}

/** Adds a directory's entries depth first; resolves `false` once a limit is reached. */
async function addDirectory(
  zip: ZipFile,
  directory: string,
  prefix: string,
  limits: ZipLimits,
  state: ZipState,
): Promise<boolean> {
  for await (const dirent of await opendir(directory)) {
    if (state.gone) return false;
    const full = join(directory, dirent.name);
    const name = `${prefix}/${dirent.name}`;
    const stats = await lstat(full).catch(() => undefined);
    if (stats === undefined || !(stats.isFile() || stats.isDirectory())) continue;
    if (state.entries === limits.maxEntries) return false;
    if (stats.isDirectory()) {
      state.entries++;
      zip.addEmptyDirectory(name, { mtime: stats.mtime });
      if (!(await addDirectory(zip, full, name, limits, state))) return false;
      continue;
    }
    if (state.bytes + stats.size > limits.maxBytes) return false;
    state.entries++;
    state.bytes += stats.size;
    zip.addReadStreamLazy(name, { mtime: stats.mtime, mode: stats.mode }, (callback) => {
      const stream = createReadStream(full);
      state.open = stream;
      stream.once('close', () => {
        if (state.open === stream) state.open = undefined;
      });
      callback(null, stream);
    });
  }
  return true;
}
