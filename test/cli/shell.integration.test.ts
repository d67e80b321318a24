import { spawn as spawnChild } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type IPty, spawn } from '@lydell/node-pty';
import { isAlive, readPids, runningChildren, waitFor } from '../helpers/processes';

// `superserve-rx shell` in a pseudo-terminal of its own (node-pty, as a person's terminal
// emulator runs it): an outer sh records the terminal's settings, runs the CLI, records them
// again, so that the test sees the keys go through, the size follow SIGWINCH and the
// terminal restored however the CLI ends.
const root = resolve(__dirname, '../..');
const terminals = new Set<IPty>();
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'superserve-rx-shell-'));
});
afterEach(() => {
  for (const term of terminals) term.kill('SIGKILL');
  terminals.clear();
});
afterAll(() => rm(dir, { recursive: true, force: true }));

interface OuterTerminal {
  readonly term: IPty;
  /** Everything the terminal showed so far. */
  screen(): string;
  seen(pattern: RegExp | string, ms?: number): Promise<void>;
  /** The CLI's exit code, once the outer sh printed it. */
  exitCode(): Promise<number>;
  /** The terminal's settings (`stty -g`) before and after the CLI. */
  settings(): Promise<{ before: string; after: string }>;
}

function outerTerminal(name: string): OuterTerminal {
  const before = join(dir, `${name}.before`);
  const after = join(dir, `${name}.after`);
  const cli = `${process.execPath} --import tsx src/cli/main.ts shell`;
  const term = spawn(
    '/bin/sh',
    ['-c', `stty -g > ${before}; ${cli}; echo "cli exit $?"; stty -g > ${after}`],
    {
      name: 'xterm-256color',
      cols: 100,
      rows: 30,
      cwd: root,
      env: { ...process.env, SUPERSERVE_SANDBOX_URL: '', SUPERSERVE_ACCESS_TOKEN: '', PS1: '$ ' } as Record<
        string,
        string
      >,
    },
  );
  terminals.add(term);
  let text = '';
  term.onData((data) => (text += data));
  const seen = (pattern: RegExp | string, ms = 20_000) =>
    waitFor(
      () => (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text)),
      ms,
      String(pattern),
    );
  return {
    term,
    screen: () => text,
    seen,
    exitCode: async () => {
      await seen(/cli exit \d+/);
      return Number(/cli exit (\d+)/.exec(text)![1]);
    },
    settings: async () => {
      await waitFor(async () => (await readFile(after, 'utf8').catch(() => '')) !== '', 10_000, 'stty after');
      return { before: await readFile(before, 'utf8'), after: await readFile(after, 'utf8') };
    },
  };
}

describe('superserve-rx shell in a terminal', () => {
  it('sends every key (Ctrl-C included) to the remote shell, follows SIGWINCH, exits 0 and restores the terminal', async () => {
    const outer = outerTerminal('keys');
    outer.term.write('echo "<$((6*7))>"\r');
    await outer.seen('<42>');
    outer.term.write('echo "[$(stty size)]"\r');
    await outer.seen('[30 100]');
    outer.term.resize(120, 40);
    outer.term.write('echo "[$(stty size)]"\r');
    await outer.seen('[40 120]');
    const pidFile = join(dir, 'sleep.pid');
    outer.term.write(`sh -c 'echo $$ > ${pidFile}; exec sleep 30'\r`);
    await waitFor(async () => (await readPids(pidFile)).length === 1, 10_000, 'the pid file');
    outer.term.write('\x03');
    const [sleeping] = await readPids(pidFile);
    await waitFor(() => !isAlive(sleeping!), 5000, 'the remote sleep to be interrupted');
    outer.term.write('echo "back $((2+3))"\r');
    await outer.seen('back 5');
    outer.term.write('exit\r');
    expect(await outer.exitCode()).toBe(0);
    const { before, after } = await outer.settings();
    expect(after).toBe(before);
  }, 60_000);

  it('restores the terminal and ends the remote shell when the CLI gets SIGTERM (exit 130)', async () => {
    const outer = outerTerminal('sigterm');
    const pidFile = join(dir, 'remote-bash.pid');
    outer.term.write(`echo $$ > ${pidFile}\r`);
    await waitFor(async () => (await readPids(pidFile)).length === 1, 20_000, 'the remote pid');
    const [cli] = runningChildren(outer.term.pid);
    process.kill(cli!, 'SIGTERM');
    expect(await outer.exitCode()).toBe(130);
    const { before, after } = await outer.settings();
    expect(after).toBe(before);
    const [remote] = await readPids(pidFile);
    await waitFor(() => !isAlive(remote!), 5000, 'the remote shell to be gone');
  }, 60_000);

  it('restores the terminal when the shell cannot be reached (an error: its exit code)', async () => {
    // A URL where nothing listens.
    const before = join(dir, 'unreachable.before');
    const after = join(dir, 'unreachable.after');
    const term = spawn(
      '/bin/sh',
      [
        '-c',
        `stty -g > ${before}; ${process.execPath} --import tsx src/cli/main.ts shell --url http://127.0.0.1:9 --token t; echo "cli exit $?"; stty -g > ${after}`,
      ],
      { cols: 80, rows: 24, cwd: root, env: process.env as Record<string, string> },
    );
    terminals.add(term);
    let text = '';
    term.onData((data) => (text += data));
    await waitFor(() => /cli exit \d+/.test(text), 20_000, 'the exit');
    expect(text).toMatch(/superserve-rx: GET \/terminal: the WebSocket did not open/);
    expect(Number(/cli exit (\d+)/.exec(text)![1])).toBe(75);
    await waitFor(async () => (await readFile(after, 'utf8').catch(() => '')) !== '', 10_000, 'stty after');
    expect(await readFile(after, 'utf8')).toBe(await readFile(before, 'utf8'));
  }, 60_000);
});

describe('superserve-rx shell with stdin not a terminal', () => {
  it('pipes stdin to the shell (no raw mode, no size), ends it with exit, and exits 0', async () => {
    const child = spawnChild(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'shell'], {
      cwd: root,
      env: { ...process.env, SUPERSERVE_SANDBOX_URL: '', SUPERSERVE_ACCESS_TOKEN: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    // The last line has no newline: it still runs, and so does the exit after it.
    child.stdin.end('echo "<$((6*7))>"\necho "[$(stty size)]"');
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(code).toBe(0);
    expect(out).toContain('<42>');
    // The remote terminal kept the service's 80 x 24: no size was sent.
    expect(out).toContain('[24 80]');
  }, 60_000);

  it('--help says what it does', async () => {
    const child = spawnChild(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'shell', '--help'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    expect(await new Promise((done) => child.on('close', done))).toBe(0);
    expect(out).toMatch(/^Usage: superserve-rx shell \[options\]/);
    expect(out).toContain('raw mode');
  });
});
