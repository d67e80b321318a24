import { type Observable, share, takeUntil } from 'rxjs';
import type { ExecEvent } from '../codec/exec-event.js';
import type { ExecSessionEvent } from '../codec/exec-session-event.js';
import { type ExecOutput, collectOutput } from '../operators/collect-output.js';
import { lines } from '../operators/lines.js';
import { stdoutText } from '../operators/stdout-text.js';

/** One command's run or session: its stdout lines as they arrive, and its result at the end. */
export interface CommandRun {
  /** stdout, line by line. */
  readonly lines$: Observable<string>;
  /** `{ stdout, stderr, exitCode, truncated }` once the command finished; typed errors otherwise. */
  readonly result$: Observable<ExecOutput>;
}

/**
 * `lines$` and `result$` over one shared subscription of `events$`: the first of them to be
 * subscribed starts the run, and the other joins it. When `ended$` emits, both complete, and
 * the run is unsubscribed (its request aborted or its socket closed).
 *
 * @param events$ - A run's or a session's events.
 * @param ended$ - When the run ends early: the destroy of the context it belongs to.
 */
export function commandRun(
  events$: Observable<ExecEvent | ExecSessionEvent>,
  ended$: Observable<unknown>,
): CommandRun {
  const shared$ = events$.pipe(share());
  return {
    lines$: shared$.pipe(stdoutText(), lines(), takeUntil(ended$)),
    result$: shared$.pipe(collectOutput(), takeUntil(ended$)),
  };
}
