import { runExample } from '../helpers/run-example';

/** An example's stdout, as lines. */
async function example(file: string): Promise<string[]> {
  return (await runExample(file)).trimEnd().split('\n');
}

describe('examples', () => {
  it('stream-lines prints stdout line by line, the unterminated last line included', async () => {
    expect(await example('stream-lines.ts')).toEqual([
      '1: line 1',
      '2: line 2',
      '3: line 3',
      '4: last, no newline',
      '4 lines',
    ]);
  });

  it('merge-many tags every line with its run and keeps the concurrency limit', async () => {
    const output = await example('merge-many.ts');
    expect(output.at(-1)).toBe('5 runs, at most 2 at once');
    for (const name of ['alpha', 'beta', 'gamma', 'delta', 'epsilon']) {
      expect(output.filter((line) => line.startsWith(`[${name}] `))).toEqual([
        `[${name}] ${name} starts`,
        `[${name}] ${name} ends`,
      ]);
    }
  });

  it('zip-results reports every run, a non-zero exit included', async () => {
    expect(await example('zip-results.ts')).toEqual([
      'kernel   exit 0   Linux',
      'words    exit 0   5',
      'failing  exit 28  disk full',
    ]);
  });

  it('timeout-and-retry shows a retry that succeeds and each typed error', async () => {
    expect(await example('timeout-and-retry.ts')).toEqual([
      'retry: "exit 0 after 2 attempts"',
      'idle: ExecTimeoutError: idle limit of 300 ms',
      'total: ExecTimeoutError: total limit of 400 ms',
      'auth: ExecHttpError 401: invalid access token',
      'timeout_s: "exit 124"',
    ]);
  });

  it('either-decoding skips bad frames as Lefts, while exec$ fails on them', async () => {
    expect(await example('either-decoding.ts')).toEqual([
      'decodeExecEvents: schema: exit_code',
      'skipped (schema): undecodable exec event (schema): stdout: expected string, got 42',
      expect.stringMatching(/^skipped \(json\): undecodable exec event \(json\): not JSON: /),
      'execEither$: stdout, finished',
      'exec$: ExecDecodeError',
    ]);
  });

  it('files uploads with progress, runs, reads the results, lists, zips and reports a missing file', async () => {
    expect(await example('files.ts')).toEqual([
      'written: /test.sh 52 bytes, /data.bin 3145728 bytes',
      'last progress: 3145728 bytes sent',
      'exit 0',
      'report: 3145728 | ok',
      'listing: data.bin report.txt test.sh',
      'zip: PK...',
      'missing: 404 GET /files failed with 404: file not found',
    ]);
  });

  it('run-once-share counts two requests cold and one shared', async () => {
    expect(await example('run-once-share.ts')).toEqual([
      'cold:   2 requests, same output: false',
      'shared: 1 request,  same output: true',
    ]);
  });

  it('exec-all keeps each failure as a value of its run', async () => {
    const output = await example('exec-all.ts');
    expect([...output].sort()).toEqual(
      [
        '[ok] fine',
        '[ok] exit 0',
        '[exit-2] exit 2',
        '[no-dir] ExecFailedError',
        '[slow] ExecTimeoutError',
      ].sort(),
    );
    expect(output.indexOf('[ok] fine')).toBeLessThan(output.indexOf('[ok] exit 0'));
  });

  it('interactive-session answers a prompt, loops over lines, interrupts, reads bytes and pipes a stream', async () => {
    expect(await example('interactive-session.ts')).toEqual([
      'conversation: "name? hello, Ada\\n"',
      'read loop: you said: one | you said: two | bye',
      'interrupted: exit 130',
      'bytes: 00fffe80',
      'piped: 8388608 bytes, exit 0',
      'stopped by a timer: exit 143',
    ]);
  });

  it('terminal types into a shell, resizes it, interrupts a program with 0x03 and exits', async () => {
    expect(await example('terminal.ts')).toEqual([
      'typed: answer 42',
      'size: 30 100',
      'interrupted: 130',
      'shell: exited',
    ]);
  });

  it('angular/main runs commands through superserve-rx/angular and Angular DI, a session included, ends a run with its context and uploads with progress', async () => {
    expect(await example('angular/main.ts')).toEqual([
      'signals: one, two; exit 4',
      'session: you said: hello; exit 0',
      'terminal: answer 42; shell exited',
      "long run: started; running false after the route's destroy",
      'upload: progress 1048576 of 1048576 bytes; written 1048576 bytes',
    ]);
  });
});
