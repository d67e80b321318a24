import { runExample } from '../helpers/run-example';

describe('examples/operators.ts (the README API examples)', () => {
  it('runs every operator example against a local sandbox with the documented results', async () => {
    const stdout = await runExample('operators.ts');
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
