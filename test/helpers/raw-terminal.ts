import { waitFor } from './processes';
import { dial, type Dialable, type DialOptions, type RawSession } from './ws-session';

/** A raw `/terminal` connection: `dial` with the terminal's path and subprotocols. */
export function dialTerminal(sandbox: Dialable, options: DialOptions = {}): RawSession {
  return dial(sandbox, {
    path: '/terminal',
    protocols: ['superserve.terminal.v1', `token.${sandbox.accessToken}`],
    ...options,
  });
}

/** Everything the terminal wrote so far, as text. */
export function screen(session: RawSession): string {
  return Buffer.concat(session.frames.map((frame) => frame.data)).toString('utf8');
}

/** Waits until the terminal's output matches `pattern`. */
export function waitForScreen(session: RawSession, pattern: RegExp | string, ms = 10_000): Promise<void> {
  const matches = (): boolean =>
    typeof pattern === 'string' ? screen(session).includes(pattern) : pattern.test(screen(session));
  return waitFor(matches, ms, `the terminal to show ${String(pattern)}`);
}

/** Types `text` into the terminal as one binary frame. */
export function type(session: RawSession, text: string | Buffer): void {
  session.ws.send(Buffer.from(text));
}
