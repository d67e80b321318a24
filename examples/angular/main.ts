// superserve-rx/angular through Angular's own dependency injection, outside any app:
//   npx tsx examples/angular/main.ts
// (An Angular CLI app with a component and a route: examples/angular-app/.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createEnvironmentInjector,
  type EnvironmentInjector,
  inject,
  Injector,
  runInInjectionContext,
} from '@angular/core';
import { forkJoin, lastValueFrom, of, Subject, tap, toArray } from 'rxjs';
import { stdoutText } from 'superserve-rx';
import { provideSuperserve, SuperserveExec } from 'superserve-rx/angular';
import { startLocalSandbox } from 'superserve-rx/server';
import WebSocket from 'ws';

/** Resolves when `check` holds, polling every 10 ms. */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
}

async function main(): Promise<void> {
  const sandbox = await startLocalSandbox();
  // The local sandbox's paths are this machine's: files go to a fresh directory.
  const scratch = mkdtempSync(join(tmpdir(), 'superserve-rx-angular-'));
  // An application's root injector, as bootstrapApplication would create it from app.config.ts.
  const root = createEnvironmentInjector(
    // Browsers have a WebSocket for sessions; Node 20 needs the ws package's.
    [provideSuperserve({ baseUrl: sandbox.url, accessToken: sandbox.accessToken, webSocket: WebSocket })],
    Injector.create({ providers: [] }) as EnvironmentInjector,
  );
  try {
    const exec = root.get(SuperserveExec);

    // Signals, as a component's template reads them.
    const signals = exec.runSignals({ command: 'printf "one\\ntwo\\n"; exit 4' });
    await until(() => !signals.running());
    console.log(`signals: ${signals.lines().join(', ')}; exit ${signals.result()?.exitCode}`);

    // A session: stdin is a Subject, as a component's input box would drive it; its first
    // answer completes stdin (EOF), and the command exits.
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

    // A terminal, as a component hands it to attachTerminal with an xterm.js widget: a shell per
    // subscription, ended with the context it was called in (here it exits by itself).
    const screen = await lastValueFrom(
      exec.terminal$({ input: of('echo "answer: $((6*7))"; exit\r') }).pipe(stdoutText(), toArray()),
    );
    console.log(`terminal: answer ${/answer: (\d+)\r\n/.exec(screen.join(''))?.[1]}; shell exited`);

    // Started in an injection context (a component's, a route's), a run ends with it: leaving
    // the route aborts the request, and the sandbox kills the command.
    const route = createEnvironmentInjector([], root);
    const long = runInInjectionContext(route, () =>
      inject(SuperserveExec).runSignals({ command: 'echo started; sleep 30' }),
    );
    await until(() => long.lines().length > 0);
    route.destroy();
    console.log(`long run: ${long.lines().join(', ')}; running ${long.running()} after the route's destroy`);

    // An upload with progress, as a component binds it to <progress [value]="sent()" [max]="total()">
    // (in a browser the content is the File from an <input type="file">, a Blob).
    const upload = await lastValueFrom(
      exec.writeFile$(`${scratch}/upload.bin`, new Blob([new Uint8Array(1024 * 1024)])).pipe(toArray()),
    );
    const last = upload.filter((event) => event.type === 'progress').at(-1);
    const written = upload.at(-1);
    console.log(
      `upload: progress ${last?.sentBytes} of ${last?.totalBytes} bytes; ${written?.type} ${written?.type === 'written' ? written.size : ''} bytes`,
    );
  } finally {
    root.destroy();
    await sandbox.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

void main();
