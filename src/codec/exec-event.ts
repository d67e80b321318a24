/**
 * A chunk of the command's standard output. `timestamp` is the RFC 3339 time the service
 * emitted it.
 */
export interface StdoutEvent {
  readonly type: 'stdout';
  readonly data: string;
  readonly timestamp: string;
}

/** A chunk of the command's standard error. */
export interface StderrEvent {
  readonly type: 'stderr';
  readonly data: string;
  readonly timestamp: string;
}

/**
 * The command ran and exited: the last event of a run. `exitCode` is 124 when the service's
 * `timeout_s` killed it and 128 + N when signal N did.
 */
export interface FinishedEvent {
  readonly type: 'finished';
  readonly exitCode: number;
  readonly timestamp?: string;
}

/**
 * The command could not run (the wire's `{error, code}` terminal event). `code` is
 * `exec_failed`, `bad_request`, `gone`, another code, or absent on older servers.
 */
export interface FailedEvent {
  readonly type: 'failed';
  readonly code?: string;
  readonly message: string;
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
