// Run by angular.test.ts under tsx: @angular/core ships only ES modules, which Jest's CommonJS
// runtime cannot load. Exercises the example service through Angular's own injector and prints
// what it observed as JSON.
import { createEnvironmentInjector, type EnvironmentInjector, Injector } from '@angular/core';
import { readFileSync } from 'node:fs';
import { forkJoin, lastValueFrom, map, Subject, tap, toArray } from 'rxjs';
import type { ExecSignal } from 'superserve-rx';
import { startLocalSandbox } from 'superserve-rx/server';
import WebSocket from 'ws';
import {
  type CommandRun,
  provideSuperserveExec,
  SUPERSERVE_EXEC_OPTIONS,
  SuperserveExec,
} from '../../examples/angular/superserve-exec';
import { isAlive, waitFor } from '../helpers/processes';

/** Subscribes to `run.lines$`, destroying `injector` at the first line; what it saw, and how it ended. */
function destroyAtFirstLine(run: CommandRun, injector: EnvironmentInjector): Promise<unknown> {
  return new Promise((resolve) => {
    const seen: string[] = [];
    run.lines$.subscribe({
      next: (line) => {
        seen.push(line);
        injector.destroy();
      },
      error: (error: Error) => resolve({ seen, error: error.name }),
      complete: () => resolve({ seen, completed: true }),
    });
  });
}

/** Whether the process whose pid `pidFile` holds dies within 5 s. */
function dies(pidFile: string): Promise<boolean> {
  const pid = Number(readFileSync(pidFile, 'utf8'));
  return waitFor(() => !isAlive(pid), 5000, 'the command to die').then(
    () => true,
    () => false,
  );
}

async function main(): Promise<void> {
  const pidFile = process.argv[2]!;
  const sandbox = await startLocalSandbox();
  // Node 20 has no global WebSocket: sessions dial with the one the options carry.
  const options = { baseUrl: sandbox.url, accessToken: sandbox.accessToken, webSocket: WebSocket };
  const injector = (): EnvironmentInjector =>
    createEnvironmentInjector(
      [provideSuperserveExec(options)],
      Injector.create({ providers: [] }) as EnvironmentInjector,
    );
  const root = injector();
  // Sessions get an injector of their own, destroyed by the last of their checks.
  const sessions = injector();
  const report: Record<string, unknown> = {};
  try {
    const exec = root.get(SuperserveExec);
    report.sameInstance = exec === root.get(SuperserveExec);
    report.options = root.get(SUPERSERVE_EXEC_OPTIONS) === options;
    const run = exec.run({ command: 'printf "one\\n\\nthree"; echo oops >&2; exit 4' });
    report.run = await lastValueFrom(forkJoin({ lines: run.lines$.pipe(toArray()), result: run.result$ }));
    const failed = exec.run({ command: 'ls', working_dir: '/no/such/dir' });
    report.failed = await lastValueFrom(failed.result$).catch((error: Error) => error.name);

    // Longer than the test waits: only the destroy can end it in time.
    const long = exec.run({ command: `echo $$ > ${pidFile}; echo started; sleep 300` });
    report.destroy = await destroyAtFirstLine(long, root);
    // Still before sandbox.close(): only the destroy can have killed it.
    report.killedByDestroy = await dies(pidFile);

    // A session of cat: each line goes in only once the one before came back out, then EOF.
    const stdin = new Subject<string>();
    const cat = sessions.get(SuperserveExec).session({ command: 'cat' }, { stdin });
    const reply: Record<string, () => void> = {
      ping: () => stdin.next('pong\n'),
      pong: () => stdin.complete(),
    };
    const catDone = lastValueFrom(
      forkJoin({
        lines: cat.lines$.pipe(
          tap((line) => reply[line]?.()),
          toArray(),
        ),
        result: cat.result$,
      }),
    );
    stdin.next('ping\n');
    report.session = await catDone;

    const signals = new Subject<ExecSignal>();
    const sleeper = sessions
      .get(SuperserveExec)
      .session({ command: 'echo started; exec sleep 30' }, { signals });
    report.interrupted = await lastValueFrom(
      forkJoin({
        lines: sleeper.lines$.pipe(
          tap(() => signals.next('SIGINT')),
          toArray(),
        ),
        exitCode: sleeper.result$.pipe(map((result) => result.exitCode)),
      }),
    );

    const sessionPidFile = `${pidFile}.session`;
    const open = sessions.get(SuperserveExec).session(
      { command: `echo $$ > ${sessionPidFile}; echo started; exec cat` },
      // Never completed: cat never reads EOF, so only the destroy can end it.
      { stdin: new Subject<string>() },
    );
    report.sessionDestroy = await destroyAtFirstLine(open, sessions);
    report.sessionKilledByDestroy = await dies(sessionPidFile);
  } finally {
    for (const each of [root, sessions]) if (!each.destroyed) each.destroy();
    await sandbox.close();
  }
  console.log(JSON.stringify(report));
}

void main();
