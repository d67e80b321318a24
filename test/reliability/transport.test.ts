import fc from 'fast-check';
import {
  exec$,
  execEither$,
  ExecIncompleteError,
  ExecNetworkError,
  ExecTimeoutError,
  stdoutText,
  withTimeout,
} from 'superserve-rx';
import { right } from 'fp-ts/lib/Either.js';
import { cutPoints, splitAt } from '../helpers/arbitraries';
import { FAULT_TOKEN, type FaultStep, runAgainstFaults, step } from '../helpers/fault-server';
import { outcome } from '../helpers/outcome';
import { activeResources, expectBackToBaseline } from '../helpers/resources';
import { frames, TS } from '../helpers/sse-response';
import { unusedPort } from '../helpers/sse-server';

// Every test here runs over real HTTP against the scripted fault server and, through
// runAgainstFaults, also checks that the server saw the connection closed and that no socket
// or timer is left behind.

const A = frames({ stdout: 'a', timestamp: TS });
const FINISHED = frames({ exit_code: 0, finished: true, timestamp: TS });
const stdoutA = { type: 'stdout', data: 'a', timestamp: TS };
const finished = { type: 'finished', exitCode: 0, timestamp: TS };
const request = { command: 'make' };

describe('transport faults', () => {
  it('connection refused: ExecNetworkError naming ECONNREFUSED, nothing left open', async () => {
    const baseline = activeResources();
    const port = await unusedPort();
    const result = await outcome(
      exec$(request, { baseUrl: `http://127.0.0.1:${port}`, accessToken: FAULT_TOKEN }),
    );
    expect(result.error).toBeInstanceOf(ExecNetworkError);
    expect((result.error as Error).message).toMatch(/^POST \/exec\/stream: fetch failed.*ECONNREFUSED/);
    await expectBackToBaseline(baseline);
  });

  it('connection cut before any byte: ExecNetworkError from fetch', async () => {
    const run = await runAgainstFaults([step.destroy()], (options) => exec$(request, options));
    expect(run.values).toEqual([]);
    expect(run.error).toBeInstanceOf(ExecNetworkError);
    expect((run.error as Error).message).toMatch(/^POST \/exec\/stream: fetch failed/);
    expect(run.request.closedBy).toBe('server');
  });

  describe.each([
    ['between events', A],
    ['mid-line', `${A}data: {"stdo`],
    ['mid-event, after its data line', `${A}data: {"stdout":"b","timestamp":"t"}\n`],
    ['inside the CRLF of its data line', `${A}data: {"stdout":"b","timestamp":"t"}\r`],
    ['before any body byte', ''],
  ])('the body cut %s', (_where, sent) => {
    const values = sent === '' ? [] : [stdoutA];

    it('by a clean end: ExecIncompleteError after the complete events', async () => {
      const run = await runAgainstFaults([step.sseHead(), step.write(sent), step.end()], (options) =>
        exec$(request, options),
      );
      expect(run.values).toEqual(values);
      expect(run.error).toBeInstanceOf(ExecIncompleteError);
      expect(run.request.closedBy).toBe('server');
    });

    it('by a reset: ExecNetworkError after the complete events', async () => {
      const run = await runAgainstFaults([step.sseHead(), step.write(sent), step.destroy()], (options) =>
        exec$(request, options),
      );
      expect(run.values).toEqual(values);
      expect(run.error).toBeInstanceOf(ExecNetworkError);
      expect((run.error as Error).message).toMatch(/^POST \/exec\/stream: reading the response body failed/);
    });
  });

  it('a premature end is a clean completion of execEither$, the terminal contract being exec$’s', async () => {
    const run = await runAgainstFaults(
      [step.sseHead(), step.write(`${A}data: {"std`), step.end()],
      (options) => execEither$(request, options),
    );
    expect(run.values).toEqual([right(stdoutA)]);
    expect(run.completed).toBe(true);
  });

  describe.each([
    ['before the headers', [step.stall()], []],
    ['mid-stream, silent', [step.sseHead(), step.write(A), step.stall()], [stdoutA]],
    [
      'mid-stream, with keepalives every 20 ms',
      [step.sseHead(), step.write(A), step.forever(': keepalive\n\n', 20)],
      [stdoutA],
    ],
  ] as Array<[string, FaultStep[], object[]]>)('a stall %s', (_where, script, values) => {
    it.each([
      ['idle', { idle: 300 }],
      ['total', { total: 300 }],
    ] as const)(
      'ends with ExecTimeoutError(%s) from withTimeout and aborts the request',
      async (kind, limit) => {
        const run = await runAgainstFaults(script, (options) =>
          exec$(request, options).pipe(withTimeout(limit)),
        );
        expect(run.values).toEqual(values);
        expect(run.error).toBeInstanceOf(ExecTimeoutError);
        expect(run.error).toMatchObject({ timeout: kind, ms: 300 });
        expect(run.request.closedBy).toBe('client');
      },
    );
  });

  it('keepalives flow during such a stall, and still do not count as events', async () => {
    const run = await runAgainstFaults(
      [step.sseHead(), step.write(A), step.forever(': keepalive\n\n', 20)],
      (options) => exec$(request, options).pipe(withTimeout({ idle: 300 })),
    );
    expect(run.error).toMatchObject({ timeout: 'idle' });
    // Several keepalives were written after the output event before the idle limit hit.
    expect(run.request.bytesWritten).toBeGreaterThan(A.length + 3 * ': keepalive\n\n'.length);
  });

  it.each([
    ['then keeps the connection open', [step.stall()]],
    ['then floods events', [step.forever(A)]],
    ['then ends', [step.end()]],
  ])('events after the terminal one are ignored: the server %s', async (_name, rest) => {
    const run = await runAgainstFaults(
      [step.sseHead(), step.write(`${A}${FINISHED}${frames({ stdout: 'late', timestamp: TS })}`), ...rest],
      (options) => exec$(request, options),
    );
    expect(run.values).toEqual([stdoutA, finished]);
    expect(run.completed).toBe(true);
  });

  it('the client closes the connection itself after the terminal event', async () => {
    const run = await runAgainstFaults(
      [step.sseHead(), step.write(`${A}${FINISHED}`), step.stall()],
      (options) => exec$(request, options),
    );
    expect(run.completed).toBe(true);
    expect(run.request.closedBy).toBe('client');
  });

  it('any chunking of the same bytes, with delays, gives the same events', async () => {
    const body =
      '\uFEFF: keepalive\r\n\r\n' +
      'data: {"stdout":"héllo 😀\\n","timestamp":"t"}\r\n\r\n' +
      'data: {"stderr":"wörld €\\n",\rdata: "timestamp":"t"}\r\r' +
      'data: {"exit_code":3,"finished":true}\n\n';
    const bytes = Buffer.from(body, 'utf8');
    await fc.assert(
      fc.asyncProperty(cutPoints(), fc.nat({ max: 3 }), async (cuts, delayMs) => {
        const writes = splitAt(bytes, cuts).map((chunk) => step.write(chunk, { delayMs }));
        const run = await runAgainstFaults([step.sseHead(), ...writes, step.end()], (options) =>
          exec$(request, options),
        );
        expect(run.values).toEqual([
          { type: 'stdout', data: 'héllo 😀\n', timestamp: 't' },
          { type: 'stderr', data: 'wörld €\n', timestamp: 't' },
          { type: 'finished', exitCode: 3 },
        ]);
        expect(run.completed).toBe(true);
      }),
      { numRuns: 12 },
    );
  });

  it('1-byte writes, splitting every CRLF and multi-byte character, lose nothing', async () => {
    const text = 'ä€😀\r\n'.repeat(20);
    const run = await runAgainstFaults(
      [step.sseHead(), step.write(`${frames({ stdout: text, timestamp: TS })}\r\n${FINISHED}`, { chunk: 1 })],
      (options) => exec$(request, options).pipe(stdoutText()),
    );
    expect(run.values.join('')).toBe(text);
    expect(run.completed).toBe(true);
  });
});
