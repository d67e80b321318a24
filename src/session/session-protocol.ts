// The wire constants of `GET /exec/connect` (../shared/PROTOCOL.md, "Interactive exec"), shared
// by the session client and the local sandbox.

/** The endpoint's path below the base URL. */
export const EXEC_CONNECT_PATH = '/exec/connect';

/** The subprotocol the client offers first and the server echoes. */
export const EXEC_SUBPROTOCOL = 'superserve.exec.v1';

/** The prefix of the subprotocol that carries the access token; the server never echoes it. */
export const TOKEN_SUBPROTOCOL_PREFIX = 'token.';

/** The first byte of a binary frame: which stream its bytes belong to. */
export const SESSION_CHANNEL = {
  /** Client to server: bytes for the command's stdin. */
  stdin: 0x00,
  /** Server to client: bytes the command wrote to stdout. */
  stdout: 0x01,
  /** Server to client: bytes the command wrote to stderr. */
  stderr: 0x02,
} as const;

/** The most bytes of stdin or output one frame carries (after its channel byte). */
export const MAX_SESSION_FRAME_PAYLOAD_BYTES = 32 * 1024;

/**
 * The signals the service delivers to the process group; it drops any other name. The last
 * three (`SIGKILL`, `SIGUSR1`, `SIGUSR2`) only newer proxies honour: older services drop them
 * silently, as they drop any name they do not know.
 */
export const EXEC_SIGNALS = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGQUIT',
  'SIGKILL',
  'SIGUSR1',
  'SIGUSR2',
] as const;

/** A signal a session can send: the seven the newest service honours. */
export type ExecSignal = (typeof EXEC_SIGNALS)[number];

/** What an access token must be to travel as a subprotocol: RFC 7230 token characters. */
export const SUBPROTOCOL_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Why a token cannot travel as a subprotocol (never the token itself). */
export const SUBPROTOCOL_TOKEN_ISSUE =
  "must be usable in a WebSocket subprotocol (letters, digits and !#$%&'*+-.^_`|~)";
