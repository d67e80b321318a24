import { redactSecret } from '../codec/redact-secret.js';
import { ExecIncompleteError } from '../errors/exec-incomplete-error.js';
import { ExecNetworkError } from '../errors/exec-network-error.js';
import { ExecProtocolError } from '../errors/exec-protocol-error.js';
import type { ExecStreamError } from '../errors/exec-stream-error.js';

/** What the close codes the service uses for a client's mistake mean, for the message. */
const PROTOCOL_CLOSES: Readonly<Record<number, string>> = {
  1003: 'unsupported data: the start frame must be a text frame',
  1008: 'policy violation: the start frame was not a valid exec request',
  1009: 'message too big: a frame was larger than the service takes (4 MiB); send bulk data as stdin, which is sent in frames of 32 KiB',
};

/**
 * The error of an open session that closed before its terminal frame: `ExecProtocolError` for
 * the service's 1003, 1008 and 1009 (a frame it would not take), `ExecNetworkError` (phase
 * `body`) for an abnormal close (1006: the connection dropped, or the service dropped a client
 * that did not answer its pings), and `ExecIncompleteError` for any other close: the outcome
 * of the command is unknown.
 *
 * @param code - The close code.
 * @param reason - The close reason (the access token is redacted from it).
 * @param secret - The access token.
 * @example
 * ```ts
 * sessionCloseError(1009, 'message too big'); // ExecProtocolError naming 1009 and what it means
 * ```
 */
export function sessionCloseError(code: number, reason: string, secret?: string): ExecStreamError {
  const said = secret === undefined || secret === '' ? reason : redactSecret(reason, secret);
  const meaning = PROTOCOL_CLOSES[code];
  if (meaning !== undefined) {
    return new ExecProtocolError(
      `GET /exec/connect: the service closed the session with ${code} (${meaning})${said ? `: ${said}` : ''}`,
    );
  }
  if (code === 1006) {
    return new ExecNetworkError(
      'body',
      new Error('the connection closed abnormally (1006)'),
      'GET /exec/connect',
    );
  }
  return new ExecIncompleteError(`the session closed with ${code}${said ? ` (${said})` : ''}`);
}
