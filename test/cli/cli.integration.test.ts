import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { lastValueFrom } from 'rxjs';
import { collectOutput, exec$ } from 'superserve-rx';
import { startLocalSandbox } from 'superserve-rx/server';
import { type FaultStep, startFaultServer, step } from '../helpers/fault-server';
import { isAlive, readPids, runningChildren, waitFor } from '../helpers/processes';
import { frames } from '../helpers/sse-response';
import { type TestSseServer, unusedPort } from '../helpers/sse-server';
import { runSession } from '../helpers/ws-session';

const root = resolve(__dirname, '../..');
const children = new Set<ChildProcess>();

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI from source as a child process, the way a user runs the binary. Its stdin is
 * empty unless `stdin` is 'pipe' (then the test writes `child.stdin`); `bytes` resolves with
 * its stdout exactly as written.
 */
function cli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  stdin: 'ignore' | 'pipe' = 'ignore',
): { child: ChildProcess; result: Promise<Result>; bytes: Promise<Buffer> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: root,
    env: { ...process.env, SUPERSERVE_SANDBOX_URL: '', SUPERSERVE_ACCESS_TOKEN: '', ...env },
    stdio: [stdin, 'pipe', 'pipe'],
  });
  children.add(child);
  const chunks: Buffer[] = [];
  let stderr = '';
  child.stdin?.on('error', () => undefined); // EPIPE when the CLI has stopped reading
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const closed = new Promise<number | null>((done) =>
    child.on('close', (code) => {
      children.delete(child);
      done(code);
    }),
  );
  const bytes = closed.then(() => Buffer.concat(chunks));
  const result = closed.then((code) => ({ code, stdout: Buffer.concat(chunks).toString(), stderr }));
  return { child, result, bytes };
}

afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
});

/** A process's command name, or '' once it is gone. */
function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'superserve-rx-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('superserve-rx exec', () => {
  it('streams stdout and stderr to their own streams and passes the exit code through', async () => {
    const { result } = cli(['exec', '--env', 'WHO=cli', '--', 'echo "hi $WHO"; echo oops >&2; exit 7']);
    expect(await result).toEqual({ code: 7, stdout: 'hi cli\n', stderr: 'oops\n' });
  });

  it('runs several arguments as a binary and its args, with no shell', async () => {
    const { result } = cli(['exec', '--cwd', dir, '--', 'sh', '-c', 'pwd; echo "$1"', 'sh', '$HOME']);
    expect(await result).toEqual({ code: 0, stdout: `${dir}\n$HOME\n`, stderr: '' });
  });

  it('reports 124 for --timeout and a typed error with its own exit code', async () => {
    expect((await cli(['exec', '--timeout', '1', '--', 'sleep 10']).result).code).toBe(124);
    const failed = await cli(['exec', '--cwd', '/no/such/dir', '--', 'ls']).result;
    expect(failed.code).toBe(71);
    expect(failed.stderr).toBe(
      'superserve-rx: the command could not run (exec_failed): chdir /no/such/dir: no such file or directory\n',
    );
  });

  it('reports an HTTP error without echoing the token', async () => {
    const secret = 'cli-secret-token-value';
    const server = await startLocalSandbox();
    try {
      const run = await cli(['exec', '--url', server.url, '--token', secret, '--', 'true']).result;
      expect(run.code).toBe(69);
      expect(run.stderr).toBe('superserve-rx: POST /exec/stream failed with 401: invalid access token\n');
      expect(run.stdout + run.stderr).not.toContain(secret);
    } finally {
      await server.close();
    }
  });

  it.each([
    [
      ['exec', '--bogus', '--', 'ls'],
      "superserve-rx: exec: Unknown option '--bogus'. Run 'superserve-rx exec --help'.\n",
    ],
    [['exec'], "superserve-rx: exec: no command given. Run 'superserve-rx exec --help'.\n"],
    [
      ['exec', '--timeout', 'soon', '--', 'ls'],
      "superserve-rx: exec: --timeout expects a positive whole number of seconds, got 'soon'.\n",
    ],
    [['exec', '--env', 'NOEQUALS', '--', 'ls'], "superserve-rx: exec: --env expects K=V, got 'NOEQUALS'.\n"],
    [['frobnicate'], "superserve-rx: unknown command 'frobnicate'. Run 'superserve-rx --help'.\n"],
  ])('rejects bad usage %j with exit code 2 and one clear line', async (args, message) => {
    expect(await cli(args).result).toEqual({ code: 2, stdout: '', stderr: message });
  });

  it('prints help for each command', async () => {
    for (const args of [['--help'], ['exec', '--help'], ['serve', '-h']]) {
      const run = await cli(args).result;
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^Usage: superserve-rx/);
    }
    const help = (await cli(['exec', '--help']).result).stdout;
    expect(help).toContain('--env K=V');
    expect(help).toContain('-i, --interactive');
  });

  it('stops the remote command on Ctrl-C and exits 130', async () => {
    const pidFile = join(dir, 'sigint.pids');
    const { child, result } = cli(['exec', '--', `echo $$ > ${pidFile}; echo ready; sleep 30`]);
    // Wait for the output to reach the CLI's stdout, not only for the command to start: under
    // load a Ctrl-C between the two would cut off "ready".
    let printed = '';
    child.stdout?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    await waitFor(() => printed.includes('ready'), 10_000, 'the command to start and print');
    const [pid] = await readPids(pidFile);
    child.kill('SIGINT');
    const run = await result;
    expect(run.code).toBe(130);
    expect(run.stdout).toBe('ready\n');
    expect(isAlive(pid!)).toBe(false);
  });
});

