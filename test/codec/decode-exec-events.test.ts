import { isLeft, isRight, type Either } from 'fp-ts/lib/Either.js';
import { decodeExecEvents, type ExecDecodeError, type ExecEvent } from 'superserve-rx';
import { TS } from '../helpers/sse-response';

function events(data: string): ReadonlyArray<ExecEvent> {
  const decoded = decodeExecEvents(data);
  if (isLeft(decoded)) throw new Error(`expected Right, got ${decoded.left.message}`);
  return decoded.right;
}

function failure(data: string): ExecDecodeError {
  const decoded: Either<ExecDecodeError, unknown> = decodeExecEvents(data);
  if (isRight(decoded)) throw new Error('expected Left');
  return decoded.left;
}

describe('decodeExecEvents', () => {
  it('decodes stdout and stderr output events', () => {
    expect(events(`{"stdout":"hi\\n","timestamp":"${TS}"}`)).toEqual([
      { type: 'stdout', data: 'hi\n', timestamp: TS },
    ]);
    expect(events(`{"timestamp":"${TS}","stderr":"oops"}`)).toEqual([
      { type: 'stderr', data: 'oops', timestamp: TS },
    ]);
  });

  it('decodes the normal terminal event, keys in any order', () => {
    expect(events(`{"finished":true,"timestamp":"${TS}","exit_code":3}`)).toEqual([
      { type: 'finished', exitCode: 3, timestamp: TS },
    ]);
    expect(events('{"exit_code":0,"finished":true}')).toEqual([{ type: 'finished', exitCode: 0 }]);
  });

  it('decodes the could-not-run event as failed, with and without a code', () => {
    expect(events('{"code":"exec_failed","error":"chdir: no such file","finished":true}')).toEqual([
      { type: 'failed', code: 'exec_failed', message: 'chdir: no such file' },
    ]);
    expect(events('{"error":"old server","finished":true}')).toEqual([
      { type: 'failed', message: 'old server' },
    ]);
    expect(events('{"code":"gone","finished":true}')).toEqual([
      { type: 'failed', code: 'gone', message: 'gone' },
    ]);
  });

  it('yields the output of a terminal frame first', () => {
    expect(events(`{"stdout":"a","stderr":"b","exit_code":1,"finished":true,"timestamp":"${TS}"}`)).toEqual([
      { type: 'stdout', data: 'a', timestamp: TS },
      { type: 'stderr', data: 'b', timestamp: TS },
      { type: 'finished', exitCode: 1, timestamp: TS },
    ]);
  });

  it('delivers the output of a legacy terminal frame without a timestamp, with an empty one', () => {
    expect(
      events('{"stderr":"boom\\n","error":"spawn failed","code":"exec_failed","finished":true}'),
    ).toEqual([
      { type: 'stderr', data: 'boom\n', timestamp: '' },
      { type: 'failed', code: 'exec_failed', message: 'spawn failed' },
    ]);
    expect(events('{"stdout":"last","exit_code":0,"finished":true}')).toEqual([
      { type: 'stdout', data: 'last', timestamp: '' },
      { type: 'finished', exitCode: 0 },
    ]);
  });

  it('sends a frame with one output field and a terminal field past the output fast path', () => {
    // Shape dispatch must not mistake these for plain output and drop their terminal part.
    expect(events(`{"stdout":"x","timestamp":"${TS}","exit_code":3}`)).toEqual([
      { type: 'stdout', data: 'x', timestamp: TS },
      { type: 'finished', exitCode: 3, timestamp: TS },
    ]);
    expect(events(`{"stderr":"x","timestamp":"${TS}","finished":true,"exit_code":0}`)).toEqual([
      { type: 'stderr', data: 'x', timestamp: TS },
      { type: 'finished', exitCode: 0, timestamp: TS },
    ]);
    expect(events(`{"stdout":"x","timestamp":"${TS}","error":"boom"}`)).toEqual([
      { type: 'stdout', data: 'x', timestamp: TS },
      { type: 'failed', message: 'boom', timestamp: TS },
    ]);
    expect(events(`{"stderr":"x","timestamp":"${TS}","code":"exec_failed"}`)).toEqual([
      { type: 'stderr', data: 'x', timestamp: TS },
      { type: 'failed', message: 'exec_failed', code: 'exec_failed', timestamp: TS },
    ]);
  });

  it('treats a frame with an exit code or an error as terminal even without finished', () => {
    expect(events('{"stdout":"last","exit_code":0}')).toEqual([
      { type: 'stdout', data: 'last', timestamp: '' },
      { type: 'finished', exitCode: 0 },
    ]);
    expect(events('{"stderr":"why","error":"spawn failed"}')).toEqual([
      { type: 'stderr', data: 'why', timestamp: '' },
      { type: 'failed', message: 'spawn failed' },
    ]);
  });

  it('yields nothing for empty output, with or without a timestamp, on either stream', () => {
    expect(events(`{"stderr":"","timestamp":"${TS}"}`)).toEqual([]);
    expect(events('{"stdout":""}')).toEqual([]);
    expect(events('{"stderr":""}')).toEqual([]);
    expect(events(`{"stdout":"","stderr":"","timestamp":"${TS}"}`)).toEqual([]);
    expect(events(`{"stdout":"","exit_code":0,"finished":true,"timestamp":"${TS}"}`)).toEqual([
      { type: 'finished', exitCode: 0, timestamp: TS },
    ]);
  });

  it('ignores unknown fields and yields nothing for empty output', () => {
    expect(events(`{"stdout":"x","timestamp":"${TS}","pid":7,"extra":{"a":1}}`)).toEqual([
      { type: 'stdout', data: 'x', timestamp: TS },
    ]);
    expect(events(`{"stdout":"","timestamp":"${TS}"}`)).toEqual([]);
  });

  it('is a json Left for data that is not JSON, keeping the data', () => {
    const error = failure('{"stdout": "cut');
    expect(error.reason).toBe('json');
    expect(error.data).toBe('{"stdout": "cut');
    expect(error.issues[0]?.message).toMatch(/^not JSON/);
  });

  it.each([
    ['a wrong type', '{"stdout":5,"timestamp":"t"}', 'stdout', /expected string, got 5/],
    ['a fractional exit code', '{"exit_code":1.5,"finished":true}', 'exit_code', /expected an integer/],
    ['a terminal event without exit code', '{"finished":true}', 'exit_code', /expected an integer/],
    ['output without timestamp', '{"stdout":"x"}', 'timestamp', /expected a string/],
    ['an object with no event field', '{"hello":1}', '', /expected one of stdout/],
    ['a non-object', '[1,2]', '', /expected an exec event object/],
    ['null', 'null', '', /expected an exec event object, got null/],
  ])('is a schema Left for %s, naming the path', (_name, data, path, message) => {
    const error = failure(data);
    expect(error.reason).toBe('schema');
    expect(error.issues).toContainEqual({ path, message: expect.stringMatching(message) });
    expect(error.name).toBe('ExecDecodeError');
  });

  it('keeps at most 4 KiB of the offending data', () => {
    const data = `{"stdout":${'1'.repeat(10_000)}`;
    expect(failure(data).data).toHaveLength(4096);
  });
});
