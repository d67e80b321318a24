import type { OperatorFunction } from 'rxjs';
import type { ExecEvent } from '../codec/exec-event.js';
import type { ExecSessionEvent } from '../codec/exec-session-event.js';
import { outputText } from './output-text.js';

/**
 * Keeps the text of `stderr` events and drops every other event (the terminal event and its
 * errors still end the stream).
 *
 * ```text
 * --a--o--b--f--|     a, b: stderr "a", "b"; o: stdout; f: finished
 * > stderrText()
 * --a-----b-----|
 * ```
 *
 * Errors with whatever the source errors with.
 *
 * @example
 * ```ts
 * exec$({ command: 'make' }).pipe(stderrText()).subscribe((text) => process.stderr.write(text));
 * ```
 */
export function stderrText(): OperatorFunction<ExecEvent | ExecSessionEvent, string> {
  return outputText('stderr');
}
