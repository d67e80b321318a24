import { type Observable, type Observer, Observable as RxObservable, type Subscription } from 'rxjs';
import type { TerminalSize } from '../session/terminal-protocol.js';
import type { TerminalEvent, TerminalIO } from './terminal.js';

/** A listener registration, as xterm.js returns one. */
export interface XtermDisposable {
  /** Removes the listener. */
  dispose(): void;
}

/** What `attachTerminal` needs of a terminal widget: xterm.js's `Terminal`, structurally. */
export interface XtermLike {
  /** The current width in columns. */
  readonly cols: number;
  /** The current height in rows. */
  readonly rows: number;
  /** Keystrokes and pastes, as text. */
  onData(listener: (data: string) => void): XtermDisposable;
  /** Input that is not text (some mouse reports): one character per byte. */
  onBinary(listener: (data: string) => void): XtermDisposable;
  /** The widget's new size after a resize (a fit addon's `fit()`, say). */
  onResize(listener: (size: { cols: number; rows: number }) => void): XtermDisposable;
  /** Writes output to the screen. */
  write(data: Uint8Array): void;
}

/**
 * Attaches a terminal widget (xterm.js's `Terminal`, or anything shaped like it) to a remote
 * terminal: keystrokes (`onData`, as UTF-8) and binary input (`onBinary`, as bytes) become the
 * input, the widget's size now and after each `onResize` becomes the resizes, and every output
 * chunk is written to it as bytes (xterm.js decodes UTF-8 itself, a character split across two
 * chunks included). No runtime dependency on xterm.js.
 *
 * Unsubscribing the returned `Subscription` closes the socket (and so ends the shell), disposes
 * the listeners, and nothing is written to the widget afterwards: unsubscribe before you
 * `dispose()` the widget.
 *
 * @param term - The widget.
 * @param terminal - Opens the remote terminal with the widget's input: `(io) => terminal$(io, options)`.
 * @param observer - Told when the shell exited (`complete`) or the terminal failed (`error`); output
 *   events too, if it wants them.
 * @example
 * ```ts
 * import { Terminal } from '@xterm/xterm';
 * import { FitAddon } from '@xterm/addon-fit';
 *
 * const term = new Terminal();
 * const fit = new FitAddon();
 * term.loadAddon(fit);
 * term.open(document.getElementById('terminal')!);
 * fit.fit();
 * const attached = attachTerminal(term, (io) => terminal$(io, { baseUrl, accessToken }), {
 *   complete: () => term.write('\r\n[shell exited]\r\n'),
 * });
 * window.addEventListener('resize', () => fit.fit());
 * // later: attached.unsubscribe(); term.dispose();
 * ```
 */
export function attachTerminal(
  term: XtermLike,
  terminal: (io: TerminalIO) => Observable<TerminalEvent>,
  observer: Partial<Observer<TerminalEvent>> = {},
): Subscription {
  const input = new RxObservable<string | Uint8Array>((subscriber) => {
    const typed = term.onData((data) => subscriber.next(data));
    const binary = term.onBinary((data) => subscriber.next(latin1Bytes(data)));
    return () => {
      typed.dispose();
      binary.dispose();
    };
  });
  const resize = new RxObservable<TerminalSize>((subscriber) => {
    subscriber.next({ cols: term.cols, rows: term.rows });
    const resized = term.onResize(({ cols, rows }) => subscriber.next({ cols, rows }));
    return () => resized.dispose();
  });
  let attached = true;
  const subscription = terminal({ input, resize }).subscribe({
    next: (event) => {
      if (!attached) return;
      term.write(event.data);
      observer.next?.(event);
    },
    // Without an error callback, an error is reported as unhandled rather than lost.
    ...(observer.error !== undefined && { error: (error: unknown) => observer.error?.(error) }),
    complete: () => observer.complete?.(),
  });
  subscription.add(() => {
    attached = false;
  });
  return subscription;
}

/** xterm.js's binary strings carry one byte per character. */
function latin1Bytes(data: string): Uint8Array {
  const bytes = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) bytes[i] = data.charCodeAt(i) & 0xff;
  return bytes;
}
