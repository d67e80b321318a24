import {
  catchError,
  from,
  identity,
  map,
  mergeMap,
  type MonoTypeOperatorFunction,
  type Observable,
  type ObservableInput,
  of,
  throwError,
} from 'rxjs';
import type { ExecOutcomeEvent } from '../codec/exec-event.js';
import type { ExecRequest } from '../codec/exec-request.js';
import { exec$ } from './exec.js';
import type { ExecOptions } from './exec-options.js';

/** One run of {@link execAll$}: a request, optionally its own options, and anything else you attach. */
export interface ExecAllRun {
  /** What to run. */
  readonly request: ExecRequest;
  /** Options for this run, over {@link ExecAllConfig.options}. */
  readonly options?: ExecOptions;
}

/** How a run of {@link execAll$} ended without finishing: its error, as a value. */
export interface ExecRunError {
  /** Discriminant, beside the output and `finished` event types. */
  readonly type: 'error';
  /** What the run's stream errored with: an `ExecStreamError` subclass. */
  readonly error: unknown;
}

/** One event of one run of {@link execAll$}, tagged with the run it belongs to. */
export interface ExecAllEvent<R extends ExecAllRun = ExecAllRun> {
  /** The run, exactly as given (so names and other fields you attached are there). */
  readonly run: R;
  /** Output, then exactly one `finished` or `error`. */
  readonly event: ExecOutcomeEvent | ExecRunError;
}

/** Configuration of {@link execAll$}. */
export interface ExecAllConfig {
  /**
   * The most runs at once.
   * @defaultValue 4
   */
  readonly concurrency?: number;
  /**
   * Whether the first failed run errors the whole stream and stops the other runs (aborting
   * their requests). By default a failure is the run's last event (`type: 'error'`) and the
   * other runs go on.
   * @defaultValue false
   */
  readonly failFast?: boolean;
  /** Options for every run; a run's own `options` are merged over them. */
  readonly options?: ExecOptions;
  /** An operator applied to each run's `exec$`, e.g. `withTimeout(...)` or `retryOnExecFailed()`. */
  readonly each?: MonoTypeOperatorFunction<ExecOutcomeEvent>;
}

/**
 * Runs many commands with a concurrency limit and merges their events, each tagged with its
 * run. A run that fails (could not run, HTTP error, timeout...) ends with a `{ type: 'error' }`
 * event instead of tearing down its siblings, unless `failFast` is set. Completes when every
 * run has ended. Unsubscribing aborts every running request.
 *
 * ```text
 * runs:  a, b           (concurrency 2)
 * a:     --o--f|
 * b:     ---e--x        x: ExecHttpError
 * > execAll$([a, b])
 * --AB-A(B|)            A: { run: a, event }, B: { run: b, event }; b's last event is { type: 'error' }
 * ```
 *
 * Errors only with `failFast`, then with the first run's error.
 *
 * @param runs - The runs, in the order they start (an array, an iterable or an Observable).
 * @param config - Concurrency, failure policy, shared options and a per-run operator.
 * @example
 * ```ts
 * execAll$(
 *   [
 *     { name: 'lint', request: { command: 'npm run lint' } },
 *     { name: 'test', request: { command: 'npm test' } },
 *   ],
 *   { concurrency: 2, options: { accessToken }, each: withTimeout({ total: 600_000 }) },
 * ).subscribe(({ run, event }) => {
 *   if (event.type === 'stdout') process.stdout.write(`[${run.name}] ${event.data}`);
 *   if (event.type === 'finished') console.log(`${run.name}: exit ${event.exitCode}`);
 *   if (event.type === 'error') console.error(`${run.name}: ${String(event.error)}`);
 * });
 * ```
 */
export function execAll$<R extends ExecAllRun>(
  runs: ObservableInput<R>,
  config: ExecAllConfig = {},
): Observable<ExecAllEvent<R>> {
  const { concurrency = 4, failFast = false, options = {}, each = identity } = config;
  if (!(concurrency === Infinity || (Number.isSafeInteger(concurrency) && concurrency > 0))) {
    throw new TypeError(
      `execAll$: concurrency must be a positive integer or Infinity, got ${String(concurrency)}`,
    );
  }
  return from(runs).pipe(
    mergeMap(
      (run) =>
        exec$(run.request, { ...options, ...run.options }).pipe(
          each,
          map((event): ExecAllEvent<R> => ({ run, event })),
          catchError((error: unknown) =>
            failFast
              ? throwError(() => error)
              : of<ExecAllEvent<R>>({ run, event: { type: 'error', error } }),
          ),
        ),
      concurrency,
    ),
  );
}
