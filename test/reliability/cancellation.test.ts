import { type Observable, Subject, take, takeUntil } from 'rxjs';
import { exec$, type ExecOptions, retryOnExecFailed } from 'superserve-rx';
import { type FaultScript, runAgainstFaults, step } from '../helpers/fault-server';
import { activeResources } from '../helpers/resources';
import { frames, TS } from '../helpers/sse-response';

// Unsubscribing at every stage aborts the request (the server sees the client close the
// connection, and the fetch signal is aborted) and, through runAgainstFaults, leaves no
// socket or timer behind.

const request = { command: 'sleep 60' };

/** Runs `pipeline` against `script` with a fetch that records each request's signal. */
async function cancelled<T>(script: FaultScript, pipeline: (options: ExecOptions) => Observable<T>) {
  const signals: AbortSignal[] = [];
  const run = await runAgainstFaults(script, (options) =>
    pipeline({
      ...options,
      fetch: (input, init) => {
        if (init?.signal) signals.push(init.signal);
        return fetch(input, init);
      },
    }),
  );
  // takeUntil and take complete the pipeline when they unsubscribe from exec$.
  expect(run.completed).toBe(true);
  expect(signals).toHaveLength(run.requests.length);
  expect(signals.every((signal) => signal.aborted)).toBe(true);
  return run;
}

describe('unsubscribing', () => {
  it('before the response headers', async () => {
    const received = new Subject<void>();
    const run = await cancelled(
      () => {
        received.next();
        return [step.stall()];
      },
      (options) => exec$(request, options).pipe(takeUntil(received)),
    );
    expect(run.values).toEqual([]);
    expect(run.request.closedBy).toBe('client');
  });

  it('while an error body is being read', async () => {
    const responded = new Subject<void>();
    const run = await cancelled(
      [step.head(503, { 'content-type': 'text/plain' }), step.write('sandbox is'), step.stall()],
      (options) =>
        exec$(request, {
          ...options,
          fetch: async (input, init) => {
            const response = await options.fetch!(input, init);
            // Once the client reads the body, which never ends: the read is pending.
            setImmediate(() => responded.next());
            return response;
          },
        }).pipe(takeUntil(responded)),
    );
    expect(run.request.closedBy).toBe('client');
  });

  it('mid-stream, after the first event', async () => {
    const run = await cancelled(
      [
        step.sseHead(),
        step.write(frames({ stdout: 'a', timestamp: TS })),
        step.forever(': keepalive\n\n', 10),
      ],
      (options) => exec$(request, options).pipe(take(1)),
    );
    expect(run.values).toEqual([{ type: 'stdout', data: 'a', timestamp: TS }]);
    expect(run.request.closedBy).toBe('client');
  });

  it('during the retry backoff: the backoff timer is cleared and no retry is sent', async () => {
    const baseline = activeResources().Timeout ?? 0;
    const inBackoff = new Subject<void>();
    let timersDuringBackoff = 0;
    const run = await cancelled(
      [step.head(503, { 'retry-after': '60' }), step.write('sandbox is paused')],
      (options) =>
        exec$(request, options).pipe(
          retryOnExecFailed({
            delay: () => {
              // The backoff timer starts when this returns; look once it has.
              setImmediate(() => {
                timersDuringBackoff = activeResources().Timeout ?? 0;
                inBackoff.next();
              });
              return 60_000;
            },
          }),
          takeUntil(inBackoff),
        ),
    );
    expect(timersDuringBackoff).toBeGreaterThan(baseline);
    expect(run.requests).toHaveLength(1);
    expect(run.request.closedBy).toBe('server');
    // runAgainstFaults has checked that the Timeout count is back to its baseline.
  });
});
