/** A chunk of the command's standard output, byte-exact, as one `/exec/connect` frame carried it. */
export interface SessionStdoutEvent {
  /** Discriminant. */
  readonly type: 'stdout';
  /** The bytes, exactly as the command wrote them; a character may be split across events. */
  readonly data: Uint8Array;
}

/** A chunk of the command's standard error, byte-exact. */
export interface SessionStderrEvent {
  /** Discriminant. */
  readonly type: 'stderr';
  /** The bytes, exactly as the command wrote them. */
  readonly data: Uint8Array;
}

/** The command exited: its exit code (124: `timeout_s` expired; 128 + N: killed by signal N). */
export interface SessionFinishedEvent {
  /** Discriminant. */
  readonly type: 'finished';
  /** The process's exit code. */
  readonly exitCode: number;
}

/**
 * What `execSession$` emits: output as it arrives, byte-exact, then exactly one `finished`.
 * The `finished` event has exactly `type` and `exitCode`.
 */
export type ExecSessionEvent = SessionStdoutEvent | SessionStderrEvent | SessionFinishedEvent;
