import * as t from 'io-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { ExecDecodeError } from '../errors/exec-decode-error.js';
import { left, right } from './either.js';
import { parseJson } from './parse-json.js';
import { reportIssues } from './report-issues.js';
import { Integer } from './wire-types.js';

/** The io-ts codec of the `POST /files` reply: `{"path","size"}`; unknown keys are ignored. */
export const FileWritten = t.type({ path: t.string, size: Integer }, 'a file write reply');

/** The `POST /files` reply: the cleaned path written and its size in bytes. */
export type FileWritten = t.TypeOf<typeof FileWritten>;

/**
 * Decodes the body of a `POST /files` reply, or an `ExecDecodeError`.
 *
 * @param data - The body as text.
 */
export function decodeFileWritten(data: string): Either<ExecDecodeError, FileWritten> {
  const json = parseJson(data, 'file write reply');
  if (json instanceof ExecDecodeError) return left(json);
  const decoded = FileWritten.decode(json);
  if (decoded._tag === 'Left') {
    return left(new ExecDecodeError('schema', data, reportIssues(decoded.left), 'file write reply'));
  }
  return right({ path: decoded.right.path, size: decoded.right.size });
}
