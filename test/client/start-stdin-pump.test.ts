import { PassThrough } from 'node:stream';
import { of, Subject } from 'rxjs';
import {
  type ExecStdin,
  isStdinSource,
  STDIN_CLOSE_FRAME,
  type StdinPump,
  startStdinPump,
} from '../../src/client/start-stdin-pump';
import { ExecProtocolError } from '../../src/errors/exec-protocol-error';
import { ExecRequestError } from '../../src/errors/exec-request-error';
import { waitFor } from '../helpers/processes';

describe('startStdinPump', () => {
  it('releases a Node stream that is waiting for data when stopped', async () => {
    // A pending next() holds an async iterator's return() back until the next chunk: without
    // more, a terminal's stdin would stay open after its session ended and keep the process up.
    const source = new PassThrough();
    const sent: Array<Uint8Array | string> = [];
    const errors: unknown[] = [];
    const pump = startStdinPump(
      source,
      { send: (frame) => sent.push(frame), unsent: () => 0 },
      { highWaterMark: 1024, maxBuffered: 1024, onError: (error) => errors.push(error) },
    );
    pump.open();
    source.write('a');
    await waitFor(() => sent.length === 1, 5000, 'the first chunk to be sent');
    pump.stop();
    await waitFor(() => source.destroyed, 5000, 'the stream to be destroyed');
    expect(sent).toEqual([new Uint8Array([0, 0x61])]);
    expect(errors).toEqual([]);
  });
});

/** A pump on a sink whose unsent bytes the test sets, recording frames and errors. */
const pumpOf = (
  source: ExecStdin,
  limits = { highWaterMark: 100, maxBuffered: 100 },
  unsentOf?: (sent: ReadonlyArray<Uint8Array | string>) => number,
) => {
  const sent: Array<Uint8Array | string> = [];
  const errors: unknown[] = [];
  const state = { unsent: 0 };
  const pump: StdinPump = startStdinPump(
    source,
    { send: (frame) => sent.push(frame), unsent: () => unsentOf?.(sent) ?? state.unsent },
    { ...limits, onError: (error) => errors.push(error) },
  );
  return { pump, sent, errors, state };
};

/** An async iterable whose every next() waits for the test, with what was asked of it. */
const controlledIterable = () => {
  const pending: Array<{ resolve: (result: IteratorResult<unknown>) => void; reject: (e: unknown) => void }> =
    [];
  const calls = { next: 0, return: 0 };
  const iterable = {
    [Symbol.asyncIterator]: () => ({
      next: () => {
        calls.next += 1;
        return new Promise<IteratorResult<unknown>>((resolve, reject) => pending.push({ resolve, reject }));
      },
      return: () => {
        calls.return += 1;
        return Promise.resolve({ done: true as const, value: undefined });
      },
    }),
  } as AsyncIterable<string>;
  return { iterable, pending, calls };
};

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('startStdinPump: what it accepts', () => {
  it('recognises Observables, ReadableStreams and async iterables, and nothing else', () => {
    const accepted = [
      of('a'),
      new ReadableStream(),
      new PassThrough(),
      controlledIterable().iterable,
      { getReader: () => undefined },
    ];
    for (const value of accepted) expect(isStdinSource(value)).toBe(true);
    const refused = [
      null,
      undefined,
      'text',
      5,
      [1, 2],
      new Uint8Array(2),
      {},
      { getReader: 5 },
      new Set(['a']),
    ];
    for (const value of refused) expect(isStdinSource(value)).toBe(false);
  });

  it('reads a minimal ReadableStream (getReader only) through its reader, and cancels it when stopped', async () => {
    let cancelled = 0;
    const chunks = [new Uint8Array([1, 2])];
    const stream = {
      getReader: () => ({
        read: () =>
          Promise.resolve(
            chunks.length > 0 ? { done: false, value: chunks.shift() } : new Promise<never>(() => undefined),
          ),
        cancel: () => {
          cancelled += 1;
          return Promise.resolve();
        },
      }),
    } as unknown as ReadableStream<Uint8Array>;
    const { pump, sent, errors } = pumpOf(stream);
    pump.open();
    await waitFor(() => sent.length === 1, 5000, 'the chunk');
    pump.stop();
    expect(sent).toEqual([new Uint8Array([0, 1, 2])]);
    expect([errors, cancelled]).toEqual([[], 1]);
  });

  it.each([
    [null, 'null'],
    [5, 'number'],
    [new Int16Array(2), 'Int16Array'],
    [new Date(0), 'Date'],
    [Object.create(null) as object, 'object'],
  ])(
    'refuses a chunk that is neither text nor bytes (%p) by its kind, and reads no further',
    async (chunk, kind) => {
      const { iterable, pending, calls } = controlledIterable();
      const { pump, sent, errors } = pumpOf(iterable);
      pump.open();
      await waitFor(() => pending.length === 1, 5000, 'a read');
      pending[0]!.resolve({ done: false, value: chunk });
      await waitFor(() => errors.length === 1, 5000, 'the error');
      await tick();
      expect(errors[0]).toBeInstanceOf(ExecRequestError);
      expect(String(errors[0])).toContain(`stdin: expected strings or Uint8Arrays, got ${kind}`);
      expect([sent, calls.next]).toEqual([[], 1]);
    },
  );
});

