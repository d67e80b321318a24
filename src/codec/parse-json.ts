import { ExecDecodeError } from '../errors/exec-decode-error.js';

/**
 * Parses JSON, or says why not as an `ExecDecodeError` (`reason: 'json'`).
 *
 * @param data - The text.
 * @param subject - What it should be, for the message.
 */
export function parseJson(data: string, subject: string): unknown {
  try {
    return JSON.parse(data) as unknown;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return new ExecDecodeError('json', data, [{ path: '', message: `not JSON: ${message}` }], subject);
  }
}
