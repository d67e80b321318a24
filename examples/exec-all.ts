// execAll$: many runs with a concurrency limit, each failure kept as a value so that one
// failing run does not stop its siblings.
//   npx tsx examples/exec-all.ts
import { lastValueFrom, tap } from 'rxjs';
import { execAll$, withTimeout } from 'superserve-rx';
import { startLocalSandbox } from 'superserve-rx/server';

async function main(): Promise<void> {
  const sandbox = await startLocalSandbox();
  const runs = [
    { name: 'ok', request: { command: 'echo fine' } },
    { name: 'exit-2', request: { command: 'exit 2' } },
    { name: 'no-dir', request: { command: 'ls', working_dir: '/no/such/dir' } },
    { name: 'slow', request: { command: 'sleep 5' } },
  ];
  try {
    await lastValueFrom(
      execAll$(runs, {
        concurrency: 2,
        options: { baseUrl: sandbox.url, accessToken: sandbox.accessToken },
        each: withTimeout({ total: 500 }),
      }).pipe(
        tap(({ run, event }) => {
          if (event.type === 'stdout') console.log(`[${run.name}] ${event.data.trim()}`);
          if (event.type === 'finished') console.log(`[${run.name}] exit ${event.exitCode}`);
          if (event.type === 'error') console.log(`[${run.name}] ${(event.error as Error).name}`);
        }),
      ),
    );
  } finally {
    await sandbox.close();
  }
}

void main();
