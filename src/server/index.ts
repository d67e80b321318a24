// `superserve-rx/server`: Node-only. A local server that speaks the exec data plane by running
// real processes, for development, demos and tests; and the control plane's token provider.

export {
  DEFAULT_TIMEOUT_S,
  KEEPALIVE_INTERVAL_MS,
  MAX_OUTPUT_EVENT_BYTES,
  TIMEOUT_EXIT_CODE,
} from './protocol-constants.js';
export { CORS_ALLOWED_HEADERS, CORS_MAX_AGE_S } from './create-cors-policy.js';
export { startLocalSandbox } from './start-local-sandbox.js';
export type { LocalSandbox, LocalSandboxOptions } from './start-local-sandbox.js';
export {
  activateTokenProvider,
  CONFLICT_RETRY_DELAYS_MS,
  DEFAULT_API_URL,
} from '../tokens/activate-token-provider.js';
export type { ActivateTokenProviderConfig } from '../tokens/activate-token-provider.js';
export { ExecActivateError, isExecActivateError } from '../errors/exec-activate-error.js';
export type { ExecActivateErrorInit } from '../errors/exec-activate-error.js';
