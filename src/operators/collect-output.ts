import { Observable, type OperatorFunction } from 'rxjs';
import type { ExecEvent } from '../codec/exec-event.js';
import type { ExecSessionEvent } from '../codec/exec-session-event.js';
import { untilFinished } from './until-finished.js';

/** The default cap of each collected stream: 10 MiB of UTF-8. */
export const DEFAULT_COLLECT_MAX_BYTES = 10 * 1024 * 1024;

/** A finished run's output and exit code. */
export interface ExecOutput {
  /** All of stdout, up to the cap. */
  readonly stdout: string;
  /** All of stderr, up to the cap. */
  readonly stderr: string;
  /** The exit code (124: the service's `timeout_s` expired; 128 + N: killed by signal N). */
  readonly exitCode: number;
  /** Whether stdout or stderr was cut at the cap. */
  readonly truncated: boolean;
}

/** Configuration of {@link collectOutput}. */
export interface CollectOutputConfig {
  /**
   * The most bytes (UTF-8) kept of each of stdout and stderr; the rest is dropped and
   * `truncated` is set. The cut never splits a character.
   * @defaultValue 10 MiB
   */
  readonly maxBytes?: number;
}

/**
 * Collects a run into one value: stdout, stderr, the exit code and whether output was cut.
 * Applies {@link untilFinished}, so a `failed` event or a missing terminal event is an error.
 * Takes `exec$` events (text) and `execSession$` events (bytes, decoded with one streaming
 * UTF-8 decoder per stream, so that a character split across frames comes out whole).
 *
 * ```text
 * --o--e--o--f--|     o: stdout; e: stderr; f: finished (exit 0)
 * > collectOutput()
 * -----------(r|)     r: { stdout, stderr, exitCode: 0, truncated: false }
 * ```
 *
 * Errors with `ExecFailedError`, `ExecIncompleteError`, and whatever the source errors with.
 *
 * @param config - The cap per stream.
 * @example
 * ```ts
 * exec$({ command: 'git status --short' })
 *   .pipe(collectOutput())
 *   .subscribe(({ stdout, exitCode }) => console.log(exitCode, stdout));
 * ```
 */
export function collectOutput(
  config: CollectOutputConfig = {},
): OperatorFunction<ExecEvent | ExecSessionEvent, ExecOutput> {
  const maxBytes = config.maxBytes ?? DEFAULT_COLLECT_MAX_BYTES;
  if (!(Number.isSafeInteger(maxBytes) && maxBytes >= 0)) {
    throw new TypeError(`collectOutput: maxBytes must be a non-negative integer, got ${String(maxBytes)}`);
  }
  return (source) =>
    new Observable<ExecOutput>((subscriber) => {
      const stdout = createCappedText(maxBytes);
      const stderr = createCappedText(maxBytes);
      return source.pipe(untilFinished<ExecEvent | ExecSessionEvent>()).subscribe({
        next: (event) => {
          if (event.type === 'stdout') stdout.append(event.data);
          else if (event.type === 'stderr') stderr.append(event.data);
          else {
            stdout.end();
            stderr.end();
            subscriber.next({
              stdout: stdout.text(),
              stderr: stderr.text(),
              exitCode: event.exitCode,
              truncated: stdout.truncated() || stderr.truncated(),
            });
          }
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    });
}

/**
 * Text kept up to a UTF-8 byte cap, as fragments joined once. Session output arrives as bytes:
 * it goes through one streaming decoder, so that a character split across frames is whole.
 */
function createCappedText(maxBytes: number) {
  const fragments: string[] = [];
  let bytes = 0;
  let cut = false;
  let decoder: TextDecoder | undefined;
  const appendText = (data: string): void => {
    if (cut || data === '') return;
    const fit = utf8Fit(data, maxBytes - bytes);
    fragments.push(fit.units === data.length ? data : data.slice(0, fit.units));
    bytes += fit.bytes;
    cut = fit.units < data.length;
  };
  return {
    append(data: string | Uint8Array): void {
      if (cut) return;
      if (typeof data === 'string') return appendText(data);
      decoder ??= new TextDecoder('utf-8');
      appendText(decoder.decode(data, { stream: true }));
    },
    /** The output ended: a character left incomplete by the last bytes becomes U+FFFD. */
    end(): void {
      if (decoder !== undefined) appendText(decoder.decode());
    },
    text: (): string => fragments.join(''),
    truncated: (): boolean => cut,
  };
}

/**
 * How much of `text` fits in `maxBytes` of UTF-8 without splitting a character: the UTF-16
 * units and the bytes they take. A lone surrogate counts as U+FFFD (3 bytes).
 *
 * @param text - The text to measure.
 * @param maxBytes - The room left.
 */
export function utf8Fit(text: string, maxBytes: number): { readonly units: number; readonly bytes: number } {
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const unit = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    const pair = unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff;
    const size = unit < 0x80 ? 1 : unit < 0x800 ? 2 : pair ? 4 : 3;
    if (bytes + size > maxBytes) break;
    bytes += size;
    i += pair ? 2 : 1;
  }
  return { units: i, bytes };
}
