import { EXIT_CODES, exitCodeFor } from '../../src/cli/exit-codes';
import {
  ExecDecodeError,
  ExecFailedError,
  ExecHttpError,
  ExecIncompleteError,
  ExecNetworkError,
  ExecProtocolError,
  ExecRequestError,
  ExecTimeoutError,
} from 'superserve-rx';

describe('the CLI exit codes', () => {
  it('give every typed error its own code, none of them 0, 2, 124 or 128+', () => {
    const errors = [
      new ExecRequestError([]),
      new ExecDecodeError('json', 'x', []),
      new ExecHttpError({ status: 503, body: '' }),
      new ExecFailedError('spawn', 'exec_failed'),
      new ExecTimeoutError('total', 1),
      new ExecIncompleteError(),
      new ExecNetworkError('fetch', new Error('x')),
      new ExecProtocolError('not sse'),
    ];
    const codes = errors.map(exitCodeFor);
    expect(new Set(codes).size).toBe(errors.length);
    for (const code of codes) {
      expect(code).toBeGreaterThan(2);
      expect(code).toBeLessThan(124);
    }
    expect(exitCodeFor(new Error('a bug'))).toBe(EXIT_CODES.software);
    expect(codes).not.toContain(EXIT_CODES.software);
  });
});
