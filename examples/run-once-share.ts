// A cold exec$ runs the command again for each subscriber; share() runs it once for all.
//   npx tsx examples/run-once-share.ts
import { forkJoin, lastValueFrom, share, toArray } from 'rxjs';
import { collectOutput, exec$, type ExecOptions, lines, stdoutText } from 'superserve-rx';
import { startLocalSandbox } from 'superserve-rx/server';

async function main(): Promise<void> {
  const sandbox = await startLocalSandbox();
  let requests = 0;
  const countingFetch: typeof fetch = (input, init) => {
    requests++;
    return fetch(input, init);
  };
  const options: ExecOptions = {
    baseUrl: sandbox.url,
    accessToken: sandbox.accessToken,
    fetch: countingFetch,
  };
  const request = { command: 'echo "run at $(date +%s%N)"' };
  try {
    // Cold: two consumers, two POSTs, two runs (the timestamps differ).
    const cold$ = exec$(request, options);
    const cold = await lastValueFrom(
      forkJoin({ lines: cold$.pipe(stdoutText(), lines(), toArray()), result: cold$.pipe(collectOutput()) }),
    );
    console.log(`cold:   ${requests} requests, same output: ${cold.lines[0] === cold.result.stdout.trim()}`);

    // share(): both consumers subscribe in the same turn and get the one run.
    requests = 0;
    const shared$ = exec$(request, options).pipe(share());
    const shared = await lastValueFrom(
      forkJoin({
        lines: shared$.pipe(stdoutText(), lines(), toArray()),
        result: shared$.pipe(collectOutput()),
      }),
    );
    console.log(
      `shared: ${requests} request,  same output: ${shared.lines[0] === shared.result.stdout.trim()}`,
    );
  } finally {
    await sandbox.close();
  }
}

void main();
