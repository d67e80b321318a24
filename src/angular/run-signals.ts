import { type Signal, signal } from '@angular/core';
import { map, merge } from 'rxjs';
import { ExecStreamError, isExecStreamError } from '../errors/exec-stream-error.js';
import type { ExecOutput } from '../operators/collect-output.js';
import type { CommandRun } from './command-run.js';
import { keepLastLines } from './keep-last-lines.js';

/** How many stdout lines {@link CommandSignals.lines} keeps by default. */
export const DEFAULT_KEEP_LINES = 1000;

/** Configuration of `SuperserveExec.runSignals`. */
export interface RunSignalsConfig {
  /**
   * How many of the latest stdout lines `lines` holds: a bounded window, so that a command that
   * prints without end costs bounded memory and rendering. A positive integer.
   * @defaultValue 1,000
   */
  readonly keepLines?: number;
}

/** A command's run as Angular signals, for templates. */
export interface CommandSignals {
  /** The last `keepLines` (default 1,000) stdout lines, updated at most once per 16 ms. */
  readonly lines: Signal<readonly string[]>;
  /** `{ stdout, stderr, exitCode, truncated }` once the command finished. */
  readonly result: Signal<ExecOutput | undefined>;
  /** The typed error the run ended with, if it did. */
  readonly error: Signal<ExecStreamError | undefined>;
  /** Whether the run is still going: `true` from the start until it finishes, fails or is cancelled. */
  readonly running: Signal<boolean>;
}

/** `keepLines`, checked: a `TypeError` at call time for anything but a positive integer. */
function checkedKeepLines(config: RunSignalsConfig): number {
  const keepLines = config.keepLines ?? DEFAULT_KEEP_LINES;
  if (!(Number.isSafeInteger(keepLines) && keepLines > 0)) {
    throw new TypeError(`runSignals: keepLines must be a positive integer, got ${String(keepLines)}`);
  }
  return keepLines;
}

/** An error that is not one of the package's own, wrapped in one so that `error` stays typed. */
function typed(error: unknown): ExecStreamError {
  if (isExecStreamError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ExecStreamError(`the run failed: ${message}`, { cause: error });
}

/**
 * Subscribes to `run` at once and mirrors it into signals: `lines` in batches (an animation
 * frame where there is one, else a timer), `result`, `error` and `running`. Needs no rendering
 * and no zone: the signals are set from the run's own callbacks.
 *
 * @param run - The run, not yet subscribed; its end (the caller's destroy) ends the signals too.
 * @param config - How many lines to keep.
 */
export function runSignals(run: CommandRun, config: RunSignalsConfig = {}): CommandSignals {
  const keepLines = checkedKeepLines(config);
  const lines = signal<readonly string[]>([]);
  const result = signal<ExecOutput | undefined>(undefined);
  const error = signal<ExecStreamError | undefined>(undefined);
  const running = signal(true);
  const animationFrames = typeof requestAnimationFrame === 'function';
  // lines$ first: when the run ends, its last batch is set before the result.
  merge(
    run.lines$.pipe(
      keepLastLines({ keepLines, animationFrames }),
      map((kept) => () => lines.set(kept)),
    ),
    run.result$.pipe(map((output) => () => result.set(output))),
  ).subscribe({
    next: (update) => update(),
    error: (failure: unknown) => {
      error.set(typed(failure));
      running.set(false);
    },
    complete: () => running.set(false),
  });
  return {
    lines: lines.asReadonly(),
    result: result.asReadonly(),
    error: error.asReadonly(),
    running: running.asReadonly(),
  };
}