describe('superserve-rx exec -i', () => {
  // Commands here that trap or wait for SIGINT would outlive a failed test (the CLI killed with
  // SIGKILL cannot close its embedded sandbox): their process groups are killed afterwards.
  const pidFiles: string[] = [];
  afterEach(async () => {
    for (const file of pidFiles.splice(0)) {
      for (const pid of await readPids(file)) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // ESRCH: gone already, as it should be.
        }
      }
    }
  });
  /** A file for the command to write its pid (its group's id) to, cleaned up after the test. */
  const pidFile = (name: string): string => {
    const file = join(dir, name);
    pidFiles.push(file);
    return file;
  };

  /** Waits until the CLI has printed `text` on its stdout. */
  const printed = (child: ChildProcess, text: string): Promise<void> => {
    let seen = '';
    child.stdout?.on('data', (chunk: Buffer) => (seen += chunk.toString()));
    return waitFor(() => seen.includes(text), 10_000, `the CLI to print ${JSON.stringify(text)}`);
  };

  it('pipes its stdin to the command (`echo hi | superserve-rx exec -i -- cat`)', async () => {
    const { child, result } = cli(['exec', '-i', '--', 'cat'], {}, 'pipe');
    child.stdin!.end('hi\n');
    expect(await result).toEqual({ code: 0, stdout: 'hi\n', stderr: '' });
  });

  it('reads no stdin without -i, as before', async () => {
    const { child, result } = cli(['exec', '--', 'cat'], {}, 'pipe');
    child.stdin!.end('hi\n');
    expect(await result).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('passes bytes through both ways unchanged', async () => {
    // Not UTF-8: a NUL, lone continuation and lead bytes, then every byte value.
    const input = Buffer.concat([
      Buffer.from([0x00, 0xff, 0xfe, 0x80, 0xc3]),
      Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
    ]);
    const { child, bytes, result } = cli(['exec', '-i', '--', 'cat'], {}, 'pipe');
    child.stdin!.end(input);
    expect(await bytes).toEqual(input);
    expect((await result).code).toBe(0);
  });

  it('feeds a stdin larger than every buffer on the way only as fast as the command reads it', async () => {
    // The command reads nothing for a while: stdin pushed instead of pulled would pile up past
    // the session's 16 MiB cap and fail; pulled, all 64 MiB arrive whole.
    const input = randomBytes(64 * 1024 * 1024);
    const { child, result } = cli(['exec', '-i', '--', 'sleep 2; sha256sum'], {}, 'pipe');
    child.stdin!.end(input);
    expect(await result).toEqual({
      code: 0,
      stdout: `${createHash('sha256').update(input).digest('hex')}  -\n`,
      stderr: '',
    });
  }, 120_000);

  it('keeps stdout and stderr apart and passes the exit code through', async () => {
    const run = await cli(['exec', '-i', '--', 'echo out; echo err >&2; exit 3']).result;
    expect(run).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n' });
  });

  it('exits when the command does, though its stdin is still open (a terminal no one types in)', async () => {
    const { result } = cli(['exec', '-i', '--', 'echo done'], {}, 'pipe');
    expect(await result).toEqual({ code: 0, stdout: 'done\n', stderr: '' });
  });

  it('sends the first Ctrl-C to the command, which may handle it', async () => {
    const { child, result } = cli([
      'exec',
      '-i',
      '--',
      `echo $$ > ${pidFile('interactive-trap.pids')}; trap 'echo got-int; exit 7' INT; echo ready; while :; do sleep 0.1; done`,
    ]);
    await printed(child, 'ready');
    child.kill('SIGINT');
    expect(await result).toEqual({ code: 7, stdout: 'ready\ngot-int\n', stderr: '' });
  });

  it("passes on the command's own death by the first Ctrl-C (130 from the command)", async () => {
    const pids = pidFile('interactive-sleep.pids');
    const { child, result } = cli(['exec', '-i', '--', `echo $$ > ${pids}; echo ready; sleep 30`]);
    await printed(child, 'ready');
    // Signal once `sleep` runs: a SIGINT that reaches the shell while it forks is only noted
    // (dash), and the shell then waits for a sleep that never got it.
    const [shell] = await readPids(pids);
    await waitFor(
      () => runningChildren(shell!).some((pid) => commandOf(pid) === 'sleep'),
      10_000,
      'sleep to start',
    );
    child.kill('SIGINT');
    // No "interrupted" line: the CLI did not stop anything, the command died of its SIGINT.
    expect(await result).toEqual({ code: 130, stdout: 'ready\n', stderr: '' });
  });

  it('ends the session on a second Ctrl-C, killing a command that ignored the first, and exits 130', async () => {
    const pids = pidFile('interactive-sigint.pids');
    const { child, result } = cli([
      'exec',
      '-i',
      '--',
      `echo $$ > ${pids}; trap 'echo got-int' INT; echo ready; while :; do sleep 0.1; done`,
    ]);
    await printed(child, 'ready');
    child.kill('SIGINT');
    await printed(child, 'got-int');
    child.kill('SIGINT');
    expect(await result).toEqual({
      code: 130,
      stdout: 'ready\ngot-int\n',
      stderr: 'superserve-rx: interrupted; the command was stopped\n',
    });
    const [pid] = await readPids(pids);
    await waitFor(() => !isAlive(pid!), 5000, 'the command to be killed');
  });

  it('reports a command that cannot run with the ExecFailedError exit code', async () => {
    const run = await cli(['exec', '-i', '--', 'no-such-binary-5c1e', '--version']).result;
    expect(run).toEqual({
      code: 71,
      stdout: '',
      stderr:
        'superserve-rx: the command could not run (bad_request): resolve "no-such-binary-5c1e": executable file not found in PATH\n',
    });
  });

  it('reports a refused handshake without echoing the token', async () => {
    const secret = 'cli-secret-session-token';
    const server = await startLocalSandbox();
    try {
      const run = await cli(['exec', '-i', '--url', server.url, '--token', secret, '--', 'true']).result;
      expect(run.code).toBe(69);
      expect(run.stderr).toMatch(/^superserve-rx: .*401.*invalid access token\n$/);
      expect(run.stdout + run.stderr).not.toContain(secret);
    } finally {
      await server.close();
    }
  });
});

