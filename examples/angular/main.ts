// The Angular service through Angular's own dependency injection, outside any app:
//   npx tsx examples/angular/main.ts
import { createEnvironmentInjector, type EnvironmentInjector, Injector } from '@angular/core';
import { forkJoin, lastValueFrom, toArray } from 'rxjs';
import { startLocalSandbox } from 'superserve-rx/server';
import { provideSuperserveExec, SuperserveExec } from './superserve-exec.js';

async function main(): Promise<void> {
  const sandbox = await startLocalSandbox();
  // An application's root injector, as bootstrapApplication would create it.
  const root = createEnvironmentInjector(
    [provideSuperserveExec({ baseUrl: sandbox.url, accessToken: sandbox.accessToken })],
    Injector.create({ providers: [] }) as EnvironmentInjector,
  );
  try {
    const exec = root.get(SuperserveExec);
    const run = exec.run({ command: 'printf "one\\ntwo\\n"; exit 4' });
    const { lines, result } = await lastValueFrom(
      forkJoin({ lines: run.lines$.pipe(toArray()), result: run.result$ }),
    );
    console.log(`lines: ${lines.join(', ')}; exit ${result.exitCode}`);

    // Destroying the injector cancels its runs: the request is aborted, the command killed.
    const long = exec.run({ command: 'echo started; sleep 30' });
    const ended = new Promise<string>((resolve) =>
      long.lines$.subscribe({ next: () => root.destroy(), complete: () => resolve('completed on destroy') }),
    );
    console.log(`long run: ${await ended}`);
  } finally {
    if (!root.destroyed) root.destroy();
    await sandbox.close();
  }
}

void main();
