import { isLeft, right } from 'fp-ts/lib/Either.js';
import {
  exec$,
  ExecDecodeError,
  execEither$,
  ExecFailedError,
  ExecHttpError,
  ExecProtocolError,
} from 'superserve-rx';
import { FAULT_TOKEN, runAgainstFaults, startFaultServer, step } from '../helpers/fault-server';
import { frames, TS } from '../helpers/sse-response';

// The protocol matrix over real HTTP against the fault server; runAgainstFaults also checks
// that every connection was closed and nothing was left behind.

const request = { command: 'make' };
const FINISHED = frames({ exit_code: 0, finished: true, timestamp: TS });
const envelope = (code: string, message: string): string => JSON.stringify({ error: { code, message } });

describe('statuses before the stream (PROTOCOL.md table)', () => {
  // [status, text body, JSON code, JSON message, Retry-After]
  const table: Array<[number, string, string, string, string | undefined]> = [
    [400, 'command is required', 'bad_request', 'invalid sandbox URL', undefined],
    [401, 'invalid access token', 'unauthorized', 'missing X-Access-Token header', undefined],
    [403, 'forbidden', 'sandbox_ownership_denied', 'token is for another sandbox', undefined],
    [404, 'sandbox not found', 'sandbox_route_stale', 'sandbox route is stale', undefined],
    [405, 'method not allowed', 'method_not_allowed', 'method not allowed', undefined],
    [429, 'too many connections to sandbox', 'rate_limited', 'too many connections', '1'],
    [502, 'sandbox unreachable', 'sandbox_unreachable', 'sandbox unreachable', '2'],
    [503, 'sandbox is paused', 'sandbox_unavailable', 'sandbox is paused', '3'],
  ];

  describe.each(table)('%i', (status, text, code, message, retryAfter) => {
    const headers = retryAfter === undefined ? {} : { 'retry-after': retryAfter };
    const retryAfterMs = retryAfter === undefined ? undefined : Number(retryAfter) * 1000;

    it('with a text body: ExecHttpError with the status, the body and its first line', async () => {
      const run = await runAgainstFaults(
        [
          step.head(status, { 'content-type': 'text/plain; charset=utf-8', ...headers }),
          step.write(`${text}\n`),
        ],
        (options) => exec$(request, options),
      );
      expect(run.error).toBeInstanceOf(ExecHttpError);
      expect(run.error).toMatchObject({
        status,
        body: text,
        message: `POST /exec/stream failed with ${status}: ${text}`,
      });
      expect((run.error as ExecHttpError).code).toBeUndefined();
      expect((run.error as ExecHttpError).retryAfterMs).toBe(retryAfterMs);
    });

    it('with a JSON envelope: ExecHttpError with its code and message', async () => {
      const body = envelope(code, message);
      const run = await runAgainstFaults(
        [step.head(status, { 'content-type': 'application/json', ...headers }), step.write(body)],
        (options) => exec$(request, options),
      );
      expect(run.error).toBeInstanceOf(ExecHttpError);
      expect(run.error).toMatchObject({
        status,
        code,
        body,
        message: `POST /exec/stream failed with ${status}: ${message}`,
      });
      expect((run.error as ExecHttpError).retryAfterMs).toBe(retryAfterMs);
    });
  });

  it('a 5xx with an event-stream content type is still ExecHttpError: the status wins', async () => {
    const run = await runAgainstFaults(
      [
        step.head(502, { 'content-type': 'text/event-stream' }),
        step.write(`${frames({ stdout: 'x', timestamp: TS })}`),
      ],
      (options) => exec$(request, options),
    );
    expect(run.values).toEqual([]);
    expect(run.error).toBeInstanceOf(ExecHttpError);
    expect(run.error).toMatchObject({ status: 502 });
  });

  it('a 5xx event stream that never ends is read up to its cap, then the client closes it', async () => {
    const run = await runAgainstFaults(
      [step.head(503, { 'content-type': 'text/event-stream' }), step.forever(': keepalive\n\n')],
      (options) => exec$(request, options),
    );
    expect(run.error).toBeInstanceOf(ExecHttpError);
    expect((run.error as ExecHttpError).body).toMatch(/^: keepalive/);
    expect(run.request.closedBy).toBe('client');
  });

  it('an unparsable Retry-After is ignored, an HTTP date is honoured', async () => {
    const date = new Date(Date.now() + 30_000).toUTCString();
    const run = await runAgainstFaults(
      [step.head(503, { 'retry-after': 'soon' }), step.write('busy')],
      (options) => exec$(request, options),
    );
    expect((run.error as ExecHttpError).retryAfterMs).toBeUndefined();
    const dated = await runAgainstFaults(
      [step.head(503, { 'retry-after': date }), step.write('busy')],
      (options) => exec$(request, options),
    );
    expect((dated.error as ExecHttpError).retryAfterMs).toBeGreaterThan(20_000);
  });
});

describe('2xx that is not an event stream', () => {
  it.each([
    ['a JSON body', { 'content-type': 'application/json' }, 'content type application/json'],
    ['no content type', {}, 'no content type'],
    ['text/plain', { 'content-type': 'text/plain' }, 'content type text/plain'],
  ])('200 with %s: ExecProtocolError', async (_name, headers, said) => {
    const run = await runAgainstFaults([step.head(200, headers), step.write('{"ok":true}')], (options) =>
      exec$(request, options),
    );
    expect(run.error).toBeInstanceOf(ExecProtocolError);
    expect((run.error as Error).message).toBe(
      `POST /exec/stream answered 200 with ${said}, expected text/event-stream`,
    );
  });

  it('200 with an endless HTML body: ExecProtocolError without reading it, the connection closed', async () => {
    const run = await runAgainstFaults(
      [step.head(200, { 'content-type': 'text/html' }), step.forever('<p>hello</p>')],
      (options) => exec$(request, options),
    );
    expect(run.error).toBeInstanceOf(ExecProtocolError);
    expect(run.request.closedBy).toBe('client');
  });
});

