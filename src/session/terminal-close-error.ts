import { redactSecret } from '../codec/redact-secret.js';
import { ExecFailedError } from '../errors/exec-failed-error.js';
import { ExecIncompleteError } from '../errors/exec-incomplete-error.js';
import { ExecNetworkError } from '../errors/exec-network-error.js';
import { ExecProtocolError } from '../errors/exec-protocol-error.js';
import type { ExecStreamError } from '../errors/exec-stream-error.js';

/** What the close codes the service uses for a client's mistake mean, for the message. */
const PROTOCOL_CLOSES: Readonly<Record<number, string>> = {
  1003: 'unsupported data',
  1008: 'policy violation',
  1009: 'message too big: an input message was larger than the service takes (64 KiB); terminal$ sends input in frames of at most 64 KiB',
};

/**
 * The error of an open terminal that closed with anything but 1000 (the shell exited):
 * `ExecFailedError` for 1011 (the shell did not start; the close reason is its message),
 * `ExecProtocolError` for 1003, 1008 and 1009 (naming the code and the reason),
 * `ExecNetworkError` (phase `body`) for an abnormal close (1006: the connection dropped, or the
 * service cut an idle terminal), and `ExecIncompleteError` for any other close.
 *
 * @param code - The close code.
 * @param reason - The close reason (the access token is redacted from it).
 * @param secret - The access token.
 * @example
 * ```ts
 * terminalCloseError(1011, 'shell did not start'); // ExecFailedError: the command could not run: shell did not start
 * ```
 */
export function terminalCloseError(code: number, reason: string, secret?: string): ExecStreamError {
  const said = secret === undefined || secret === '' ? reason : redactSecret(reason, secret);
  if (code === 1011) return new ExecFailedError(said === '' ? 'the shell failed (1011)' : said);
  const meaning = PROTOCOL_CLOSES[code];
  if (meaning !== undefined) {
    return new ExecProtocolError(
      `GET /terminal: the service closed the terminal with ${code} (${meaning})${said ? `: ${said}` : ''}`,
    );
  }
  if (code === 1006) {
    return new ExecNetworkError(
      'body',
      new Error('the connection closed abnormally (1006)'),
      'GET /terminal',
    );
  }
  return new ExecIncompleteError(`the terminal closed with ${code}${said ? ` (${said})` : ''}`);
}
