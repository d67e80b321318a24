// N commands at once with mergeMap and a concurrency limit, each line tagged with its run.
//   npx tsx examples/merge-many.ts
import { from, lastValueFrom, map, mergeMap, tap } from 'rxjs';
import { exec$, lines, stdoutText } from 'superserve-rx';
import { startLocalSandbox } from 'superserve-rx/server';

const RUNS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
const CONCURRENCY = 2;

async function main(): Promise<void> {
  const sandbox = await startLocalSandbox();
  const options = { baseUrl: sandbox.url, accessToken: sandbox.accessToken };
  let running = 0;
  let peak = 0;
  try {
    await lastValueFrom(
      from(RUNS).pipe(
        mergeMap((name) => {
          running++;
          peak = Math.max(peak, running);
          return exec$({ command: `echo "${name} starts"; sleep 0.2; echo "${name} ends"` }, options).pipe(
            stdoutText(),
            lines(),
            map((line) => `[${name}] ${line}`),
            tap({ finalize: () => running-- }),
          );
        }, CONCURRENCY),
        tap((line) => console.log(line)),
      ),
    );
    console.log(`${RUNS.length} runs, at most ${peak} at once`);
  } finally {
    await sandbox.close();
  }
}

void main();
