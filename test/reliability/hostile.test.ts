import { exec$, ExecHttpError, ExecProtocolError, MAX_EVENT_LENGTH } from 'superserve-rx';
import { type FaultStep, runAgainstFaults, step } from '../helpers/fault-server';

// A hostile or broken server must not make the client buffer without bound. Over real HTTP:
// the client gives up with a typed error after about its cap and closes the connection, so the
// server's endless writes stop. `bytesWritten` is what the server managed to hand its socket
// before that: the cap plus what the loopback socket buffers and the client's last read held.

const request = { command: 'make' };
const MiB = 1024 * 1024;
/** Room for the kernel's loopback socket buffers and undici's read-ahead beyond the cap. */
const SOCKET_SLACK = 16 * MiB;

describe('a hostile server', () => {
  it.each([
    ['an endless data line', [step.sseHead(), step.write('data: '), step.forever('x')]],
    ['an endless comment line', [step.sseHead(), step.write(': '), step.forever('x')]],
    [
      'an endless event: data lines with no blank line',
      [step.sseHead(), step.forever(`data: ${'y'.repeat(1000)}\n`)],
    ],
  ] as Array<[string, FaultStep[]]>)(
    '%s: ExecProtocolError at the default cap, the connection closed by the client',
    async (_name, script) => {
      const run = await runAgainstFaults(script, (options) => exec$(request, options));
      expect(run.values).toEqual([]);
      expect(run.error).toBeInstanceOf(ExecProtocolError);
      expect((run.error as Error).message).toBe(
        `an SSE line or event exceeded ${MAX_EVENT_LENGTH} characters without ending`,
      );
      expect(run.request.closedBy).toBe('client');
      expect(run.request.bytesWritten).toBeGreaterThan(MAX_EVENT_LENGTH);
      expect(run.request.bytesWritten).toBeLessThan(MAX_EVENT_LENGTH + SOCKET_SLACK);
    },
  );

  it('maxEventLength sets the cap, counted in characters', async () => {
    const run = await runAgainstFaults([step.sseHead(), step.write('data: '), step.forever('é')], (options) =>
      exec$(request, { ...options, maxEventLength: 100_000 }),
    );
    expect(run.error).toBeInstanceOf(ExecProtocolError);
    expect((run.error as Error).message).toMatch(/exceeded 100000 characters/);
    expect(run.request.closedBy).toBe('client');
    expect(run.request.bytesWritten).toBeLessThan(100_000 * 2 + SOCKET_SLACK);
  });

  it('an event just under the cap is delivered', async () => {
    const data = 'z'.repeat(50_000);
    const frame = `data: {"stdout":"${data}","timestamp":"t"}\n\ndata: {"exit_code":0,"finished":true}\n\n`;
    const run = await runAgainstFaults([step.sseHead(), step.write(frame, { chunk: 4096 })], (options) =>
      exec$(request, { ...options, maxEventLength: 50_100 }),
    );
    expect(run.values).toEqual([
      { type: 'stdout', data, timestamp: 't' },
      { type: 'finished', exitCode: 0 },
    ]);
  });

  it('a huge error body is read only up to 4 KiB, then the client closes the connection', async () => {
    const run = await runAgainstFaults(
      [step.head(500, { 'content-type': 'text/plain' }), step.forever('x')],
      (options) => exec$(request, options),
    );
    expect(run.error).toBeInstanceOf(ExecHttpError);
    expect((run.error as ExecHttpError).body).toBe('x'.repeat(4096));
    expect((run.error as Error).message).toMatch(/^POST \/exec\/stream failed with 500: x{200}…$/);
    expect(run.request.closedBy).toBe('client');
    expect(run.request.bytesWritten).toBeLessThan(SOCKET_SLACK);
  });
});
