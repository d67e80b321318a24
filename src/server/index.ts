// `superserve-rx/server`: Node-only. A local server that speaks POST /exec/stream by running
// real processes, for development, demos and tests.

export {
  DEFAULT_TIMEOUT_S,
  KEEPALIVE_INTERVAL_MS,
  MAX_OUTPUT_EVENT_BYTES,
  TIMEOUT_EXIT_CODE,
} from './protocol-constants.js';
export { CORS_ALLOWED_HEADERS, CORS_MAX_AGE_S } from './create-cors-policy.js';
export { startLocalSandbox } from './start-local-sandbox.js';
export type { LocalSandbox, LocalSandboxOptions } from './start-local-sandbox.js';
