import * as t from 'io-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { ExecDecodeError } from '../errors/exec-decode-error.js';
import { left, right } from './either.js';
import { parseJson } from './parse-json.js';
import { reportIssues } from './report-issues.js';
import { Integer } from './wire-types.js';

/** One entry of a directory listing. */
export interface FileEntry {
  /** The entry's name in its directory (no path). */
  readonly name: string;
  /** Whether it is a directory (a symlink to one is not). */
  readonly isDir: boolean;
  /** Its size in bytes. */
  readonly size: number;
  /** When it was last modified, in seconds since the epoch. */
  readonly modifiedUnix: number;
}

/** One level of a directory, as `listFiles$` gives it. */
export interface FileListing {
  /** The entries, in no particular order. */
  readonly entries: FileEntry[];
  /** Whether the service stopped listing (past 10,000 entries). */
  readonly truncated: boolean;
}

/**
 * The io-ts codec of the `GET /files?format=json` answer, in the wire's names:
 * `{"entries":[{"name","is_dir","size","modified_unix"}],"truncated"}`. Unknown keys are ignored.
 */
export const FileListingWire = t.type(
  {
    entries: t.array(
      t.type({ name: t.string, is_dir: t.boolean, size: Integer, modified_unix: Integer }, 'a file entry'),
    ),
    truncated: t.boolean,
  },
  'a file listing',
);

/** The wire shape of a listing. */
export type FileListingWire = t.TypeOf<typeof FileListingWire>;

/**
 * Decodes the body of `GET /files?format=json` into a {@link FileListing}, or an
 * `ExecDecodeError` (`json` for a body that is not JSON, `schema` for one of the wrong shape).
 *
 * @param data - The body as text.
 */
export function decodeFileListing(data: string): Either<ExecDecodeError, FileListing> {
  const json = parseJson(data, 'file listing');
  if (json instanceof ExecDecodeError) return left(json);
  const decoded = FileListingWire.decode(json);
  if (decoded._tag === 'Left') {
    return left(new ExecDecodeError('schema', data, reportIssues(decoded.left), 'file listing'));
  }
  return right({
    entries: decoded.right.entries.map((entry) => ({
      name: entry.name,
      isDir: entry.is_dir,
      size: entry.size,
      modifiedUnix: entry.modified_unix,
    })),
    truncated: decoded.right.truncated,
  });
}
