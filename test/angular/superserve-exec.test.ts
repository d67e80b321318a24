import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createEnvironmentInjector,
  type EnvironmentInjector,
  inject,
  InjectionToken,
  Injector,
  runInInjectionContext,
} from '@angular/core';
import { forkJoin, lastValueFrom, map, of, Subject, tap, toArray } from 'rxjs';
import WebSocket from 'ws';
import { type ExecOptions, type ExecSignal, isExecFailedError, isExecRequestError } from 'superserve-rx';
import {
  type CommandRun,
  provideSuperserve,
  SUPERSERVE_OPTIONS,
  SuperserveExec,
} from 'superserve-rx/angular';
import { localSandboxes } from '../helpers/local-sandbox';
import { type Outcome, outcome } from '../helpers/outcome';
import { isAlive, readPids, waitFor } from '../helpers/processes';

// SuperserveExec through Angular's own injector against a real local sandbox.
const sandboxes = localSandboxes();
const injectors: EnvironmentInjector[] = [];
afterEach(async () => {
  for (const each of injectors.splice(0)) if (!each.destroyed) each.destroy();
  await sandboxes.closeAll();
});

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'superserve-rx-angular-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Options for a fresh local sandbox; sessions dial with ws (Node 20 has no WebSocket). */
async function sandboxOptions(): Promise<ExecOptions & { accessToken: string }> {
  const { sandbox: _sandbox, ...options } = await sandboxes.start();
  return { ...options, webSocket: WebSocket };
}

/** An application's root injector, as bootstrapApplication would make it, with `providers`. */
function rootInjector(providers: Parameters<typeof createEnvironmentInjector>[0]): EnvironmentInjector {
  const injector = createEnvironmentInjector(
    providers,
    Injector.create({ providers: [] }) as EnvironmentInjector,
  );
  injectors.push(injector);
  return injector;
}

/** A child injector (a lazy route's), destroyed by the test or after it. */
function childOf(parent: EnvironmentInjector): EnvironmentInjector {
  const child = createEnvironmentInjector([], parent);
  injectors.unshift(child);
  return child;
}

/** Runs `echo $$ > file; echo started; <rest>`: the shell's pid is the command's. */
const recorded = (file: string, rest = 'exec sleep 300') => `echo $$ > ${file}; echo started; ${rest}`;

/** What `run.lines$` gave and how it ended, with `injector` destroyed right after the first line. */
function destroyAtFirstLine(run: CommandRun, injector: EnvironmentInjector): Promise<Outcome<string>> {
  return new Promise((resolve) => {
    const values: string[] = [];
    run.lines$.subscribe({
      next: (line) => {
        values.push(line);
        injector.destroy();
      },
      error: (error: unknown) => resolve({ values, completed: false, error }),
      complete: () => resolve({ values, completed: true }),
    });
  });
}

async function gone(pidFile: string): Promise<void> {
  const [pid] = await readPids(pidFile);
  expect(pid).toBeGreaterThan(0);
  await waitFor(() => !isAlive(pid!), 10_000, 'the command to be killed');
}

describe('provideSuperserve', () => {
  it('provides one SuperserveExec per injector and the options under SUPERSERVE_OPTIONS', async () => {
    const options = await sandboxOptions();
    const root = rootInjector([provideSuperserve(options)]);
    expect(root.get(SuperserveExec)).toBeInstanceOf(SuperserveExec);
    expect(root.get(SuperserveExec)).toBe(root.get(SuperserveExec));
    expect(root.get(SUPERSERVE_OPTIONS)).toBe(options);
  });

  it.each([undefined, null, 'https://sandbox', 42])('is a TypeError for options %p', (bad) => {
    expect(() => provideSuperserve(bad as unknown as ExecOptions)).toThrow(
      new TypeError(
        `provideSuperserve: options must be ExecOptions or a function returning them, got ${bad === null ? 'null' : typeof bad}`,
      ),
    );
  });
});

