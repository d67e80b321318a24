// Run by angular.test.ts under tsx: @angular/core ships only ES modules, which Jest's CommonJS
// runtime cannot load. Exercises the example service through Angular's own injector and prints
// what it observed as JSON.
import { createEnvironmentInjector, type EnvironmentInjector, Injector } from '@angular/core';
import { readFileSync } from 'node:fs';
import { forkJoin, lastValueFrom, toArray } from 'rxjs';
import { startLocalSandbox } from 'superserve-rx/server';
import {
  provideSuperserveExec,
  SUPERSERVE_EXEC_OPTIONS,
  SuperserveExec,
} from '../../examples/angular/superserve-exec';
import { isAlive, waitFor } from '../helpers/processes';

async function main(): Promise<void> {
  const pidFile = process.argv[2]!;
  const sandbox = await startLocalSandbox();
  const options = { baseUrl: sandbox.url, accessToken: sandbox.accessToken };
  const root = createEnvironmentInjector(
    [provideSuperserveExec(options)],
    Injector.create({ providers: [] }) as EnvironmentInjector,
  );
  const report: Record<string, unknown> = {};
  try {
    const exec = root.get(SuperserveExec);
    report.sameInstance = exec === root.get(SuperserveExec);
    report.options = root.get(SUPERSERVE_EXEC_OPTIONS) === options;
    const run = exec.run({ command: 'printf "one\\n\\nthree"; echo oops >&2; exit 4' });
    report.run = await lastValueFrom(forkJoin({ lines: run.lines$.pipe(toArray()), result: run.result$ }));
    const failed = exec.run({ command: 'ls', working_dir: '/no/such/dir' });
    report.failed = await lastValueFrom(failed.result$).catch((error: Error) => error.name);

    const long = exec.run({ command: `echo $$ > ${pidFile}; echo started; sleep 30` });
    report.destroy = await new Promise((resolve) => {
      const seen: string[] = [];
      long.lines$.subscribe({
        next: (line) => {
          seen.push(line);
          root.destroy();
        },
        error: (error: Error) => resolve({ seen, error: error.name }),
        complete: () => resolve({ seen, completed: true }),
      });
    });
    // Still before sandbox.close(): only the destroy can have killed it.
    const pid = Number(readFileSync(pidFile, 'utf8'));
    report.killedByDestroy = await waitFor(() => !isAlive(pid), 5000, 'the command to die').then(
      () => true,
      () => false,
    );
  } finally {
    if (!root.destroyed) root.destroy();
    await sandbox.close();
  }
  console.log(JSON.stringify(report));
}

void main();
