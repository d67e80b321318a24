import type { ExecOptions } from 'superserve-rx';
import { type LocalSandbox, type LocalSandboxOptions, startLocalSandbox } from 'superserve-rx/server';

/** Exec options for a started local sandbox, with the sandbox itself. */
export type SandboxOptions = ExecOptions & { accessToken: string; sandbox: LocalSandbox };

/**
 * Starts local sandboxes for one test file and closes them after each test: call
 * `sandboxes.start()` in a test, and `sandboxes.closeAll()` from `afterEach`.
 */
export function localSandboxes() {
  const started: LocalSandbox[] = [];
  return {
    async start(options: LocalSandboxOptions = {}): Promise<SandboxOptions> {
      const sandbox = await startLocalSandbox(options);
      started.push(sandbox);
      return { baseUrl: sandbox.url, accessToken: sandbox.accessToken, sandbox };
    },
    closeAll: (): Promise<void> => Promise.all(started.splice(0).map((s) => s.close())).then(() => undefined),
  };
}

/** A raw `fetch` to a sandbox: POST /exec/stream with JSON and its token unless `init` says otherwise. */
export function post(
  options: ExecOptions & { accessToken?: string },
  init: RequestInit & { path?: string } = {},
): Promise<Response> {
  return fetch(`${options.baseUrl}${init.path ?? '/exec/stream'}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-access-token': options.accessToken ?? '' },
    ...init,
  });
}