describe('SuperserveExec runs', () => {
  it('gives stdout line by line and the result of one shared request', async () => {
    const options = await sandboxOptions();
    let requests = 0;
    const counted: ExecOptions = { ...options, fetch: (...args) => (requests++, fetch(...args)) };
    const exec = rootInjector([provideSuperserve(counted)]).get(SuperserveExec);
    const run = exec.run({ command: 'printf "one\\n\\nthree"; echo oops >&2; exit 4' });
    expect(await lastValueFrom(forkJoin({ lines: run.lines$.pipe(toArray()), result: run.result$ }))).toEqual(
      {
        lines: ['one', '', 'three'],
        result: { stdout: 'one\n\nthree', stderr: 'oops\n', exitCode: 4, truncated: false },
      },
    );
    expect(requests).toBe(1);
  });

  it('errors with the typed error of a command that cannot run', async () => {
    const exec = rootInjector([provideSuperserve(await sandboxOptions())]).get(SuperserveExec);
    const { error } = await outcome(exec.run({ command: 'ls', working_dir: '/no/such/dir' }).result$);
    expect(isExecFailedError(error)).toBe(true);
  });

  it('exec$ is cold: each subscription is a run of its own', async () => {
    const exec = rootInjector([provideSuperserve(await sandboxOptions())]).get(SuperserveExec);
    const events$ = exec.exec$({ command: 'echo $$' });
    const pids = await Promise.all(
      [1, 2].map(() =>
        lastValueFrom(events$.pipe(toArray())).then((events) => events.find((e) => e.type === 'stdout')),
      ),
    );
    expect(pids[0]).toMatchObject({ type: 'stdout' });
    expect(pids[0]).not.toEqual(pids[1]);
  });
});

describe('SuperserveExec files', () => {
  it('writes with progress, reads, reads text, lists and zips through the provided options', async () => {
    const options = await sandboxOptions();
    const tokens: string[] = [];
    const exec = rootInjector([
      // The function form: asked once per transfer, so a fresh token reaches file calls too.
      provideSuperserve(() => ({
        ...options,
        accessToken: () => (tokens.push('asked'), options.accessToken),
      })),
    ]).get(SuperserveExec);
    const path = join(dir, 'ng/hello.txt');
    const events = await lastValueFrom(exec.writeFile$(path, 'hello from angular').pipe(toArray()));
    expect(events.at(-2)).toEqual({ type: 'progress', sentBytes: 18, totalBytes: 18 });
    expect(events.at(-1)).toEqual({ type: 'written', path, size: 18 });
    expect(Buffer.concat(await lastValueFrom(exec.readFile$(path).pipe(toArray()))).toString()).toBe(
      'hello from angular',
    );
    expect(await lastValueFrom(exec.readTextFile$(path))).toBe('hello from angular');
    expect((await lastValueFrom(exec.listFiles$(join(dir, 'ng')))).entries.map((e) => e.name)).toEqual([
      'hello.txt',
    ]);
    const zip = Buffer.concat(await lastValueFrom(exec.downloadDir$(join(dir, 'ng')).pipe(toArray())));
    expect(zip.subarray(0, 2).toString()).toBe('PK');
    expect(tokens).toHaveLength(5);
  });

  it('a file transfer started in an injection context ends with it', async () => {
    const options = await sandboxOptions();
    const root = rootInjector([provideSuperserve(options)]);
    const route = childOf(root);
    const path = join(dir, 'ng-stream.bin');
    let pulled = 0;
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(64 * 1024));
      },
    });
    const upload = runInInjectionContext(route, () => inject(SuperserveExec).writeFile$(path, source));
    const seen = outcome(upload);
    await waitFor(() => pulled > 2, 5000, 'the upload to start');
    route.destroy();
    const { completed } = await seen;
    expect(completed).toBe(true);
    const after = pulled;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(pulled).toBe(after);
  });
});