describe('redirects', () => {
  it.each([302, 307, 308])(
    'a %i is ExecHttpError, and the token is never sent to where it points',
    async (status) => {
      const elsewhere = await startFaultServer([step.sseHead(), step.write(FINISHED)]);
      try {
        const run = await runAgainstFaults(
          [step.head(status, { location: `${elsewhere.url}/exec/stream` })],
          (options) => exec$(request, options),
        );
        expect(run.error).toBeInstanceOf(ExecHttpError);
        expect(run.error).toMatchObject({ status });
        expect(elsewhere.requests).toEqual([]);
      } finally {
        await elsewhere.close();
      }
    },
  );
});

describe('frames', () => {
  it('invalid JSON: exec$ errors with ExecDecodeError (json); execEither$ gives a Left and goes on', async () => {
    const script = [step.sseHead(), step.write(`data: {oops\n\n${FINISHED}`)];
    const strict = await runAgainstFaults(script, (options) => exec$(request, options));
    expect(strict.error).toBeInstanceOf(ExecDecodeError);
    expect(strict.error).toMatchObject({ reason: 'json', data: '{oops' });
    const lenient = await runAgainstFaults(script, (options) => execEither$(request, options));
    expect(lenient.values).toHaveLength(2);
    expect(isLeft(lenient.values[0]!)).toBe(true);
    expect(lenient.values[1]).toEqual(right({ type: 'finished', exitCode: 0, timestamp: TS }));
    expect(lenient.completed).toBe(true);
  });

  it.each([
    ['an array', '[1,2]', ''],
    ['a string', '"stdout"', ''],
    ['null', 'null', ''],
    ['an empty object', '{}', ''],
    ['stdout not a string', '{"stdout":5,"timestamp":"t"}', 'stdout'],
    ['output without a timestamp', '{"stdout":"x"}', 'timestamp'],
    ['exit_code a string', '{"exit_code":"0","finished":true}', 'exit_code'],
    ['exit_code not an integer', '{"exit_code":1.5,"finished":true}', 'exit_code'],
    ['a terminal event without exit_code', '{"finished":true}', 'exit_code'],
  ])('of the wrong shape (%s): ExecDecodeError (schema) naming the path', async (_name, data, path) => {
    const run = await runAgainstFaults(
      [step.sseHead(), step.write(`data: ${data}\n\n${FINISHED}`)],
      (options) => exec$(request, options),
    );
    expect(run.error).toBeInstanceOf(ExecDecodeError);
    expect(run.error).toMatchObject({ reason: 'schema', data });
    expect((run.error as ExecDecodeError).issues.map((issue) => issue.path)).toContain(path);
  });

  it.each([
    ['without a code (an older server)', { error: 'boom', finished: true }, undefined],
    ['with an unknown code', { error: 'boom', code: 'meltdown', finished: true }, 'meltdown'],
    ['with a code and no text', { code: 'gone', finished: true }, 'gone'],
  ])('an error frame %s: ExecFailedError', async (_name, payload, code) => {
    const run = await runAgainstFaults(
      [step.sseHead(), step.write(frames(payload)), step.stall()],
      (options) => exec$(request, options),
    );
    expect(run.error).toBeInstanceOf(ExecFailedError);
    expect((run.error as ExecFailedError).code).toBe(code);
    expect(run.request.closedBy).toBe('client');
  });

  it('a terminal frame carrying output: the output first, then finished', async () => {
    const run = await runAgainstFaults(
      [
        step.sseHead(),
        step.write(frames({ stdout: 'o', stderr: 'e', exit_code: 2, finished: true, timestamp: TS })),
      ],
      (options) => exec$(request, options),
    );
    expect(run.values).toEqual([
      { type: 'stdout', data: 'o', timestamp: TS },
      { type: 'stderr', data: 'e', timestamp: TS },
      { type: 'finished', exitCode: 2, timestamp: TS },
    ]);
    expect(run.completed).toBe(true);
  });

  it('an error frame carrying output: the output first, then ExecFailedError', async () => {
    // As older control planes built it: error frames never carry a timestamp.
    const run = await runAgainstFaults(
      [
        step.sseHead(),
        step.write(frames({ stderr: 'boom\n', error: 'spawn failed', code: 'exec_failed', finished: true })),
      ],
      (options) => exec$(request, options),
    );
    expect(run.values).toEqual([{ type: 'stderr', data: 'boom\n', timestamp: '' }]);
    expect(run.error).toEqual(new ExecFailedError('spawn failed', 'exec_failed'));
  });

  it('keeps the access token out of the request line and sends it only as X-Access-Token', async () => {
    const run = await runAgainstFaults([step.sseHead(), step.write(FINISHED)], (options) =>
      exec$(request, options),
    );
    expect(run.request.headers['x-access-token']).toBe(FAULT_TOKEN);
    expect(run.request.url).toBe('/exec/stream');
    expect(run.request.body).not.toContain(FAULT_TOKEN);
  });
});
