import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { firstValueFrom, lastValueFrom, of, Subject, toArray } from 'rxjs';
import WebSocket from 'ws';
import {
  createExecClient,
  isExecFailedError,
  lines,
  stdoutText,
  type TerminalEvent,
  type TerminalSize,
  terminal$,
} from 'superserve-rx';
import { cutPoints, splitAt } from '../helpers/arbitraries';
import { localSandboxes } from '../helpers/local-sandbox';
import { isAlive, readPids, waitFor } from '../helpers/processes';

// terminal$ against the local sandbox: a real bash in a real pseudo-terminal.
const sandboxes = localSandboxes();
afterEach(() => sandboxes.closeAll());

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'superserve-rx-terminal-client-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function start(options: Parameters<typeof sandboxes.start>[0] = {}) {
  const { sandbox, ...exec } = await sandboxes.start({ workingDir: dir, ...options });
  return { sandbox, options: { ...exec, webSocket: WebSocket } };
}

/** Collects a terminal's output as text, and resolves `seen(pattern)` once it shows. */
function screenOf(terminal: ReturnType<typeof terminal$>) {
  let text = '';
  const decoder = new TextDecoder();
  let resolveDone: (outcome: { completed: boolean; error?: unknown }) => void = () => undefined;
  const done = new Promise<{ completed: boolean; error?: unknown }>((resolve) => (resolveDone = resolve));
  const subscription = terminal.subscribe({
    next: (event: TerminalEvent) => (text += decoder.decode(event.data, { stream: true })),
    error: (error: unknown) => resolveDone({ completed: false, error }),
    complete: () => resolveDone({ completed: true }),
  });
  return {
    subscription,
    done,
    text: () => text,
    seen: (pattern: RegExp | string, ms = 10_000) =>
      waitFor(
        () => (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text)),
        ms,
        String(pattern),
      ),
  };
}

describe('terminal$ against the local sandbox', () => {
  it('runs what is typed: echo $((6*7)) shows 42, exit completes; stdoutText() and lines() work on it', async () => {
    const { options } = await start();
    const result = await firstValueFrom(
      terminal$({ input: of('echo "<$((6*7))>"\r', 'exit\r') }, options).pipe(
        stdoutText(),
        lines(),
        toArray(),
      ),
    );
    expect(result.some((line) => line.endsWith('<42>'))).toBe(true);
  });

  it('sends the size before anything else, and each new one (stty size)', async () => {
    const { options } = await start();
    const input = new Subject<string>();
    const resize = new Subject<TerminalSize>();
    const screen = screenOf(createExecClient(options).terminal$({ input, resize }));
    // Before the open: sent right after it, before the input.
    resize.next({ cols: 101, rows: 31 });
    input.next('echo "<$(stty size)>"\r');
    await screen.seen('<31 101>');
    resize.next({ cols: 57, rows: 13 });
    input.next('echo "<$(stty size)>"\r');
    await screen.seen('<13 57>');
    input.next('exit\r');
    expect(await screen.done).toEqual({ completed: true });
  });

  it('interrupts the running program with the byte 0x03', async () => {
    const { options } = await start();
    const input = new Subject<string>();
    const pidFile = join(dir, 'sleep.pid');
    const screen = screenOf(terminal$({ input }, options));
    input.next(`sh -c 'echo $$ > ${pidFile}; exec sleep 30'\r`);
    await waitFor(async () => (await readPids(pidFile)).length === 1, 10_000, 'the pid file');
    input.next('\x03');
    input.next('echo "back $((1+1))"\r');
    await screen.seen('back 2');
    expect(isAlive((await readPids(pidFile))[0]!)).toBe(false);
    screen.subscription.unsubscribe();
  });

  it('unsubscribing kills the shell and its foreground job', async () => {
    const { options } = await start();
    const input = new Subject<string>();
    const pidFile = join(dir, 'both.pid');
    const screen = screenOf(terminal$({ input }, options));
    input.next(`echo $$ > ${pidFile}; sh -c 'echo $$ >> ${pidFile}; exec sleep 300'\r`);
    await waitFor(async () => (await readPids(pidFile)).length === 2, 10_000, 'both pids');
    screen.subscription.unsubscribe();
    for (const pid of await readPids(pidFile)) await waitFor(() => !isAlive(pid), 5000, `${pid} to be gone`);
  });

  it('a shell that cannot start is ExecFailedError "shell did not start"', async () => {
    const { options } = await start({ terminalShell: join(dir, 'no-such-shell') });
    const error = await lastValueFrom(terminal$({}, options)).catch((e: unknown) => e);
    expect(isExecFailedError(error)).toBe(true);
    expect(String(error)).toMatch(/shell did not start/);
  });

  it('any chunking of any bytes arrives byte-exact (stty raw -echo; head -c N > file; sha256sum)', async () => {
    const { options } = await start();
    const input = new Subject<string | Uint8Array>();
    const screen = screenOf(terminal$({ input }, options));
    input.next('stty raw -echo\r');
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 150_000 }),
        cutPoints(),
        async (bytes, cuts) => {
          run++;
          const file = join(dir, `input-${run}`);
          input.next(`echo R$((${run}+100000)); head -c ${bytes.length} > ${file}; sha256sum ${file}\r`);
          await screen.seen(`R${run + 100000}`);
          for (const chunk of splitAt(bytes, cuts)) input.next(chunk);
          const expected = createHash('sha256').update(bytes).digest('hex');
          await screen.seen(`${expected}  ${file}`, 20_000);
        },
      ),
      { numRuns: 25 },
    );
    screen.subscription.unsubscribe();
  }, 120_000);
});
