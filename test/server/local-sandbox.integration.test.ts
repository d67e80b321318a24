import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filter, firstValueFrom, lastValueFrom, map, mergeMap, range, toArray } from 'rxjs';
import {
  collectOutput,
  exec$,
  ExecFailedError,
  ExecHttpError,
  type ExecOptions,
  type ExecOutcomeEvent,
  ExecRequestError,
  lines,
  stdoutText,
} from 'superserve-rx';
import { localSandboxes, post } from '../helpers/local-sandbox';
import { isAlive, readPids, waitFor } from '../helpers/processes';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'superserve-rx-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sandboxes = localSandboxes();
const sandbox = sandboxes.start;
afterEach(() => sandboxes.closeAll());

const run = (command: string, options: ExecOptions, extra: object = {}) =>
  lastValueFrom(exec$({ command, ...extra }, options).pipe(collectOutput()));

describe('the local sandbox before the stream', () => {
  it.each([
    ['an unknown path', 404, { path: '/nope', body: '{}' }, 'not found'],
    ['GET', 405, { method: 'GET' }, 'method not allowed'],
    [
      'no token',
      401,
      { headers: { 'content-type': 'application/json' }, body: '{"command":"true"}' },
      'missing X-Access-Token header',
    ],
    [
      'a wrong token',
      401,
      { headers: { 'x-access-token': 'wrong' }, body: '{"command":"true"}' },
      'invalid access token',
    ],
    ['a body that is not JSON', 400, { body: '{"command":' }, 'invalid JSON body'],
    ['no command', 400, { body: '{"args":["x"]}' }, 'command is required'],
    ['an empty command', 400, { body: '{"command":""}' }, 'command is required'],
    ['no command, with other faults', 400, { body: '{"args":5,"timeout_s":-1}' }, 'command is required'],
    [
      'a bad timeout',
      400,
      { body: '{"command":"true","timeout_s":-1}' },
      'timeout_s: expected a positive integer, got -1',
    ],
    [
      'a NUL in an arg',
      400,
      { body: '{"command":"echo","args":["a\\u0000"]}' },
      'args.0: expected a string without NUL bytes, got "a\\u0000"',
    ],
    [
      'a bad env name',
      400,
      { body: '{"command":"true","env":{"A=B":"1"}}' },
      'env.A=B: expected an environment variable name (non-empty, no "=" or NUL)',
    ],
  ])('answers %s with a plain-text %i', async (_name, status, init, text) => {
    const options = await sandbox();
    const response = await post(options, init as RequestInit);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await response.text()).toBe(`${text}\n`);
    if (status === 405) expect(response.headers.get('allow')).toBe('POST');
  });

  it('answers a body over maxBodyBytes with 413 and closes the connection; takes one of exactly that size', async () => {
    const options = await sandbox({ maxBodyBytes: 100 });
    const response = await post(options, { body: JSON.stringify({ command: 'x'.repeat(200) }) });
    expect(response.status).toBe(413);
    expect(response.headers.get('connection')).toBe('close');
    expect(await response.text()).toBe('request body too large\n');
    // {"command":"echo","args":["…"]} is 30 bytes around the argument.
    const exact = JSON.stringify({ command: 'echo', args: ['y'.repeat(100 - 30)] });
    expect(exact).toHaveLength(100);
    const accepted = await post(options, { body: exact });
    expect(accepted.status).toBe(200);
    await accepted.text();
    const chunked = await post(options, {
      body: new Blob([exact]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(200);
    await chunked.text();
  });

  it('answers over maxConcurrent with 429, which the client surfaces as ExecHttpError', async () => {
    const options = await sandbox({ maxConcurrent: 1 });
    const first = exec$({ command: 'echo started; sleep 30' }, options).subscribe();
    await waitFor(
      async () => (await post(options, { body: '{"command":"true"}' })).status === 429,
      5000,
      '429',
    );
    const error = await run('true', options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExecHttpError);
    expect(error).toMatchObject({ status: 429, body: 'too many connections to sandbox' });
    first.unsubscribe();
  });

  it('ignores unknown fields and takes timeout_s 0 as the default, as the service does', async () => {
    const options = await sandbox();
    const response = await post(options, { body: '{"command":"echo ok","timeout_s":0,"extra":1}' });
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/data: \{"stdout":"ok\\n","timestamp":"[^"]+"\}\n\n/);
  });

  it('requires a token the client has, and the client never sends a bad request', async () => {
    const options = await sandbox();
    await expect(run('', options)).rejects.toBeInstanceOf(ExecRequestError);
    await expect(run('true', { ...options, accessToken: 'nope' })).rejects.toMatchObject({
      status: 401,
      message: 'POST /exec/stream failed with 401: invalid access token',
    });
  });
});

describe('the local sandbox running commands', () => {
  it('runs command through /bin/sh -c with env merged and working_dir as cwd', async () => {
    const options = await sandbox({ env: { ...process.env, BASE: 'base', FOO: 'old' } });
    const result = await run('echo "$FOO $BASE" && pwd && echo "$0"', options, {
      env: { FOO: 'new' },
      working_dir: dir,
    });
    expect(result).toEqual({
      stdout: `new base\n${dir}\n/bin/sh\n`,
      stderr: '',
      exitCode: 0,
      truncated: false,
    });
  });

  it('runs command with args directly, no shell', async () => {
    const options = await sandbox();
    const result = await run('echo', options, { args: ['$HOME', 'a  b', '*'] });
    expect(result.stdout).toBe('$HOME a  b *\n');
  });

  it('gives the command /dev/null as stdin and its own process group', async () => {
    const options = await sandbox();
    const stdin = await run('cat; echo "eof $?"', options);
    expect(stdin.stdout).toBe('eof 0\n');
    const group = await run('echo $$; cut -d" " -f5 /proc/$$/stat', options);
    const [pid, pgid] = group.stdout.trim().split('\n');
    expect(pgid).toBe(pid);
    expect(Number(pid)).not.toBe(process.pid);
  });

  it('reports exit codes, 128+N for signals, and 127 from the shell for a missing binary', async () => {
    const options = await sandbox();
    expect((await run('exit 3', options)).exitCode).toBe(3);
    expect((await run('kill -TERM $$', options)).exitCode).toBe(143);
    expect((await run('kill -KILL $$', options)).exitCode).toBe(137);
    const missing = await run('no-such-binary-xyz', options);
    expect(missing.exitCode).toBe(127);
    expect(missing.stderr).toMatch(/no-such-binary-xyz/);
  });

  it('reports a missing binary with args as bad_request and a missing working_dir as exec_failed', async () => {
    const options = await sandbox();
    await expect(run('no-such-binary-xyz', options, { args: [] })).rejects.toEqual(
      new ExecFailedError('exec: "no-such-binary-xyz": executable file not found in $PATH', 'bad_request'),
    );
    const error = await run('true', options, { working_dir: join(dir, 'missing') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExecFailedError);
    expect(error).toMatchObject({ code: 'exec_failed' });
  });

  it('speaks the wire format: SSE headers, one JSON frame per event, terminal frames as the service writes them', async () => {
    const options = await sandbox();
    const wire = async (body: object) => {
      const response = await post(options, { body: JSON.stringify(body) });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/event-stream');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(response.headers.get('x-accel-buffering')).toBe('no');
      const text = await response.text();
      expect(text).toMatch(/^(data: [^\n]*\n\n)+$/);
      return text
        .split('\n\n')
        .filter((frame) => frame !== '')
        .map((frame) => JSON.parse(frame.slice('data: '.length)) as Record<string, unknown>);
    };
    const timestamp = expect.stringMatching(/Z$/);
    expect(await wire({ command: 'printf x' })).toEqual([
      { stdout: 'x', timestamp },
      { exit_code: 0, finished: true, timestamp },
    ]);
    // Output that ends inside a character: what is held back for the rest of it comes out at
    // the end of the pipe, as U+FFFD.
    expect(await wire({ command: "printf 'a\\342\\202'" })).toEqual([
      { stdout: 'a', timestamp },
      { stdout: '\ufffd', timestamp },
      { exit_code: 0, finished: true, timestamp },
    ]);
    const missingDir = join(dir, 'missing');
    expect(await wire({ command: 'true', working_dir: missingDir })).toEqual([
      { code: 'exec_failed', error: `chdir ${missingDir}: no such file or directory`, finished: true },
    ]);
    expect(await wire({ command: 'no-such-binary-xyz', args: [] })).toEqual([
      {
        code: 'bad_request',
        error: 'exec: "no-such-binary-xyz": executable file not found in $PATH',
        finished: true,
      },
    ]);
  });

  it('writes output as it arrives, with RFC 3339 nanosecond UTC timestamps, terminal event last', async () => {
    const options = await sandbox();
    const arrivals: Array<{ event: ExecOutcomeEvent; at: number }> = [];
    await lastValueFrom(
      exec$({ command: 'echo first; sleep 1; echo second >&2' }, options).pipe(
        map((event) => arrivals.push({ event, at: performance.now() })),
      ),
    );
    expect(arrivals.map(({ event }) => event.type)).toEqual(['stdout', 'stderr', 'finished']);
    expect(arrivals[1]!.at - arrivals[0]!.at).toBeGreaterThan(700);
    for (const { event } of arrivals)
      expect(event.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
  });

  it('delivers 1 MB of output in events of at most 32 KiB, none lost', async () => {
    const options = await sandbox();
    const events = await lastValueFrom(
      exec$({ command: "head -c 1048576 /dev/zero | tr '\\0' a" }, options).pipe(toArray()),
    );
    const output = events
      .filter((event) => event.type === 'stdout')
      .map((event) => (event.type === 'stdout' ? event.data : ''));
    expect(output.join('')).toBe('a'.repeat(1048576));
    expect(Math.max(...output.map((data) => data.length))).toBeLessThanOrEqual(32 * 1024);
    expect(output.length).toBeGreaterThanOrEqual(32);
  });

  it('never breaks a multi-byte character across events', async () => {
    const options = await sandbox();
    const events = await lastValueFrom(
      exec$(
        { command: process.execPath, args: ['-e', "process.stdout.write('a€😀'.repeat(50000))"] },
        options,
      ).pipe(toArray()),
    );
    const output = events.flatMap((event) => (event.type === 'stdout' ? [event.data] : []));
    expect(output.length).toBeGreaterThan(1);
    expect(output.every((data) => !data.includes('\uFFFD'))).toBe(true);
    expect(output.join('')).toBe('a€😀'.repeat(50000));
  });

  it('writes keepalive comments every keepaliveMs from the start of the stream', async () => {
    const options = await sandbox({ keepaliveMs: 100 });
    const response = await post(options, { body: '{"command":"sleep 0.55"}' });
    const text = await response.text();
    expect(text.match(/^: keepalive\n\n/gm)?.length).toBeGreaterThanOrEqual(3);
    expect(text).toMatch(/data: \{"exit_code":0,"finished":true,"timestamp":"[^"]+"\}\n\n$/);
  });

  it('kills the whole process group on timeout_s and reports 124', async () => {
    const options = await sandbox();
    const pidFile = join(dir, 'timeout.pids');
    const started = Date.now();
    const result = await run(`sleep 30 & echo $! > ${pidFile}; echo $$ >> ${pidFile}; wait`, options, {
      timeout_s: 1,
    });
    expect(result.exitCode).toBe(124);
    expect(Date.now() - started).toBeLessThan(5000);
    const pids = await readPids(pidFile);
    expect(pids).toHaveLength(2);
    await waitFor(() => pids.every((pid) => !isAlive(pid)), 2000, 'the group to be gone');
  });

  it('kills the process group at once when the client unsubscribes', async () => {
    const options = await sandbox();
    const pidFile = join(dir, 'unsubscribe.pids');
    await firstValueFrom(
      exec$(
        { command: `sleep 30 & echo $! > ${pidFile}; echo $$ >> ${pidFile}; echo ready; wait` },
        options,
      ).pipe(
        stdoutText(),
        filter((text) => text.includes('ready')),
      ),
    );
    const pids = await readPids(pidFile);
    expect(pids).toHaveLength(2);
    await waitFor(() => pids.every((pid) => !isAlive(pid)), 2000, 'the processes to be killed');
  });

  it('kills background children once the command exits', async () => {
    const options = await sandbox();
    const pidFile = join(dir, 'background.pids');
    const result = await run(`sleep 30 > /dev/null 2>&1 & echo $! > ${pidFile}`, options);
    expect(result.exitCode).toBe(0);
    const [pid] = await readPids(pidFile);
    await waitFor(() => !isAlive(pid!), 2000, 'the background child to be killed');
  });

  it('pauses the process while the client does not read, instead of buffering', async () => {
    const options = await sandbox();
    const marker = join(dir, 'backpressure.done');
    const response = await post(options, {
      body: JSON.stringify({ command: `head -c 30000000 /dev/zero | tr '\\0' a; touch ${marker}` }),
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await expect(stat(marker)).rejects.toThrow(/ENOENT/);
    const text = await response.text();
    expect(text).toMatch(/"exit_code":0/);
    await expect(stat(marker)).resolves.toBeDefined();
  });

  it('runs 100 concurrent exec$ merged, each output intact', async () => {
    const options = await sandbox({ maxConcurrent: 100 });
    const results = await lastValueFrom(
      range(0, 100).pipe(
        mergeMap((i) =>
          exec$({ command: `echo run-${i}; echo line2-${i}` }, options).pipe(
            stdoutText(),
            lines(),
            toArray(),
            map((got) => ({ i, got })),
          ),
        ),
        toArray(),
      ),
    );
    expect(results).toHaveLength(100);
    for (const { i, got } of results) expect(got).toEqual([`run-${i}`, `line2-${i}`]);
  });

  it('close() kills running commands and resolves once their sockets are closed', async () => {
    const options = await sandbox();
    const pidFile = join(dir, 'close.pids');
    const errors: unknown[] = [];
    const subscriptions = [1, 2].map(() =>
      exec$({ command: `echo $$ >> ${pidFile}; sleep 30` }, options).subscribe({
        error: (e) => errors.push(e),
      }),
    );
    await waitFor(async () => (await readPids(pidFile)).length === 2, 5000, 'both commands to start');
    const pids = await readPids(pidFile);
    await options.sandbox.close();
    expect(pids.filter(isAlive)).toEqual([]);
    await waitFor(() => errors.length === 2, 2000, 'both clients to see their stream end');
    // Cut without a terminal event: the outcome is unknown, never a clean completion.
    for (const error of errors)
      expect(error).toEqual(
        expect.objectContaining({ name: expect.stringMatching(/^Exec(Incomplete|Network)Error$/) }),
      );
    for (const subscription of subscriptions) subscription.unsubscribe();
  });

  describe('a process that left the group but holds the pipes (setsid)', () => {
    let escaped: number[] = [];
    afterEach(() => {
      // Outside the run's group, so nothing of the sandbox's can kill it: the test does.
      for (const pid of escaped) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      escaped = [];
    });
    const command = (pidFile: string) => `setsid sleep 20 & echo $! > ${pidFile}; echo started`;

    it('still ends the run with 124 at timeout_s', async () => {
      const options = await sandbox();
      const pidFile = join(dir, 'setsid-timeout.pid');
      const started = Date.now();
      const result = await run(command(pidFile), options, { timeout_s: 1 });
      escaped = await readPids(pidFile);
      expect(result).toEqual({ stdout: 'started\n', stderr: '', exitCode: 124, truncated: false });
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it('does not keep close() waiting, nor a concurrency slot after the client left', async () => {
      const options = await sandbox({ maxConcurrent: 1 });
      const pidFile = join(dir, 'setsid-close.pid');
      await firstValueFrom(exec$({ command: command(pidFile), timeout_s: 60 }, options));
      escaped = await readPids(pidFile);
      // The first run's client has gone: its slot must come free for the next run (once the
      // server has seen the connection close, which may take a moment under load).
      await waitFor(
        () =>
          run('echo next', options).then(
            ({ stdout }) => stdout === 'next\n',
            (error: unknown) => {
              if (error instanceof ExecHttpError && error.status === 429) return false;
              throw error;
            },
          ),
        5000,
        'the slot to come free',
      );
      const blocker = exec$({ command: command(pidFile), timeout_s: 60 }, options).subscribe();
      await waitFor(
        async () => (await readPids(pidFile)).length === 1 && escaped[0] !== (await readPids(pidFile))[0],
        5000,
        'the second command to start',
      );
      escaped.push(...(await readPids(pidFile)));
      const closing = Date.now();
      await options.sandbox.close();
      expect(Date.now() - closing).toBeLessThan(3000);
      blocker.unsubscribe();
    });
  });

  it('keeps serving after failing commands and bad requests', async () => {
    const options = await sandbox();
    await run('exit 1', options);
    await run('true', options, { working_dir: '/nonexistent' }).catch(() => undefined);
    await post(options, { body: 'garbage' });
    expect((await run('echo alive', options)).stdout).toBe('alive\n');
  });
});
