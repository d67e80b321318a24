// withTimeout and retryOnExecFailed composed, and the typed errors they produce.
//   npx tsx examples/timeout-and-retry.ts
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defer, lastValueFrom } from 'rxjs';
import {
  collectOutput,
  exec$,
  type ExecOptions,
  isExecFailedError,
  isExecHttpError,
  isExecTimeoutError,
  retryOnExecFailed,
  withTimeout,
} from 'superserve-rx';
import { startLocalSandbox } from 'superserve-rx/server';

function describe(error: unknown): string {
  if (isExecTimeoutError(error)) return `${error.name}: ${error.timeout} limit of ${error.ms} ms`;
  if (isExecFailedError(error)) return `${error.name} (${error.code}): ${error.message}`;
  if (isExecHttpError(error)) return `${error.name} ${error.status}: ${error.body}`;
  return String(error);
}

async function attempt(label: string, run: Promise<unknown>): Promise<void> {
  try {
    console.log(`${label}: ${JSON.stringify(await run)}`);
  } catch (error) {
    console.log(`${label}: ${describe(error)}`);
  }
}

async function main(): Promise<void> {
  const sandbox = await startLocalSandbox();
  const options: ExecOptions = { baseUrl: sandbox.url, accessToken: sandbox.accessToken };
  const scratch = mkdtempSync(join(tmpdir(), 'superserve-rx-example-'));
  const later = join(scratch, 'created-later');
  try {
    // exec_failed is transient: the directory appears before the second attempt, which succeeds.
    let attempts = 0;
    await attempt(
      'retry',
      lastValueFrom(
        defer(() => {
          attempts++;
          return exec$({ command: 'pwd', working_dir: later }, options);
        }).pipe(
          retryOnExecFailed({
            delay: () => {
              mkdirSync(later, { recursive: true });
              return 100;
            },
          }),
          collectOutput(),
        ),
      ).then((result) => `exit ${result.exitCode} after ${attempts} attempts`),
    );

    // The client's idle deadline: no event for 300 ms ends the run (and kills the command).
    await attempt(
      'idle',
      lastValueFrom(exec$({ command: 'echo hi; sleep 5' }, options).pipe(withTimeout({ idle: 300 }))),
    );

    // Both composed: retries happen inside the total deadline.
    await attempt(
      'total',
      lastValueFrom(
        exec$({ command: 'sleep 5' }, options).pipe(
          retryOnExecFailed(),
          withTimeout({ total: 400, idle: 10_000 }),
        ),
      ),
    );

    // 401 is not retried: a wrong token fails at once.
    await attempt(
      'auth',
      lastValueFrom(
        exec$({ command: 'true' }, { ...options, accessToken: 'wrong' }).pipe(retryOnExecFailed()),
      ),
    );

    // The service's own timeout is not an error: exit code 124.
    await attempt(
      'timeout_s',
      lastValueFrom(exec$({ command: 'sleep 5', timeout_s: 1 }, options).pipe(collectOutput())).then(
        (result) => `exit ${result.exitCode}`,
      ),
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    await sandbox.close();
  }
}

void main();
