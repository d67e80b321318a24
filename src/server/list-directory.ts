import { lstat, opendir } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { MAX_LISTING_ENTRIES } from './protocol-constants.js';
import { replyJsonError } from './reply-json-error.js';
import { systemErrorText } from './system-error-text.js';

/** One entry of a `format=json` listing, in the wire's names. */
interface WireFileEntry {
  readonly name: string;
  readonly is_dir: boolean;
  readonly size: number;
  readonly modified_unix: number;
}

/**
 * `GET /files?format=json` of a directory: one level, unsorted, at most
 * {@link MAX_LISTING_ENTRIES} entries (`truncated: true` past that). Entries are not followed:
 * a symlink to a directory has `is_dir: false`; one that vanishes while listed is left out.
 *
 * @param response - The response.
 * @param path - The cleaned path of a directory.
 * @param maxEntries - The most entries listed.
 */
export async function listDirectory(
  response: ServerResponse,
  path: string,
  maxEntries: number = MAX_LISTING_ENTRIES,
): Promise<void> {
  const entries: WireFileEntry[] = [];
  let truncated = false;
  try {
    const directory = await opendir(path);
    for await (const dirent of directory) {
      if (entries.length === maxEntries) {
        truncated = true;
        break;
      }
      const stats = await lstat(join(path, dirent.name)).catch(() => undefined);
      if (stats === undefined) continue;
      entries.push({
        name: dirent.name,
        is_dir: stats.isDirectory(),
        size: stats.size,
        modified_unix: Math.floor(stats.mtimeMs / 1000),
      });
    }
  } catch (error) {
    return replyJsonError(response, 500, `list dir: ${systemErrorText('open', path, error)}`);
  }
  const body = JSON.stringify({ entries, truncated });
  response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}
