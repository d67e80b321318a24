import type { CorsPolicy } from './create-cors-policy.js';
import type { RunRegistry } from './create-run-registry.js';
import type { ZipLimits } from './zip-directory.js';

/** What every endpoint of one local sandbox shares: its settings, its tokens and its runs. */
export interface SandboxContext {
  /** The sandbox's id: the `{id}` of `POST /sandboxes/{id}/activate`. */
  readonly sandboxId: string;
  /** The environment commands start from; each request's `env` is merged over it. */
  readonly baseEnv: NodeJS.ProcessEnv;
  /** The working directory of commands whose request gives none. */
  readonly workingDir: string;
  /** The interval of `: keepalive` comments on `/exec/stream`. */
  readonly keepaliveMs: number;
  /** The largest request body of the POST endpoints. */
  readonly maxBodyBytes: number;
  /** The largest WebSocket frame of `/exec/connect`. */
  readonly maxFrameBytes: number;
  /** How long a session may take to send its start frame. */
  readonly sessionStartTimeoutMs: number;
  /** How often sessions are pinged; a client that does not answer is dropped. */
  readonly pingIntervalMs: number;
  /** How long a POST body may take (`/exec`), or pause (`/files` uploads), before it is dropped. */
  readonly requestTimeoutMs: number;
  /** The largest file `POST /files` takes. */
  readonly maxUploadBytes: number;
  /** The limits of a `format=zip` archive. */
  readonly zipLimits: ZipLimits;
  /** The browser origins allowed. */
  readonly cors: CorsPolicy;
  /**
   * Checks a presented token in constant time: `missing`, `invalid` or `ok`. With a token
   * window, the current and the previous window's tokens are `ok`.
   */
  readonly authorize: (token: string | undefined) => 'missing' | 'invalid' | 'ok';
  /** A token valid now: the fixed one, or the current window's. */
  readonly currentToken: () => string;
  /** Checks a presented API key in constant time (`invalid` for any when the sandbox has none). */
  readonly authorizeApiKey: (key: string | undefined) => 'missing' | 'invalid' | 'ok';
  /** Every run in flight, under one concurrency limit. */
  readonly runs: RunRegistry;
}
