import type { ExecIssue } from '../errors/exec-issue.js';

/**
 * What is wrong with a sandbox path given to a file function, checked before any I/O: it must
 * be an absolute path (`/home/user/a.txt`) with no `..` segment and no NUL byte, which the
 * service would refuse anyway. Empty when it is fine.
 *
 * @param path - The path.
 */
export function checkFilePath(path: unknown): ExecIssue[] {
  if (typeof path !== 'string') return [{ path: 'path', message: `expected a string, got ${typeof path}` }];
  if (!path.startsWith('/'))
    return [{ path: 'path', message: 'expected an absolute path (starting with /)' }];
  if (path.includes('\0')) return [{ path: 'path', message: 'must not contain a NUL byte' }];
  if (path.split('/').includes('..')) return [{ path: 'path', message: 'must not contain a .. segment' }];
  return [];
}