describe('the access token and the CLI', () => {
  const secret = 'cli-secret-token-4e1d9b7a0c';
  let server: TestSseServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it.each([
    ['an HTTP error body', 'flag', [step.head(401), step.write(`invalid access token ${secret}`)], 69],
    [
      'an error event',
      'env',
      [
        step.sseHead(),
        step.write(frames({ error: `token ${secret} expired`, code: 'gone', finished: true })),
      ],
      71,
    ],
    ['a bad frame', 'flag', [step.sseHead(), step.write(`data: ${secret}\n\n`)], 65],
  ] as Array<[string, string, FaultStep[], number]>)(
    'never prints the token when a server echoes it in %s (token by %s)',
    async (_where, how, script, code) => {
      server = await startFaultServer(script);
      const run = await cli(
        how === 'flag'
          ? ['exec', '--url', server.url, '--token', secret, '--', 'true']
          : ['exec', '--', 'true'],
        how === 'env' ? { SUPERSERVE_SANDBOX_URL: server.url, SUPERSERVE_ACCESS_TOKEN: secret } : {},
      ).result;
      expect(run.code).toBe(code);
      expect(run.stderr).toContain('[redacted]');
      expect(run.stdout + run.stderr).not.toContain(secret);
    },
  );

  it('never prints the token on a network error', async () => {
    const url = `http://127.0.0.1:${await unusedPort()}`;
    const run = await cli(['exec', '--', 'true'], {
      SUPERSERVE_SANDBOX_URL: url,
      SUPERSERVE_ACCESS_TOKEN: secret,
    }).result;
    expect(run.code).toBe(75);
    expect(run.stderr).toMatch(/ECONNREFUSED/);
    expect(run.stdout + run.stderr).not.toContain(secret);
  });
});

