/** Go's wording of the errno codes a file operation meets, as the service's messages carry them. */
const ERRNO_TEXT: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EEXIST: 'file exists',
  EIO: 'input/output error',
  EISDIR: 'is a directory',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
  ENOENT: 'no such file or directory',
  ENOSPC: 'no space left on device',
  ENOTDIR: 'not a directory',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
};

/**
 * A Node file-system error worded as the service (written in Go) words it:
 * `open /tmp: is a directory`.
 *
 * @param operation - The system call, as Go names it (`open`, `mkdir`, `write`).
 * @param path - The path it was called on, when the error names none.
 * @param error - What Node threw.
 */
export function systemErrorText(operation: string, path: string, error: unknown): string {
  const {
    code,
    path: errorPath,
    message,
  } = (error ?? {}) as { code?: unknown; path?: unknown; message?: unknown };
  const text = typeof code === 'string' ? ERRNO_TEXT[code] : undefined;
  const where = typeof errorPath === 'string' ? errorPath : path;
  return `${operation} ${where}: ${text ?? (typeof message === 'string' ? message : String(error))}`;
}
