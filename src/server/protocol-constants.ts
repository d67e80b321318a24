/** The most bytes of raw process output one output event carries, as on the service. */
export const MAX_OUTPUT_EVENT_BYTES = 32 * 1024;

/** How often the service writes a `: keepalive` comment, from the start of the stream. */
export const KEEPALIVE_INTERVAL_MS = 15_000;

/** The service's `timeout_s` when the request gives none (or 0). */
export const DEFAULT_TIMEOUT_S = 30;

/** The exit code reported when `timeout_s` expired and the process group was killed. */
export const TIMEOUT_EXIT_CODE = 124;

/** The longest delay a Node timer supports; longer `timeout_s` values are clamped to it. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The budget `POST /exec` shares between stdout and stderr, in JSON-encoded bytes (8 MiB). */
export const SYNC_OUTPUT_BUDGET_BYTES = 8 * 1024 * 1024;

/** What `POST /exec` appends to stderr when output was dropped, as the service words it. */
export const SYNC_TRUNCATION_MARKER = `\n[superserve] output truncated: combined stdout/stderr exceeded the sync exec limit (${SYNC_OUTPUT_BUDGET_BYTES} bytes); use /exec/stream or redirect output to a file for full output\n`;

/** The largest `/exec/connect` frame the service takes from a client; larger closes with 1009. */
export const MAX_SESSION_FRAME_BYTES = 4 * 1024 * 1024;

/** How long `/exec/connect` waits for the start frame before dropping the socket. */
export const SESSION_START_TIMEOUT_MS = 10_000;

/** How often `/exec/connect` pings; a client whose pong does not come within 10 s is dropped. */
export const SESSION_PING_INTERVAL_MS = 30_000;

/** The largest file `POST /files` takes (4 GiB); past it, 413 `request body too large`. */
export const MAX_UPLOAD_BYTES = 4 * 1024 * 1024 * 1024;

/** The most entries one `GET /files?format=json` lists; past it, `truncated: true`. */
export const MAX_LISTING_ENTRIES = 10_000;

/** The most entries a `format=zip` archive holds; past it the archive silently ends, still valid. */
export const MAX_ZIP_ENTRIES = 100_000;

/** The most file bytes a `format=zip` archive holds (2 GiB); past it the archive silently ends. */
export const MAX_ZIP_BYTES = 2 * 1024 * 1024 * 1024;

/** The roots `/files` refuses, themselves and everything below them, symlinks resolved. */
export const FILES_DENIED_ROOTS = ['/proc', '/sys', '/dev'] as const;
/** How long a `/terminal` connection may go with no data message either way (10 minutes). */
export const TERMINAL_IDLE_MS = 10 * 60 * 1000;

/** How long a `/terminal` connection may last (4 hours). */
export const TERMINAL_MAX_MS = 4 * 60 * 60 * 1000;

/** Unsent bytes a WebSocket endpoint (`/exec/connect`, `/terminal`) may queue before it pauses its
 * process's output, and at or below which it resumes it. */
export const SOCKET_OUTPUT_HIGH_WATER = 1024 * 1024;
export const SOCKET_OUTPUT_LOW_WATER = 256 * 1024;

/** How long a WebSocket endpoint's closing handshake may take before the socket is dropped. */
export const SOCKET_CLOSE_GRACE_MS = 1000;