describe('startStdinPump: pushed (an Observable)', () => {
  it('fails only past maxBuffered unsent bytes, not at it', () => {
    const source = new Subject<string>();
    const { sent, errors, state } = pumpOf(source);
    state.unsent = 100;
    source.next('a');
    expect(errors).toEqual([]);
    state.unsent = 101;
    source.next('b');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ExecProtocolError);
    expect(String(errors[0])).toContain('maxBufferedStdinBytes');
    expect(sent).toHaveLength(2);
  });

  it.each([
    ['a chunk of the wrong kind', of('a', 5 as unknown as string, 'b'), ExecRequestError],
    ['too much unsent', of('a', 'b', 'c'), ExecProtocolError],
  ])('stops at once when it fails on %s, even a source that pushes synchronously', (_, source, type) => {
    // Every frame counts one unsent byte: the second passes maxBuffered 1.
    const { sent, errors } = pumpOf(
      source,
      { highWaterMark: 100, maxBuffered: 1 },
      (frames) => frames.length,
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(type);
    expect(sent.length).toBeLessThanOrEqual(2);
    expect(sent).not.toContain(STDIN_CLOSE_FRAME);
  });

  it('sends nothing more once stopped, the end included', () => {
    const source = new Subject<string>();
    const { pump, sent } = pumpOf(source);
    source.next('a');
    pump.stop();
    source.next('b');
    source.complete();
    expect(sent).toEqual([new Uint8Array([0, 0x61])]);
    expect(source.observed).toBe(false);
  });
});

describe('startStdinPump: pulled (an async iterable)', () => {
  it('reads while unsent bytes are at the high-water mark, and waits while they are over it', async () => {
    const { iterable, pending, calls } = controlledIterable();
    const { pump, sent, state } = pumpOf(iterable);
    state.unsent = 100;
    pump.open();
    await waitFor(() => calls.next === 1, 5000, 'a read at the mark');
    pending[0]!.resolve({ done: false, value: 'a' });
    await waitFor(() => sent.length === 1, 5000, 'the chunk');
    await tick();
    expect(calls.next).toBe(2);
    pending[1]!.resolve({ done: false, value: 'b' });
    state.unsent = 101;
    await tick();
    await tick();
    expect(calls.next).toBe(2); // over the mark: no read
    state.unsent = 0;
    await waitFor(() => calls.next === 3, 5000, 'a read once drained');
    pending[2]!.resolve({ done: true, value: undefined });
    await waitFor(() => sent.at(-1) === STDIN_CLOSE_FRAME, 5000, 'stdin_close');
    pump.stop();
  });

  it('drops a chunk that arrives after stop, and an error too', async () => {
    const { iterable, pending } = controlledIterable();
    const first = pumpOf(iterable);
    first.pump.open();
    await waitFor(() => pending.length === 1, 5000, 'a read');
    first.pump.stop();
    pending[0]!.resolve({ done: false, value: 'late' });
    await tick();
    expect(first.sent).toEqual([]);

    const failing = controlledIterable();
    const second = pumpOf(failing.iterable);
    second.pump.open();
    await waitFor(() => failing.pending.length === 1, 5000, 'a read');
    second.pump.stop();
    failing.pending[0]!.reject(new Error('source broke after stop'));
    await tick();
    expect([second.sent, second.errors]).toEqual([[], []]);
  });

  it('reports the source failing while the session runs', async () => {
    const { iterable, pending } = controlledIterable();
    const { pump, errors } = pumpOf(iterable);
    pump.open();
    await waitFor(() => pending.length === 1, 5000, 'a read');
    const broken = new Error('disk gone');
    pending[0]!.reject(broken);
    await waitFor(() => errors.length === 1, 5000, 'the error');
    expect(errors).toEqual([broken]);
  });

  it('releases the source once, however often it is stopped', async () => {
    const { iterable, pending, calls } = controlledIterable();
    const { pump } = pumpOf(iterable);
    pump.open();
    await waitFor(() => pending.length === 1, 5000, 'a read');
    pump.stop();
    pump.stop();
    await tick();
    expect(calls.return).toBe(1);
  });
});
