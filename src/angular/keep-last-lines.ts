import {
  animationFrames,
  asyncScheduler,
  Observable,
  type OperatorFunction,
  Subscription,
  switchMap,
  take,
  timer,
} from 'rxjs';

/** The shortest time between two batches of {@link keepLastLines}: 16 ms, one frame at 60 Hz. */
export const LINE_BATCH_MS = 16;

/** Configuration of {@link keepLastLines}. */
export interface KeepLastLinesConfig {
  /** How many of the latest lines the window holds (a positive integer). */
  readonly keepLines: number;
  /**
   * Whether a batch goes out on an animation frame (`requestAnimationFrame`, browsers), just
   * before the page renders, rather than on a timer.
   */
  readonly animationFrames: boolean;
}

/** Emits once when `waitMs` have passed and then, with `frames`, at the next animation frame. */
function batchDue(waitMs: number, frames: boolean): Observable<unknown> {
  if (!frames) return timer(waitMs);
  const nextFrame$ = animationFrames().pipe(take(1));
  return waitMs > 0 ? timer(waitMs).pipe(switchMap(() => nextFrame$)) : nextFrame$;
}

/**
 * The latest `keepLines` lines, emitted in batches: at most one window per
 * {@link LINE_BATCH_MS}, the first as soon as a line comes (a timer of 0, or the next animation
 * frame), then no sooner than 16 ms after the one before. The lines that wait for a batch are
 * capped at `keepLines` too, so that a flood between two batches holds bounded memory. What is
 * waiting goes out at once when the source completes or errors, before the completion or error.
 *
 * ```text
 * -a-b 20ms c-|             (frames off; each dash 1 ms)
 * > keepLastLines({ keepLines: 2, animationFrames: false })
 * -x 15ms y 8ms (z|)        x: [a]; y: [a, b] (16 ms after x); z: [b, c] (at completion)
 * ```
 *
 * Errors with whatever the source errors with.
 *
 * @param config - How many lines to keep, and whether batches follow animation frames.
 */
export function keepLastLines(config: KeepLastLinesConfig): OperatorFunction<string, readonly string[]> {
  const { keepLines, animationFrames: frames } = config;
  return (source) =>
    new Observable<readonly string[]>((subscriber) => {
      let kept: readonly string[] = [];
      let waiting: string[] = [];
      let due: Subscription | undefined;
      let lastBatchAt = -Infinity;

      const flush = (): void => {
        due?.unsubscribe();
        due = undefined;
        if (waiting.length === 0) return;
        lastBatchAt = asyncScheduler.now();
        const keptToo = Math.max(0, keepLines - waiting.length);
        kept = [...(keptToo > 0 ? kept.slice(-keptToo) : []), ...waiting.slice(-keepLines)];
        waiting = [];
        subscriber.next(kept);
      };

      const subscription = source.subscribe({
        next: (line) => {
          waiting.push(line);
          // Trimmed in one splice per keepLines lines, not one shift per line.
          if (waiting.length >= 2 * keepLines) waiting.splice(0, waiting.length - keepLines);
          if (due !== undefined) return;
          const waitMs = Math.max(0, LINE_BATCH_MS - (asyncScheduler.now() - lastBatchAt));
          // Assigned before subscribing, so that a batch due at once would still be cleared.
          due = new Subscription();
          due.add(batchDue(waitMs, frames).subscribe(flush));
        },
        error: (error: unknown) => {
          flush();
          subscriber.error(error);
        },
        complete: () => {
          flush();
          subscriber.complete();
        },
      });
      return () => {
        subscription.unsubscribe();
        due?.unsubscribe();
      };
    });
}
