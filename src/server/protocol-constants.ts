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
