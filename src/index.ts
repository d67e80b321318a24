// The browser-safe root entry: explicit named exports only, nothing from node:*.

export { decodeExecEvents } from './codec/decode-exec-events.js';
export type {
  ExecEvent,
  ExecOutcomeEvent,
  FailedEvent,
  FinishedEvent,
  StderrEvent,
  StdoutEvent,
} from './codec/exec-event.js';
export type {
  ExecSessionEvent,
  SessionFinishedEvent,
  SessionStderrEvent,
  SessionStdoutEvent,
} from './codec/exec-session-event.js';
export { ExecFrame } from './codec/exec-frame.js';
export { decodeExecRequest, EXEC_REQUEST_FIELDS, ExecRequest } from './codec/exec-request.js';
export type { DecodeExecRequestConfig } from './codec/exec-request.js';

export { createSseDecoder, MAX_EVENT_LENGTH } from './sse/create-sse-decoder.js';

export { createStdinEncoder } from './session/create-stdin-encoder.js';
export type { StdinEncoder } from './session/create-stdin-encoder.js';
export { decodeSessionFrame } from './session/decode-session-frame.js';
export { sessionCloseError } from './session/session-close-error.js';
export {
  EXEC_CONNECT_PATH,
  EXEC_SIGNALS,
  EXEC_SUBPROTOCOL,
  MAX_SESSION_FRAME_PAYLOAD_BYTES,
  SESSION_CHANNEL,
  TOKEN_SUBPROTOCOL_PREFIX,
} from './session/session-protocol.js';
export type { ExecSignal } from './session/session-protocol.js';
export { decodeTerminalFrame } from './session/decode-terminal-frame.js';
export { terminalCloseError } from './session/terminal-close-error.js';
export {
  MAX_TERMINAL_DIMENSION,
  MAX_TERMINAL_INPUT_FRAME_BYTES,
  MAX_TERMINAL_OUTPUT_FRAME_BYTES,
  TERMINAL_PATH,
  TERMINAL_SIGNALS,
  TERMINAL_SUBPROTOCOL,
} from './session/terminal-protocol.js';
export type { TerminalSignal, TerminalSize } from './session/terminal-protocol.js';
export type { SseDecoder, SseDecoderConfig } from './sse/create-sse-decoder.js';

export type { AccessTokenContext, AccessTokenProvider } from './tokens/access-token-attempt.js';
export { cachedTokenProvider } from './tokens/cached-token-provider.js';
export { createExecClient } from './client/create-exec-client.js';
export { execAll$ } from './client/exec-all.js';
export type { ExecAllConfig, ExecAllEvent, ExecAllRun, ExecRunError } from './client/exec-all.js';
export type { ExecClient } from './client/create-exec-client.js';
export { exec$ } from './client/exec.js';
export { execEither$ } from './client/exec-either.js';
export {
  DEFAULT_BASE_URL,
  DEFAULT_MAX_BUFFERED_STDIN_BYTES,
  EXEC_STREAM_PATH,
  FILES_PATH,
} from './client/exec-options.js';
export { execSession$, STDIN_HIGH_WATER_MARK } from './client/exec-session.js';
export type { ExecSessionIO } from './client/exec-session.js';
export { terminal$ } from './client/terminal.js';
export { attachTerminal } from './client/attach-terminal.js';
export type { XtermDisposable, XtermLike } from './client/attach-terminal.js';
export type { TerminalEvent, TerminalIO } from './client/terminal.js';
export type { ExecStdin } from './client/start-stdin-pump.js';
export type { WebSocketConstructor, WebSocketLike } from './client/web-socket-like.js';
export type { ExecOptions } from './client/exec-options.js';
export { writeFile$, PROGRESS_INTERVAL_MS } from './client/write-file.js';
export type { FileWriteEvent } from './client/write-file.js';
export type { FileContent } from './client/upload-body.js';
export { readFile$ } from './client/read-file.js';
export { readTextFile$ } from './client/read-text-file.js';
export { listFiles$ } from './client/list-files.js';
export { downloadDir$ } from './client/download-dir.js';
export type { XmlHttpRequestConstructor, XmlHttpRequestLike } from './client/xml-http-request-like.js';
export type { FileEntry, FileListing } from './codec/file-listing.js';

export { collectOutput, DEFAULT_COLLECT_MAX_BYTES } from './operators/collect-output.js';
export type { CollectOutputConfig, ExecOutput } from './operators/collect-output.js';
export { DEFAULT_MAX_LINE_LENGTH, lines } from './operators/lines.js';
export type { LinesConfig } from './operators/lines.js';
export { outputText } from './operators/output-text.js';
export {
  INITIAL_RETRY_DELAY_MS,
  MAX_RETRY_DELAY_MS,
  RETRYABLE_STATUSES,
  retryOnExecFailed,
} from './operators/retry-on-exec-failed.js';
export type { RetryOnExecFailedConfig } from './operators/retry-on-exec-failed.js';
export { stderrText } from './operators/stderr-text.js';
export { stdoutText } from './operators/stdout-text.js';
export { untilFinished } from './operators/until-finished.js';
export { withTimeout } from './operators/with-timeout.js';
export type { WithTimeoutConfig } from './operators/with-timeout.js';

export { ExecDecodeError, isExecDecodeError, MAX_DECODE_ERROR_DATA } from './errors/exec-decode-error.js';
export { ExecFailedError, isExecFailedError } from './errors/exec-failed-error.js';
export { ExecHttpError, isExecHttpError } from './errors/exec-http-error.js';
export type { ExecHttpErrorInit } from './errors/exec-http-error.js';
export { ExecIncompleteError, isExecIncompleteError } from './errors/exec-incomplete-error.js';
export type { ExecIssue } from './errors/exec-issue.js';
export { ExecNetworkError, isExecNetworkError } from './errors/exec-network-error.js';
export type { ExecNetworkEndpoint } from './errors/exec-network-error.js';
export { ExecProtocolError, isExecProtocolError } from './errors/exec-protocol-error.js';
export { ExecRequestError, isExecRequestError } from './errors/exec-request-error.js';
export { ExecStreamError, isExecStreamError } from './errors/exec-stream-error.js';
export { ExecTimeoutError, isExecTimeoutError } from './errors/exec-timeout-error.js';
