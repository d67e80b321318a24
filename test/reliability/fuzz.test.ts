import fc from 'fast-check';
import { isLeft } from 'fp-ts/lib/Either.js';
import type { Observable } from 'rxjs';
import {
  createSseDecoder,
  decodeExecEvents,
  exec$,
  ExecDecodeError,
  execEither$,
  ExecFailedError,
  ExecIncompleteError,
  ExecNetworkError,
  type ExecOptions,
  ExecProtocolError,
} from 'superserve-rx';
import { cutPoints, splitAt } from '../helpers/arbitraries';
import { type Outcome, outcome } from '../helpers/outcome';
import { fakeFetch, streamResponse } from '../helpers/sse-response';

// Arbitrary bytes into the SSE and decode layers: whatever arrives, the result is values and a
// completion, or values and a typed error; never an uncaught exception, never a hang.

/** The data of one frame: mostly exec events (valid or nearly), sometimes any JSON or any text. */
const TS = '2026-11-07T05:31:56.123456789Z';
const frameData = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .oneof(
        fc.string({ unit: 'binary', maxLength: 8 }).map((text) => ({ stdout: text, timestamp: TS })),
        fc.string({ maxLength: 8 }).map((text) => ({ stderr: text, timestamp: TS })),
        fc.integer({ min: 0, max: 255 }).map((code) => ({ exit_code: code, finished: true, timestamp: TS })),
        fc.constantFrom('exec_failed', 'gone').map((code) => ({ code, error: 'e', finished: true })),
      )
      .map((frame) => JSON.stringify(frame)),
  },
  {
    weight: 2,
    arbitrary: fc
      .record(
        {
          stdout: fc.string({ unit: 'binary', maxLength: 8 }),
          stderr: fc.string({ maxLength: 4 }),
          timestamp: fc.constant(TS),
          exit_code: fc.oneof(fc.integer({ min: -1, max: 255 }), fc.constant(1.5), fc.constant('0')),
          finished: fc.boolean(),
          error: fc.string({ maxLength: 4 }),
          code: fc.constantFrom('exec_failed', 'bad_request', 'gone', ''),
        },
        { requiredKeys: [] },
      )
      .map((frame) => JSON.stringify(frame)),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
);

/** One SSE line: mostly data, sometimes a comment or another field. */
const line = fc.oneof(
  { weight: 5, arbitrary: frameData.map((data) => `data: ${data}`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(': keepalive', 'event: x', 'id: 1', 'retry: 5', 'foo: bar', 'data:'),
  },
);

const eol = fc.constantFrom('\n', '\r', '\r\n');

/** An event: one to three lines and (usually) the blank line that ends it. */
const event = fc
  .tuple(fc.array(line, { minLength: 1, maxLength: 3 }), eol, fc.boolean(), fc.nat({ max: 9 }))
  .map(
    ([lines, end, bom, blank]) =>
      `${bom && blank === 0 ? '\uFEFF' : ''}${lines.join(end)}${end}${blank > 0 ? end : ''}`,
  );

/** A body of events, then damaged: arbitrary bytes (often invalid UTF-8) inserted, and maybe cut short. */
const body = fc
  .tuple(
    fc.array(event, { minLength: 1, maxLength: 8 }),
    fc.array(fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 4 })), { maxLength: 3 }),
    // Cut short one time in four, anywhere (at a percentage of its length).
    fc.oneof(
      { weight: 3, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 99 }) },
    ),
  )
  .map(([events, insertions, cut]) => {
    let bytes = Buffer.from(events.join(''), 'utf8');
    for (const [at, inserted] of insertions) {
      const position = at % (bytes.length + 1);
      bytes = Buffer.concat([bytes.subarray(0, position), inserted, bytes.subarray(position)]);
    }
    return cut === undefined ? bytes : bytes.subarray(0, Math.floor((cut * bytes.length) / 100));
  });

/** What a fuzzed body ends with: a clean end or a broken connection. */
const ending = fc.constantFrom('end', 'reset');

/** No cap, or a small one that the fuzzed bodies often exceed. */
const cap = fc.option(fc.integer({ min: 1, max: 64 }), { nil: undefined });

/**
 * Runs a client over fuzzed bodies, chunkings, endings and caps, and checks each outcome; the
 * outcome's promise not settling would be the hang this rules out.
 */
function fuzzClient<T>(
  client: (request: { command: string }, options: ExecOptions) => Observable<T>,
  check: (result: Outcome<T>, end: string, maxEventLength: number | undefined) => void,
): Promise<void> {
  return fc.assert(
    fc.asyncProperty(body, cutPoints(), ending, cap, async (bytes, cuts, end, maxEventLength) => {
      const chunks = splitAt(new Uint8Array(bytes), cuts);
      const fetch = fakeFetch(() =>
        streamResponse(chunks, end === 'reset' ? { failWith: new TypeError('terminated') } : {}),
      );
      const options = {
        baseUrl: 'https://fuzz.test',
        accessToken: 'fuzz-token',
        fetch,
        ...(maxEventLength !== undefined && { maxEventLength }),
      };
      check(await outcome(client({ command: 'x' }, options)), end, maxEventLength);
    }),
    { numRuns: 300 },
  );
}

describe('fuzz: arbitrary byte streams', () => {
  it('createSseDecoder + decodeExecEvents: messages decode to events or an ExecDecodeError; only the cap throws', () => {
    fc.assert(
      fc.property(body, cutPoints(), cap, (bytes, cuts, maxEventLength) => {
        const decoded: unknown[] = [];
        const decoder = createSseDecoder({
          onData: (data) => decoded.push(decodeExecEvents(data)),
          ...(maxEventLength !== undefined && { maxEventLength }),
        });
        try {
          for (const chunk of splitAt(new Uint8Array(bytes), cuts)) decoder.push(chunk);
          decoder.end();
        } catch (error) {
          expect(error).toBeInstanceOf(ExecProtocolError);
          expect(maxEventLength).toBeDefined();
        }
        for (const either of decoded as ReturnType<typeof decodeExecEvents>[]) {
          if (isLeft(either)) expect(either.left).toBeInstanceOf(ExecDecodeError);
          else
            for (const event of either.right)
              expect(['stdout', 'stderr', 'finished', 'failed']).toContain(event.type);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('execEither$: Eithers, then completion, ExecProtocolError (cap) or ExecNetworkError (reset)', () =>
    fuzzClient(execEither$, (result, end, maxEventLength) => {
      for (const value of result.values) expect(['Left', 'Right']).toContain(value._tag);
      if (result.completed) {
        expect(end).toBe('end');
      } else if (result.error instanceof ExecProtocolError) {
        expect(maxEventLength).toBeDefined();
      } else {
        expect(result.error).toBeInstanceOf(ExecNetworkError);
        expect(end).toBe('reset');
      }
    }));

  it('exec$: output then exactly one finished and completion, or a typed error', () =>
    fuzzClient(exec$, (result) => {
      const finished = result.values.filter((event) => event.type === 'finished');
      if (result.completed) {
        expect(finished).toHaveLength(1);
        expect(result.values[result.values.length - 1]).toBe(finished[0]);
      } else {
        expect(finished).toHaveLength(0);
        expect(
          [ExecDecodeError, ExecFailedError, ExecIncompleteError, ExecNetworkError, ExecProtocolError].some(
            (type) => result.error instanceof type,
          ),
        ).toBe(true);
      }
    }));
});
