// The wire constants of `GET /terminal` (../shared/PROTOCOL.md, "Terminal"), shared by the
// terminal client and the local sandbox.

/** The endpoint's path below the base URL. */
export const TERMINAL_PATH = '/terminal';

/** The subprotocol the client offers first (then `token.<accessToken>`) and the server echoes. */
export const TERMINAL_SUBPROTOCOL = 'superserve.terminal.v1';

/**
 * The most bytes one client message may hold; a larger one closes the terminal with 1009
 * (`read limited at 65537 bytes`) and kills the shell. Input is sent in frames of at most this
 * many bytes.
 */
export const MAX_TERMINAL_INPUT_FRAME_BYTES = 64 * 1024;

/** The most bytes of output one server frame carries. */
export const MAX_TERMINAL_OUTPUT_FRAME_BYTES = 16 * 1024;

/** The close reason of a client message over {@link MAX_TERMINAL_INPUT_FRAME_BYTES}. */
export const TERMINAL_READ_LIMIT_REASON = `read limited at ${MAX_TERMINAL_INPUT_FRAME_BYTES + 1} bytes`;

/** The close reason when the shell exited and all its output was sent (code 1000). */
export const SHELL_EXITED_REASON = 'shell exited';

/** The close reason when the shell could not start (code 1011). */
export const SHELL_DID_NOT_START_REASON = 'shell did not start';

/**
 * The signals a terminal delivers to the shell (bash itself, not the program it runs): an
 * interactive bash ignores SIGTERM and SIGQUIT and does not pass SIGINT on; SIGHUP ends it. To
 * interrupt the running program, send the byte `0x03` (Ctrl-C) as input.
 */
export const TERMINAL_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;

/** A signal a terminal can send to its shell. */
export type TerminalSignal = (typeof TERMINAL_SIGNALS)[number];

/** A terminal's size in character cells. */
export interface TerminalSize {
  /** Columns: an integer in 1..65535. */
  readonly cols: number;
  /** Rows: an integer in 1..65535. */
  readonly rows: number;
}

/** The largest number of columns or rows a terminal can have (the kernel keeps them in 16 bits). */
export const MAX_TERMINAL_DIMENSION = 65535;

/** Whether a value is a usable terminal dimension: an integer in 1..65535. */
export function isTerminalDimension(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_TERMINAL_DIMENSION;
}
