import {
  ExecDecodeError,
  ExecFailedError,
  ExecHttpError,
  ExecIncompleteError,
  ExecNetworkError,
  ExecProtocolError,
  ExecRequestError,
  ExecStreamError,
  ExecTimeoutError,
  isExecDecodeError,
  isExecFailedError,
  isExecHttpError,
  isExecIncompleteError,
  isExecNetworkError,
  isExecProtocolError,
  isExecRequestError,
  isExecStreamError,
  isExecTimeoutError,
} from 'superserve-rx';

const cases = [
  [ExecRequestError, isExecRequestError, () => new ExecRequestError([{ path: 'command', message: 'empty' }])],
  [ExecHttpError, isExecHttpError, () => new ExecHttpError({ status: 503, body: 'sandbox is paused' })],
  [ExecNetworkError, isExecNetworkError, () => new ExecNetworkError('fetch', new Error('reset'))],
  [ExecProtocolError, isExecProtocolError, () => new ExecProtocolError('not an event stream')],
  [ExecDecodeError, isExecDecodeError, () => new ExecDecodeError('json', '{', [])],
  [ExecFailedError, isExecFailedError, () => new ExecFailedError('spawn failed', 'exec_failed')],
  [ExecIncompleteError, isExecIncompleteError, () => new ExecIncompleteError()],
  [ExecTimeoutError, isExecTimeoutError, () => new ExecTimeoutError('total', 5)],
] as const;

describe('error classes', () => {
  it.each(cases)('%p has its class name as name, extends ExecStreamError and Error', (ctor, guard, make) => {
    const error = make();
    expect(error.name).toBe(ctor.name);
    expect(error).toBeInstanceOf(ExecStreamError);
    expect(error).toBeInstanceOf(Error);
    expect(String(error)).toBe(`${ctor.name}: ${error.message}`);
    expect(guard(error)).toBe(true);
    expect(isExecStreamError(error)).toBe(true);
  });

  it.each(cases)(
    'the guard of %p accepts a same-named error from another copy and rejects others',
    (ctor, guard) => {
      const foreign = Object.assign(new Error('from another copy'), { name: ctor.name });
      expect(guard(foreign)).toBe(true);
      expect(isExecStreamError(foreign)).toBe(true);
      expect(guard(new Error('x'))).toBe(false);
      expect(guard({ name: ctor.name })).toBe(false);
      const other = cases.find(([c]) => c !== ctor)?.[2]();
      expect(guard(other)).toBe(false);
    },
  );

  it('isExecStreamError takes the base class and whole Exec…Error names only', () => {
    expect(new ExecStreamError('x').name).toBe('ExecStreamError');
    expect(isExecStreamError(new ExecStreamError('x'))).toBe(true);
    for (const name of ['MyExecFooError', 'ExecFooErrors', 'ExecError2', 'TypeError']) {
      expect(isExecStreamError(Object.assign(new Error('x'), { name }))).toBe(false);
    }
  });

  it('names what a network failure says, and its cause, once', () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
    });
    expect(new ExecNetworkError('fetch', refused).message).toBe(
      'POST /exec/stream: fetch failed (ECONNREFUSED)',
    );
    expect(new ExecNetworkError('fetch', new Error('socket hang up')).message).toBe(
      'POST /exec/stream: fetch failed: socket hang up',
    );
    const inner = new TypeError('terminated', { cause: new Error('other side closed') });
    expect(new ExecNetworkError('body', inner).message).toMatch(/: terminated \(other side closed\)$/);
    expect(new ExecNetworkError('fetch', 'a string').message).toBe('POST /exec/stream: fetch failed');
    expect(new ExecNetworkError('fetch', { message: 5 }).message).toBe('POST /exec/stream: fetch failed');
  });

  it('serialises structured fields but never a cause that could hold secrets', () => {
    const http = new ExecHttpError({ status: 429, body: 'too many', code: 'rate', retryAfterMs: 2000 });
    expect(JSON.parse(JSON.stringify(http))).toEqual({
      name: 'ExecHttpError',
      status: 429,
      body: 'too many',
      code: 'rate',
      retryAfterMs: 2000,
    });
    const network = new ExecNetworkError('fetch', new Error('X-Access-Token: secret'));
    expect(JSON.stringify(network)).not.toContain('secret');
  });

  it('writes messages a person can act on', () => {
    expect(new ExecHttpError({ status: 503, body: 'sandbox is paused\nmore' }).message).toBe(
      'POST /exec/stream failed with 503: sandbox is paused',
    );
    expect(new ExecHttpError({ status: 500, body: '' }).message).toBe('POST /exec/stream failed with 500');
    expect(new ExecHttpError({ status: 502, body: '\n  bad gateway  \r\nnginx' }).message).toBe(
      'POST /exec/stream failed with 502: bad gateway',
    );
    const long = 'x'.repeat(200);
    expect(new ExecHttpError({ status: 500, body: long }).message).toBe(
      `POST /exec/stream failed with 500: ${long}`,
    );
    expect(new ExecHttpError({ status: 500, body: `${long}y` }).message).toBe(
      `POST /exec/stream failed with 500: ${long}…`,
    );
    expect(new ExecFailedError('boom').message).toBe('the command could not run: boom');
    expect(
      new ExecRequestError([{ path: 'timeout_s', message: 'expected a positive integer, got 0' }]).message,
    ).toBe('invalid exec request: timeout_s: expected a positive integer, got 0');
    expect(new ExecTimeoutError('total', 10).message).toBe('the exec stream did not finish within 10 ms');
  });
});
