// The Angular service through Angular's own dependency injection, outside any app:
//   npx tsx examples/angular/main.ts
import { createEnvironmentInjector, type EnvironmentInjector, Injector } from '@angular/core';
import { forkJoin, lastValueFrom, Subject, tap, toArray } from 'rxjs';
import { startLocalSandbox } from 'superserve-rx/server';
import WebSocket from 'ws';
import { provideSuperserveExec, SuperserveExec } from './superserve-exec.js';

async function main(): Promise<void> {
  const sandbox = await startLocalSandbox();
  // An application's root injector, as bootstrapApplication would create it.
  const root = createEnvironmentInjector(
    // Browsers have a WebSocket for sessions; Node 20 needs the ws package's.
    [provideSuperserveExec({ baseUrl: sandbox.url, accessToken: sandbox.accessToken, webSocket: WebSocket })],
    Injector.create({ providers: [] }) as EnvironmentInjector,
  );
  try {
    const exec = root.get(SuperserveExec);
    const run = exec.run({ command: 'printf "one\\ntwo\\n"; exit 4' });
    const { lines, result } = await lastValueFrom(
      forkJoin({ lines: run.lines$.pipe(toArray()), result: run.result$ }),
    );
    console.log(`lines: ${lines.join(', ')}; exit ${result.exitCode}`);

    // A session: stdin is a Subject, as a component's input box would drive it. The command
    // answers a line while stdin is still open; here its first answer completes stdin (EOF),
    // and it exits.
    const stdin = new Subject<string>();
    const echo = exec.session({ command: 'while read -r line; do echo "you said: $line"; done' }, { stdin });
    const answered = lastValueFrom(
      forkJoin({
        lines: echo.lines$.pipe(
          tap(() => stdin.complete()),
          toArray(),
        ),
        result: echo.result$,
      }),
    );
    stdin.next('hello\n');
    const session = await answered;
    console.log(`session: ${session.lines.join(', ')}; exit ${session.result.exitCode}`);

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
