/**
 * A chunk of the command's standard output. `timestamp` is the RFC 3339 time the service
 * emitted it.
 */
export interface StdoutEvent {
  /** Discriminant. */
  readonly type: 'stdout';
  /** The output text (the service decodes each raw read on its own; invalid UTF-8 is U+FFFD). */
  readonly data: string;
  /**
   * RFC 3339 time the service emitted the chunk; empty for output carried by a legacy terminal
   * frame that had none.
   */
  readonly timestamp: string;
}

/** A chunk of the command's standard error. */
export interface StderrEvent {
  /** Discriminant. */
  readonly type: 'stderr';
  /** The output text. */
  readonly data: string;
  /**
   * RFC 3339 time the service emitted the chunk; empty for output carried by a legacy terminal
   * frame that had none.
   */
  readonly timestamp: string;
}

/**
 * The command ran and exited: the last event of a run. `exitCode` is 124 when the service's
 * `timeout_s` killed it and 128 + N when signal N did.
 */
export interface FinishedEvent {
  /** Discriminant. */
  readonly type: 'finished';
  /** The process's exit code. */
  readonly exitCode: number;
  /** RFC 3339 time the service emitted the event. */
  readonly timestamp?: string;
}

/**
 * The command could not run (the wire's `{error, code}` terminal event). `code` is
 * `exec_failed`, `bad_request`, `gone`, another code, or absent on older servers.
 */
export interface FailedEvent {
  /** Discriminant. */
  readonly type: 'failed';
  /** The service's error code, when it sent one. */
  readonly code?: string;
  /** The service's error text (opaque). */
  readonly message: string;
  /** RFC 3339 time, when the service sent one (it usually does not on this event). */
  readonly timestamp?: string;
}

/**
 * One decoded event of `POST /exec/stream`, discriminated on `type`.
 *
 * @example
 * ```ts
 * function show(event: ExecEvent): string {
 *   switch (event.type) {
 *     case 'stdout':
 *     case 'stderr':
 *       return event.data;
 *     case 'finished':
 *       return `exit ${event.exitCode}`;
 *     case 'failed':
 *       return `could not run: ${event.message}`;
 *   }
 * }
 * ```
 */
export type ExecEvent = StdoutEvent | StderrEvent | FinishedEvent | FailedEvent;

/** The events `exec$` emits: output, then exactly one `finished`. */
export type ExecOutcomeEvent = StdoutEvent | StderrEvent | FinishedEvent;
