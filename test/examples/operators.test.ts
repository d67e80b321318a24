import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

describe('examples/operators.ts (the README API examples)', () => {
  it('runs every operator example against a local sandbox with the documented results', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'examples/operators.ts'],
      {
        cwd: resolve(__dirname, '../..'),
        timeout: 20_000,
      },
    );
    expect(stdout.trim().split('\n')).toEqual([
      'stdoutText: "out\\n" stderrText: "err\\n"',
      'lines: ["one","two","","three"]',
      'collectOutput: {"stdout":"hi\\n","stderr":"","exitCode":3,"truncated":false}',
      'withTimeout: ExecTimeoutError (total, 500 ms)',
      'retryOnExecFailed: exec_failed after 3 attempts',
      'untilFinished: stdout -> finished',
    ]);
  });
});