describe('superserve-rx exec when its reader goes away', () => {
  it.each([[[]], [['-i']]])(
    'stops the command and exits 141 without a stack trace (`exec %j | head -1`)',
    async (flags) => {
      const pidFile = join(dir, `epipe${flags.join('')}.pids`);
      const { child, result } = cli([
        'exec',
        ...flags,
        '--',
        `echo $$ > ${pidFile}; while true; do echo line; done`,
      ]);
      await waitFor(async () => (await readPids(pidFile)).length === 1, 10_000, 'the command to start');
      await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
      // Close our end of the CLI's stdout, as `head` does once it has its line.
      child.stdout!.destroy();
      const run = await result;
      expect(run.code).toBe(141);
      expect(run.stderr).toBe('');
      const [pid] = await readPids(pidFile);
      await waitFor(() => !isAlive(pid!), 5000, 'the command to be stopped');
    },
  );
});

describe('superserve-rx serve', () => {
  it('prints its URL and token, serves all three exec endpoints, and stops cleanly on Ctrl-C', async () => {
    const { child, result } = cli(['serve', '--token', 'serve-token-1']);
    let printed = '';
    child.stdout?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    await waitFor(() => printed.includes('Ctrl-C'), 10_000, 'serve to start');
    const url = /export SUPERSERVE_SANDBOX_URL=(\S+)/.exec(printed)?.[1];
    expect(printed).toContain('export SUPERSERVE_ACCESS_TOKEN=serve-token-1');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const output = await lastValueFrom(
      exec$({ command: 'echo served' }, { baseUrl: url!, accessToken: 'serve-token-1' }).pipe(
        collectOutput(),
      ),
    );
    expect(output.stdout).toBe('served\n');
    const sync = await fetch(`${url}/exec`, {
      method: 'POST',
      headers: { 'x-access-token': 'serve-token-1' },
      body: JSON.stringify({ command: 'echo synced' }),
    });
    expect(await sync.json()).toEqual({ stdout: 'synced\n', stderr: '', exit_code: 0 });
    const session = await runSession({ url: url!, accessToken: 'serve-token-1' }, { command: 'cat' }, [
      'piped',
    ]);
    expect(session.stdout.toString()).toBe('piped');
    child.kill('SIGINT');
    const run = await result;
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Local sandbox stopped\.\n$/);
  });

  it('rejects a bad port', async () => {
    const run = await cli(['serve', '--port', 'x']).result;
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: "superserve-rx: serve: --port expects 0-65535, got 'x'.\n",
    });
  });
});