describe('what SuperserveExec starts ends with the context it was called in', () => {
  it('outside an injection context: when the providing injector is destroyed, and the command is killed', async () => {
    const root = rootInjector([provideSuperserve(await sandboxOptions())]);
    const pidFile = join(dir, 'root.pid');
    const run = root.get(SuperserveExec).run({ command: recorded(pidFile) });
    const ended = destroyAtFirstLine(run, root);
    expect(await ended).toEqual({ values: ['started'], completed: true });
    await gone(pidFile);
  });

  it('in an injection context: when that context is destroyed, while the providing injector lives on', async () => {
    const root = rootInjector([provideSuperserve(await sandboxOptions())]);
    const route = childOf(root);
    const pidFile = join(dir, 'route.pid');
    const run = runInInjectionContext(route, () =>
      inject(SuperserveExec).run({ command: recorded(pidFile) }),
    );
    const ended = destroyAtFirstLine(run, route);
    expect(await ended).toEqual({ values: ['started'], completed: true });
    await gone(pidFile);
    expect(root.destroyed).toBe(false);
    // The service itself is unharmed: outside the destroyed context it still runs commands.
    const again = await lastValueFrom(
      root.get(SuperserveExec).run({ command: 'echo again' }).lines$.pipe(toArray()),
    );
    expect(again).toEqual(['again']);
  });

  it('in an injection context: also when the providing injector is destroyed first', async () => {
    const root = rootInjector([provideSuperserve(await sandboxOptions())]);
    const other = rootInjector([]);
    const pidFile = join(dir, 'provider-first.pid');
    const run = runInInjectionContext(other, () =>
      root.get(SuperserveExec).run({ command: recorded(pidFile) }),
    );
    const ended = destroyAtFirstLine(run, root);
    expect(await ended).toEqual({ values: ['started'], completed: true });
    await gone(pidFile);
    expect(other.destroyed).toBe(false);
  });

  it('called in a context already destroyed, it completes at once and sends nothing', async () => {
    const options = await sandboxOptions();
    let requests = 0;
    const root = rootInjector([
      provideSuperserve({ ...options, fetch: (...args) => (requests++, fetch(...args)) }),
    ]);
    const exec = root.get(SuperserveExec);
    const route = childOf(root);
    const events$ = runInInjectionContext(route, () => exec.exec$({ command: 'echo never' }));
    route.destroy();
    expect(await outcome(events$)).toEqual({ values: [], completed: true });
    root.destroy();
    expect(await outcome(exec.exec$({ command: 'echo never' }))).toEqual({ values: [], completed: true });
    expect(requests).toBe(0);
  });
});

describe('the function form of the options', () => {
  /** A token service as an app would have (here it hands out the sandbox's one token). */
  const TOKENS = new InjectionToken<{ next(): string; readonly calls: number }>('tokens');

  it('is called once per run, in an injection context, so that it can inject() a token service', async () => {
    const { accessToken, ...options } = await sandboxOptions();
    const root = rootInjector([
      {
        provide: TOKENS,
        useFactory: () => {
          let calls = 0;
          return {
            next: () => (calls++, accessToken),
            get calls() {
              return calls;
            },
          };
        },
      },
      provideSuperserve(() => ({ ...options, accessToken: inject(TOKENS).next() })),
    ]);
    const exec = root.get(SuperserveExec);
    const tokens = root.get(TOKENS);
    const run = exec.run({ command: 'echo one' });
    expect(tokens.calls).toBe(0);
    expect(await lastValueFrom(run.lines$.pipe(toArray()))).toEqual(['one']);
    expect(tokens.calls).toBe(1);
    expect(await lastValueFrom(exec.run({ command: 'echo two' }).lines$.pipe(toArray()))).toEqual(['two']);
    expect(tokens.calls).toBe(2);
  });

  it('resolves in the caller’s context when there is one (its providers win), else the provider’s', async () => {
    const options = await sandboxOptions();
    const WHERE = new InjectionToken<string>('where');
    const where: string[] = [];
    const root = rootInjector([
      { provide: WHERE, useValue: 'root' },
      provideSuperserve(() => (where.push(inject(WHERE)), options)),
    ]);
    const route = createEnvironmentInjector([{ provide: WHERE, useValue: 'route' }], root);
    injectors.unshift(route);
    const exec = root.get(SuperserveExec);
    await lastValueFrom(runInInjectionContext(route, () => exec.exec$({ command: 'true' })));
    await lastValueFrom(exec.exec$({ command: 'true' }));
    expect(where).toEqual(['route', 'root']);
  });

  it('gives SUPERSERVE_OPTIONS by one call per injector', async () => {
    const options = await sandboxOptions();
    let calls = 0;
    const root = rootInjector([provideSuperserve(() => (calls++, options))]);
    expect(root.get(SUPERSERVE_OPTIONS)).toBe(options);
    expect(root.get(SUPERSERVE_OPTIONS)).toBe(options);
    expect(calls).toBe(1);
  });

  it('that throws is an ExecRequestError with the cause, and nothing is sent', async () => {
    const cause = new Error('no token service');
    const exec = rootInjector([
      provideSuperserve(() => {
        throw cause;
      }),
    ]).get(SuperserveExec);
    const { error } = await outcome(exec.exec$({ command: 'echo never' }));
    expect(isExecRequestError(error)).toBe(true);
    expect(error).toMatchObject({
      message: 'invalid exec request: the options function of provideSuperserve threw',
      cause,
    });
  });

  it('that gives no object is an ExecRequestError', async () => {
    const exec = rootInjector([provideSuperserve((() => undefined) as unknown as () => ExecOptions)]).get(
      SuperserveExec,
    );
    const { error } = await outcome(exec.exec$({ command: 'echo never' }));
    expect(isExecRequestError(error)).toBe(true);
    expect((error as Error).message).toBe(
      'invalid exec request: the options function of provideSuperserve must return ExecOptions, got undefined',
    );
  });
});

