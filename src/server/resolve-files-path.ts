import { realpath } from 'node:fs/promises';
import { posix } from 'node:path';
import { FILES_DENIED_ROOTS } from './protocol-constants.js';

/** A `/files` path that may be used, or why not (the service's 400 text). */
export type FilesPath =
  { readonly ok: true; readonly path: string } | { readonly ok: false; readonly error: string };

/**
 * Cleans a `/files` path as the service does (`//a/./b/` is `/a/b`; a relative path is taken
 * from `/`) and refuses `/` itself and `/proc`, `/sys`, `/dev` and everything below them, also
 * when a symlink on the way leads there: the deepest part of the path that exists is resolved
 * and checked again.
 *
 * @param raw - The `path` query parameter (already checked for NUL and `..` segments).
 */
export async function resolveFilesPath(raw: string): Promise<FilesPath> {
  const cleaned = clean(raw);
  const refused = refusal(cleaned);
  if (refused !== undefined) return { ok: false, error: refused };
  const real = await resolveExisting(cleaned);
  const refusedReal = refusal(real);
  return refusedReal === undefined ? { ok: true, path: cleaned } : { ok: false, error: refusedReal };
}

function clean(raw: string): string {
  const normal = posix.normalize(`/${raw}`);
  return normal.length > 1 ? normal.replace(/\/+$/, '') : '/';
}

function refusal(path: string): string | undefined {
  if (path === '/') return 'cannot operate on root directory';
  const root = FILES_DENIED_ROOTS.find((denied) => path === denied || path.startsWith(`${denied}/`));
  return root === undefined ? undefined : `access denied: ${root}`;
}

/** The path with its deepest existing ancestor's symlinks resolved. */
async function resolveExisting(path: string): Promise<string> {
  let existing = path;
  const rest: string[] = [];
  for (;;) {
    try {
      const real = await realpath(existing);
      return posix.join(real, ...rest);
    } catch {
      if (existing === '/') return path;
      rest.unshift(posix.basename(existing));
      existing = posix.dirname(existing);
    }
  }
}
