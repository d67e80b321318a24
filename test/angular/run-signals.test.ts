import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createEnvironmentInjector,
  type EnvironmentInjector,
  inject,
  Injector,
  provideZonelessChangeDetection,
  runInInjectionContext,
} from '@angular/core';
import WebSocket from 'ws';
import { type ExecOptions, isExecHttpError } from 'superserve-rx';
import {
  type CommandSignals,
  DEFAULT_KEEP_LINES,
  provideSuperserve,
  SuperserveExec,
} from 'superserve-rx/angular';
import { localSandboxes } from '../helpers/local-sandbox';
import { isAlive, readPids, waitFor } from '../helpers/processes';

const sandboxes = localSandboxes();
const injectors: EnvironmentInjector[] = [];
afterEach(async () => {
  for (const each of injectors.splice(0)) if (!each.destroyed) each.destroy();
  await sandboxes.closeAll();
});

async function sandboxOptions(): Promise<ExecOptions & { accessToken: string }> {
  const { sandbox: _sandbox, ...options } = await sandboxes.start();
  return { ...options, webSocket: WebSocket };
}

function rootInjector(providers: Parameters<typeof createEnvironmentInjector>[0]): EnvironmentInjector {
  const injector = createEnvironmentInjector(
    providers,
    Injector.create({ providers: [] }) as EnvironmentInjector,
  );
  injectors.push(injector);
  return injector;
}

const ended = (run: CommandSignals) => waitFor(() => !run.running(), 15_000, 'the run to end');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'superserve-rx-run-signals-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('SuperserveExec.runSignals', () => {
  it('starts at once and ends with the lines and the result, in a bare injector with no rendering', async () => {
    const run = rootInjector([provideSuperserve(await sandboxOptions())])
      .get(SuperserveExec)
      .runSignals({ command: 'printf "one\\ntwo\\n"; echo oops >&2; exit 3' });
    expect(run.running()).toBe(true);
    expect(run.lines()).toEqual([]);
    expect(run.result()).toBeUndefined();
    await ended(run);
    expect(run.lines()).toEqual(['one', 'two']);
    expect(run.result()).toEqual({ stdout: 'one\ntwo\n', stderr: 'oops\n', exitCode: 3, truncated: false });
    expect(run.error()).toBeUndefined();
  });

  it('shows lines while the command still runs, in a zoneless environment', async () => {
    const root = rootInjector([provideZonelessChangeDetection(), provideSuperserve(await sandboxOptions())]);
    const pidFile = join(dir, 'zoneless.pid');
    const run = runInInjectionContext(root, () =>
      inject(SuperserveExec).runSignals({ command: `echo $$ > ${pidFile}; echo started; sleep 300` }),
    );
    await waitFor(() => run.lines().length > 0, 15_000, 'the first line');
    expect(run.lines()).toEqual(['started']);
    expect(run.running()).toBe(true);
    const [pid] = await readPids(pidFile);
    expect(isAlive(pid!)).toBe(true);
    root.destroy();
    // Destroyed: not running, no result, no error, and the command is killed.
    expect(run.running()).toBe(false);
    expect(run.result()).toBeUndefined();
    expect(run.error()).toBeUndefined();
    await waitFor(() => !isAlive(pid!), 10_000, 'the command to be killed');
  });

  it(`keeps the last ${DEFAULT_KEEP_LINES.toLocaleString('en-US')} lines by default, or keepLines`, async () => {
    const exec = rootInjector([provideSuperserve(await sandboxOptions())]).get(SuperserveExec);
    const many = exec.runSignals({ command: 'seq 1 5000' });
    const few = exec.runSignals({ command: 'seq 1 5000' }, { keepLines: 3 });
    await Promise.all([ended(many), ended(few)]);
    expect(many.lines()).toEqual(Array.from({ length: 1000 }, (_, i) => String(4001 + i)));
    expect(few.lines()).toEqual(['4998', '4999', '5000']);
    expect(few.result()?.stdout.length).toBe(many.result()?.stdout.length);
  });

  it('sets the typed error, and no result, when the run fails', async () => {
    const options = await sandboxOptions();
    const run = rootInjector([provideSuperserve({ ...options, accessToken: 'wrong-token' })])
      .get(SuperserveExec)
      .runSignals({ command: 'echo never' });
    await ended(run);
    expect(isExecHttpError(run.error())).toBe(true);
    expect(run.error()).toMatchObject({ status: 401 });
    expect(run.result()).toBeUndefined();
    expect(run.lines()).toEqual([]);
  });

  it('wraps an error that is not one of the package’s own, so that error() stays typed', async () => {
    const bad = new TypeError('options cannot be read');
    const unreadable = new Proxy({} as ExecOptions, {
      get() {
        throw bad;
      },
    });
    const run = rootInjector([provideSuperserve(() => unreadable)])
      .get(SuperserveExec)
      .runSignals({ command: 'echo never' });
    await ended(run);
    expect(run.error()).toMatchObject({
      name: 'ExecStreamError',
      message: 'the run failed: options cannot be read',
      cause: bad,
    });
  });

  it.each([0, -1, 1.5, Number.NaN, Infinity])(
    'is a TypeError for keepLines %p, and starts nothing',
    async (keepLines) => {
      const options = await sandboxOptions();
      let requests = 0;
      const exec = rootInjector([
        provideSuperserve({ ...options, fetch: (...args) => (requests++, fetch(...args)) }),
      ]).get(SuperserveExec);
      expect(() => exec.runSignals({ command: 'echo never' }, { keepLines })).toThrow(
        new TypeError(`runSignals: keepLines must be a positive integer, got ${String(keepLines)}`),
      );
      expect(requests).toBe(0);
    },
  );
});
