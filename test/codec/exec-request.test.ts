import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { decodeExecRequest } from 'superserve-rx';

function issuesOf(input: unknown, rejectUnknownFields = true) {
  const decoded = decodeExecRequest(input, { rejectUnknownFields });
  if (isRight(decoded)) throw new Error('expected Left');
  return decoded.left;
}

describe('decodeExecRequest', () => {
  it('accepts a full request and returns exactly its known fields', () => {
    const request = { command: 'ls', args: ['-la'], env: { A: '1' }, working_dir: '/tmp', timeout_s: 5 };
    const decoded = decodeExecRequest(request);
    expect(isRight(decoded) && decoded.right).toEqual(request);
  });

  it.each([
    ['an empty command', { command: '' }, 'command', /non-empty string/],
    ['a missing command', {}, 'command', /got nothing/],
    ['a zero timeout', { command: 'x', timeout_s: 0 }, 'timeout_s', /positive integer, got 0/],
    ['a fractional timeout', { command: 'x', timeout_s: 1.5 }, 'timeout_s', /positive integer/],
    ['a non-string arg', { command: 'x', args: ['a', 2] }, 'args.1', /without NUL/],
    ['a non-string env value', { command: 'x', env: { A: 1 } }, 'env.A', /without NUL/],
    ['an env name with =', { command: 'x', env: { 'A=B': '1' } }, 'env.A=B', /environment variable name/],
    ['a NUL in the command', { command: 'a\0b' }, 'command', /without NUL/],
    ['an empty working_dir', { command: 'x', working_dir: '' }, 'working_dir', /non-empty/],
  ])('rejects %s naming the path', (_name, input, path, message) => {
    expect(issuesOf(input)).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it('rejects a non-object', () => {
    expect(issuesOf('ls')).toEqual([{ path: '', message: expect.stringMatching(/exec request object/) }]);
  });

  it('reports unknown fields for the client, so a typo is not dropped silently', () => {
    expect(issuesOf({ command: 'x', timeout: 5 })).toEqual([
      { path: 'timeout', message: expect.stringMatching(/^unknown field/) },
    ]);
  });

  it('strips unknown fields for the server, as the service does', () => {
    const decoded = decodeExecRequest({ command: 'x', timeout: 5 }, { rejectUnknownFields: false });
    expect(isRight(decoded) && decoded.right).toEqual({ command: 'x' });
    expect(isLeft(decodeExecRequest({ command: '' }, { rejectUnknownFields: false }))).toBe(true);
  });
});
