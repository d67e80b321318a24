import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

describe('the Angular service (examples/angular) through Angular dependency injection', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'superserve-rx-angular-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('provides the service and options, exposes lines and result of runs and sessions, and cancels both on destroy', async () => {
    const pidFile = join(dir, 'long.pid');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'test/examples/angular-harness.ts', pidFile],
      // Generous: a load of other work may share the machine; nothing here is timed.
      { cwd: resolve(__dirname, '../..'), timeout: 60_000 },
    );
    const report = JSON.parse(stdout);
    expect(report).toEqual({
      sameInstance: true,
      options: true,
      run: {
        lines: ['one', '', 'three'],
        result: { stdout: 'one\n\nthree', stderr: 'oops\n', exitCode: 4, truncated: false },
      },
      failed: 'ExecFailedError',
      destroy: { seen: ['started'], completed: true },
      killedByDestroy: true,
      // Through the ws WebSocket the options carry: stdin line by line, then EOF; SIGINT; destroy.
      session: {
        lines: ['ping', 'pong'],
        result: { stdout: 'ping\npong\n', stderr: '', exitCode: 0, truncated: false },
      },
      interrupted: { lines: ['started'], exitCode: 130 },
      sessionDestroy: { seen: ['started'], completed: true },
      sessionKilledByDestroy: true,
    });
  }, 90_000);
});
