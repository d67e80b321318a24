import {
  type MonoTypeOperatorFunction,
  type Observable,
  type SchedulerLike,
  asyncScheduler,
  identity,
  mergeMap,
  pipe,
  takeUntil,
  throwError,
  timeout,
  timer,
} from 'rxjs';
import { ExecTimeoutError } from '../errors/exec-timeout-error.js';

/** Configuration of {@link withTimeout}. */
export interface WithTimeoutConfig {
  /** The most milliseconds the whole run may take, from subscription to completion. */
  readonly total?: number;
  /**
   * The most milliseconds without an event, from subscription to the first event and then
   * between events. Keepalive comments do not count: they show the connection is alive, not
   * that the command makes progress.
   */
  readonly idle?: number;
  /**
   * The scheduler for the timers (a `TestScheduler` in tests).
   * @defaultValue `asyncScheduler`
   */
  readonly scheduler?: SchedulerLike;
}

/**
 * Errors with {@link ExecTimeoutError} when the run takes longer than `total` ms or no event
 * arrives for `idle` ms, and unsubscribes from the source, which aborts the request (the
 * service then kills the command). A plain number is a `total` limit. This is the client's
 * deadline; the request's `timeout_s` is the service's, which ends the run with exit code 124.
 *
 * ```text
 * --a--b-----------c--|
 * > withTimeout({ idle: 5 })
 * --a--b----#         #: ExecTimeoutError('idle', 5)
 *
 * --a--a--a--a--a--a--|
 * > withTimeout(10)
 * --a--a--a-#         #: ExecTimeoutError('total', 10)
 * ```
 *
 * Errors with `ExecTimeoutError`, and with whatever the source errors with.
 *
 * @param config - A total limit in ms, or the `total` and `idle` limits.
 * @example
 * ```ts
 * exec$({ command: 'npm test' }).pipe(withTimeout({ total: 600_000, idle: 60_000 }));
 * ```
 */
export function withTimeout<T>(config: number | WithTimeoutConfig): MonoTypeOperatorFunction<T> {
  const { total, idle, scheduler = asyncScheduler } = typeof config === 'number' ? { total: config } : config;
  for (const [name, ms] of [
    ['total', total],
    ['idle', idle],
  ] as const) {
    if (ms !== undefined && !(Number.isFinite(ms) && ms > 0)) {
      throw new TypeError(
        `withTimeout: ${name} must be a positive number of milliseconds, got ${String(ms)}`,
      );
    }
  }
  if (total === undefined && idle === undefined) {
    throw new TypeError('withTimeout: give a total or an idle limit');
  }
  const idleLimit: MonoTypeOperatorFunction<T> =
    idle === undefined
      ? identity
      : timeout({
          each: idle,
          with: (): Observable<never> => throwError(() => new ExecTimeoutError('idle', idle)),
          scheduler,
        });
  // takeUntil passes a notifier error downstream and then unsubscribes from the source.
  const totalLimit: MonoTypeOperatorFunction<T> =
    total === undefined
      ? identity
      : takeUntil(
          timer(total, scheduler).pipe(
            mergeMap(() => throwError(() => new ExecTimeoutError('total', total))),
          ),
        );
  return pipe(idleLimit, totalLimit);
}
