import {
  defer,
  type MonoTypeOperatorFunction,
  type SchedulerLike,
  asyncScheduler,
  retry,
  tap,
  throwError,
  timer,
} from 'rxjs';
import { isExecFailedError } from '../errors/exec-failed-error.js';
import { isExecHttpError } from '../errors/exec-http-error.js';
import { isExecNetworkError } from '../errors/exec-network-error.js';

/** HTTP statuses worth another attempt: too many connections, sandbox unreachable or paused. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/** The first backoff delay, in ms; it doubles per retry up to {@link MAX_RETRY_DELAY_MS}. */
export const INITIAL_RETRY_DELAY_MS = 500;

/** The longest backoff delay, in ms. */
export const MAX_RETRY_DELAY_MS = 10_000;

/** Configuration of {@link retryOnExecFailed}. */
export interface RetryOnExecFailedConfig {
  /**
   * The most retries after the first attempt.
   * @defaultValue 3
   */
  readonly count?: number;
  /**
   * The wait before retry number `attempt` (1 for the first retry), in ms: a number for a fixed
   * wait, or a function of the attempt and the error. A server's `Retry-After` is honoured
   * as a minimum either way.
   * @defaultValue 500 ms, doubling per retry, at most 10 s
   */
  readonly delay?: number | ((attempt: number, error: unknown) => number);
  /**
   * The scheduler for the waits (a `TestScheduler` in tests).
   * @defaultValue `asyncScheduler`
   */
  readonly scheduler?: SchedulerLike;
}

/**
 * Re-subscribes, and so runs the command again, when the service refused or could not start
 * the run, or the request never got an answer: `ExecFailedError` with code `exec_failed` (the
 * service's "try again"), `ExecHttpError` 429, 502, 503 or 504 (after at least its
 * `Retry-After`), or `ExecNetworkError` in the `fetch` phase; and only when the failed attempt
 * emitted no value. A stream that broke after its response began (`ExecNetworkError` in the
 * `body` phase) is never retried: the command was running. Every other error passes through.
 *
 * Use it on commands that are safe to run twice: the service sends no headers until the first
 * output or keepalive (up to 15 s), so a connection lost in that window after the request was
 * sent fails in the `fetch` phase although the command may have started. Put it directly after
 * `exec$`, before operators such as `stdoutText()` that drop events, so that "emitted no value"
 * counts every event.
 *
 * ```text
 * --#                 #: ExecFailedError('exec_failed'); retried after 500 ms
 * > retryOnExecFailed()
 * -- 500ms --a--f--|
 *
 * --a--#              #: ExecNetworkError after a value: not retried
 * > retryOnExecFailed()
 * --a--#
 * ```
 *
 * Errors with the last attempt's error when retries run out or the error is not retryable.
 *
 * @param config - How often and how long to wait.
 * @example
 * ```ts
 * exec$({ command: 'make' }).pipe(retryOnExecFailed({ count: 5 }), stdoutText());
 * ```
 */
export function retryOnExecFailed<T>(config: RetryOnExecFailedConfig = {}): MonoTypeOperatorFunction<T> {
  const { count = 3, delay, scheduler = asyncScheduler } = config;
  if (!(Number.isSafeInteger(count) && count >= 0)) {
    throw new TypeError(`retryOnExecFailed: count must be a non-negative integer, got ${String(count)}`);
  }
  if (delay !== undefined && typeof delay !== 'function' && !(Number.isFinite(delay) && delay >= 0)) {
    throw new TypeError(
      `retryOnExecFailed: delay must be a non-negative number or a function, got ${String(delay)}`,
    );
  }
  const waitFor = (attempt: number, error: unknown): number => {
    const chosen =
      typeof delay === 'function'
        ? delay(attempt, error)
        : (delay ?? Math.min(INITIAL_RETRY_DELAY_MS * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS));
    const retryAfter = isExecHttpError(error) ? (error.retryAfterMs ?? 0) : 0;
    return Math.max(chosen, retryAfter);
  };
  return (source) =>
    defer(() => {
      // Once an attempt has emitted, its error is final: no later attempt follows it.
      let emitted = false;
      return source.pipe(
        tap(() => {
          emitted = true;
        }),
        retry({
          count,
          delay: (error: unknown, attempt: number) =>
            !emitted && isRetryable(error)
              ? timer(waitFor(attempt, error), scheduler)
              : throwError(() => error),
        }),
      );
    });
}

function isRetryable(error: unknown): boolean {
  return (
    (isExecFailedError(error) && error.code === 'exec_failed') ||
    (isExecHttpError(error) && RETRYABLE_STATUSES.has(error.status)) ||
    (isExecNetworkError(error) && error.phase === 'fetch')
  );
}
