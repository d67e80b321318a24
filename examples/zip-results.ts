// Several runs' collectOutput() results, combined with forkJoin into one report.
//   npx tsx examples/zip-results.ts
import { forkJoin, lastValueFrom } from 'rxjs';
import { collectOutput, exec$ } from 'superserve-rx';
import { startLocalSandbox } from 'superserve-rx/server';

async function main(): Promise<void> {
  const sandbox = await startLocalSandbox();
  const options = { baseUrl: sandbox.url, accessToken: sandbox.accessToken };
  try {
    const report = await lastValueFrom(
      forkJoin({
        kernel: exec$({ command: 'uname -s' }, options).pipe(collectOutput()),
        words: exec$({ command: 'printf "a b c\\nd e\\n" | wc -w' }, options).pipe(collectOutput()),
        failing: exec$({ command: 'echo "disk full" >&2; exit 28' }, options).pipe(collectOutput()),
      }),
    );
    for (const [name, result] of Object.entries(report)) {
      const output = (result.stdout || result.stderr).trim();
      console.log(`${name.padEnd(8)} exit ${String(result.exitCode).padEnd(3)} ${output}`);
    }
  } finally {
    await sandbox.close();
  }
}

void main();