describe('SuperserveExec sessions', () => {
  it('sends stdin line by line and reads the lines back before EOF, which ends cat with exit 0', async () => {
    const exec = rootInjector([provideSuperserve(await sandboxOptions())]).get(SuperserveExec);
    const stdin = new Subject<string>();
    const cat = exec.session({ command: 'cat' }, { stdin });
    const reply: Record<string, () => void> = {
      ping: () => stdin.next('pong\n'),
      pong: () => stdin.complete(),
    };
    const done = lastValueFrom(
      forkJoin({
        lines: cat.lines$.pipe(
          tap((line) => reply[line]?.()),
          toArray(),
        ),
        result: cat.result$,
      }),
    );
    stdin.next('ping\n');
    expect(await done).toEqual({
      lines: ['ping', 'pong'],
      result: { stdout: 'ping\npong\n', stderr: '', exitCode: 0, truncated: false },
    });
  });

  it("sends 'SIGINT' to the command: sleep ends with 130", async () => {
    const exec = rootInjector([provideSuperserve(await sandboxOptions())]).get(SuperserveExec);
    const signals = new Subject<ExecSignal>();
    const sleeper = exec.session({ command: 'echo started; exec sleep 30' }, { signals });
    const interrupted = await lastValueFrom(
      forkJoin({
        lines: sleeper.lines$.pipe(
          tap(() => signals.next('SIGINT')),
          toArray(),
        ),
        exitCode: sleeper.result$.pipe(map((result) => result.exitCode)),
      }),
    );
    expect(interrupted).toEqual({ lines: ['started'], exitCode: 130 });
  });

  it('closes the session when the context it was called in is destroyed, and the command is killed', async () => {
    const root = rootInjector([provideSuperserve(await sandboxOptions())]);
    const route = childOf(root);
    const pidFile = join(dir, 'session.pid');
    // stdin never completes: cat never reads EOF, so only the destroy can end it.
    const open = runInInjectionContext(route, () =>
      inject(SuperserveExec).session(
        { command: recorded(pidFile, 'exec cat') },
        { stdin: new Subject<string>() },
      ),
    );
    expect(await destroyAtFirstLine(open, route)).toEqual({
      values: ['started'],
      completed: true,
    });
    await gone(pidFile);
  });

  it('execSession$ gives the session events', async () => {
    const exec = rootInjector([provideSuperserve(await sandboxOptions())]).get(SuperserveExec);
    const events = await lastValueFrom(exec.execSession$({ command: 'exit 3' }).pipe(toArray()));
    expect(events).toEqual([{ type: 'finished', exitCode: 3 }]);
  });
});

describe('SuperserveExec terminals', () => {
  /** A terminal's output so far, as text. */
  function screenOf(events$: ReturnType<SuperserveExec['terminal$']>) {
    let text = '';
    const decoder = new TextDecoder();
    const ended = outcome(
      events$.pipe(tap((event) => (text += decoder.decode(event.data, { stream: true })))),
    );
    return { ended, text: () => text };
  }

  it('runs what is typed in a shell with the provided options', async () => {
    const exec = rootInjector([provideSuperserve(await sandboxOptions())]).get(SuperserveExec);
    const screen = screenOf(exec.terminal$({ input: of('echo "<$((6*7))>"\r', 'exit\r') }));
    expect(await screen.ended).toMatchObject({ completed: true });
    expect(screen.text()).toContain('<42>');
  });

  it('closes the terminal when the context it was called in is destroyed, and the shell is killed', async () => {
    const root = rootInjector([provideSuperserve(await sandboxOptions())]);
    const route = childOf(root);
    const pidFile = join(dir, 'terminal.pid');
    const input = new Subject<string>();
    const screen = screenOf(runInInjectionContext(route, () => inject(SuperserveExec).terminal$({ input })));
    input.next(`echo $$ > ${pidFile}\r`);
    await waitFor(async () => (await readPids(pidFile)).length === 1, 10_000, 'the shell’s pid');
    route.destroy();
    expect(await screen.ended).toMatchObject({ completed: true });
    await gone(pidFile);
  });
});
