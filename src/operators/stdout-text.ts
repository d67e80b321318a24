import type { OperatorFunction } from 'rxjs';
import type { ExecEvent } from '../codec/exec-event.js';
import type { ExecSessionEvent } from '../codec/exec-session-event.js';
import { outputText } from './output-text.js';

/**
 * Keeps the text of `stdout` events and drops every other event (the terminal event and its
 * errors still end the stream).
 *
 * ```text
 * --a--e--b--f--|     a, b: stdout "a", "b"; e: stderr; f: finished
 * > stdoutText()
 * --a-----b-----|
 * ```
 *
 * Errors with whatever the source errors with.
 *
 * @example
 * ```ts
 * exec$({ command: 'ls' }).pipe(stdoutText()).subscribe((text) => process.stdout.write(text));
 * ```
 */
export function stdoutText(): OperatorFunction<ExecEvent | ExecSessionEvent, string> {
  return outputText('stdout');
}
