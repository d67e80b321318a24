// The terminal in `npm run bench`: `cat` of one file (BENCH_TERMINAL_BYTES, default 256 MiB) in
// the shell, through terminal$ and the local sandbox, as a ratio to the same `cat` in the same
// shell through a pseudo-terminal of this process (node-pty, what the sandbox itself runs on),
// interleaved over rounds; and the keystroke round trip (one byte in, its echo out, with `cat`
// reading a terminal in its default cooked mode, so that the kernel echoes it) over 1,000 keys,
// through terminal$ and through the local pseudo-terminal.
//   TSX_TSCONFIG_PATH=bench/tsconfig.json npx tsx bench/terminal.ts
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn as spawnPty } from '@lydell/node-pty';
import { Subject } from 'rxjs';
import { terminal$ } from 'superserve-rx';
import { startLocalSandbox } from 'superserve-rx/server';
import WebSocket from 'ws';

const MiB = 1024 * 1024;
const FILE_BYTES = Number(process.env.BENCH_TERMINAL_BYTES ?? String(256 * MiB));
const ROUNDS = Math.max(1, Number(process.env.BENCH_TERMINAL_ROUNDS ?? '3'));
const KEYS = Number(process.env.BENCH_TERMINAL_KEYS ?? '1000');

/** What {@link terminalFigures} measured. */
export interface TerminalFigures {
  /** Median milliseconds of the `cat`, by path, and the bytes each path moved. */
  readonly output: Record<string, { ms: number; bytes: number }>;
  /** Keystroke round trips, in milliseconds, by path. */
  readonly keys: Record<string, { median: number; p99: number }>;
}

/** One side of the comparison: a shell that gets `line` typed and counts its output until it exits. */
type ShellPath = (line: string, onBytes: (count: number) => void) => Promise<void>;

const throughTerminal =
  (options: { baseUrl: string; accessToken: string }): ShellPath =>
  (line, onBytes) =>
    new Promise((resolve, reject) => {
      const input = new Subject<string>();
      terminal$({ input }, { ...options, webSocket: WebSocket }).subscribe({
        next: (event) => onBytes(event.data.length),
        error: reject,
        complete: () => resolve(),
      });
      input.next(line);
    });

const throughLocalPty: ShellPath = (line, onBytes) =>
  new Promise((resolve) => {
    const term = spawnPty('/bin/bash', [], {
      name: 'xterm-256color',
      cols: 80,
      rows: 24,
      cwd: process.cwd(),
      env: process.env as Record<string, string>,
      encoding: null,
    });
    term.onData((data) => onBytes((data as unknown as Buffer).length));
    term.onExit(() => resolve());
    term.write(line);
  });

/** The time of `cat file` in a fresh shell, typed as one line that ends with `exit`. */
async function catTime(path: ShellPath, file: string): Promise<{ ms: number; bytes: number }> {
  let bytes = 0;
  const started = performance.now();
  await path(`stty -echo; cat ${file}; exit\r`, (count) => (bytes += count));
  return { ms: performance.now() - started, bytes };
}

/** Round trips of single keystrokes into `cat`, which the terminal echoes. */
async function keystrokes(open: (input: Subject<string>, onText: (text: string) => void) => () => void) {
  const input = new Subject<string>();
  let seen = '';
  let waiting: (() => void) | undefined;
  let expecting = '';
  const close = open(input, (text) => {
    seen += text;
    if (waiting !== undefined && seen.includes(expecting)) {
      const done = waiting;
      waiting = undefined;
      done();
    }
  });
  const until = (marker: string): Promise<void> =>
    new Promise((resolve) => {
      expecting = marker;
      if (seen.includes(marker)) resolve();
      else waiting = resolve;
    });
  input.next('echo READY-$((1+1)); exec cat\r');
  await until('READY-2');
  seen = '';
  const times: number[] = [];
  for (let i = 0; i < KEYS; i++) {
    const key = String.fromCharCode(97 + (i % 26));
    seen = '';
    const started = performance.now();
    input.next(key);
    await until(key);
    times.push(performance.now() - started);
  }
  close();
  const sorted = times.sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)]!, p99: sorted[Math.floor(sorted.length * 0.99)]! };
}

/** Measures both paths side by side in this run. */
export async function terminalFigures(): Promise<TerminalFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'superserve-rx-bench-terminal-'));
  const file = join(dir, 'output.txt');
  execFileSync('/bin/sh', [
    '-c',
    `yes 'the quick brown fox jumps over the lazy dog' | head -c ${FILE_BYTES} > ${file}`,
  ]);
  if (statSync(file).size !== FILE_BYTES) throw new Error('the bench file was not written');
  const sandbox = await startLocalSandbox();
  const options = { baseUrl: sandbox.url, accessToken: sandbox.accessToken };
  try {
    const paths: Record<string, ShellPath> = {
      'terminal$ (local sandbox in this process)': throughTerminal(options),
      'local pseudo-terminal (node-pty)': throughLocalPty,
    };
    const times: Record<string, Array<{ ms: number; bytes: number }>> = {};
    for (const [name, path] of Object.entries(paths)) {
      await catTime(path, file); // warm-up: the page cache, bash's startup
      times[name] = [];
    }
    for (let round = 0; round < ROUNDS; round++) {
      const names = Object.keys(paths);
      for (let i = 0; i < names.length; i++) {
        const name = names[(i + round) % names.length]!;
        times[name]!.push(await catTime(paths[name]!, file));
      }
    }
    const output = Object.fromEntries(
      Object.entries(times).map(([name, runs]) => {
        const sorted = [...runs].sort((a, b) => a.ms - b.ms);
        const middle = sorted[Math.floor(sorted.length / 2)]!;
        return [name, middle];
      }),
    );
    const terminalBytes = output['terminal$ (local sandbox in this process)']!.bytes;
    // Every byte `cat` wrote (each \n as \r\n) arrived through terminal$.
    const lines = Math.ceil(FILE_BYTES / 44);
    if (terminalBytes < FILE_BYTES + lines) {
      throw new Error(`terminal$ moved ${terminalBytes} bytes, expected at least ${FILE_BYTES + lines}`);
    }
    const decoder = () => new TextDecoder();
    const keys = {
      'terminal$ (local sandbox in this process)': await keystrokes((input, onText) => {
        const text = decoder();
        const subscription = terminal$({ input }, { ...options, webSocket: WebSocket }).subscribe((event) =>
          onText(text.decode(event.data, { stream: true })),
        );
        return () => subscription.unsubscribe();
      }),
      'local pseudo-terminal (node-pty)': await keystrokes((input, onText) => {
        const term = spawnPty('/bin/bash', [], {
          name: 'xterm-256color',
          cols: 80,
          rows: 24,
          cwd: process.cwd(),
          env: process.env as Record<string, string>,
        });
        term.onData(onText);
        const subscription = input.subscribe((key) => term.write(key));
        return () => {
          subscription.unsubscribe();
          term.kill('SIGKILL');
        };
      }),
    };
    return { output, keys };
  } finally {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The figures as a table, with the ratio to the local pseudo-terminal. */
export function terminalTable(figures: TerminalFigures): string {
  const local = figures.output['local pseudo-terminal (node-pty)']!;
  const rows = [['path', 'median ms', 'MB/s', 'bytes', 'vs local pty', 'key median ms', 'key p99 ms']];
  for (const [name, { ms, bytes }] of Object.entries(figures.output)) {
    const keys = figures.keys[name]!;
    rows.push([
      name,
      ms.toFixed(0),
      (bytes / ms / 1000).toFixed(1),
      String(bytes),
      `${(local.ms / ms).toFixed(2)}x`,
      keys.median.toFixed(2),
      keys.p99.toFixed(2),
    ]);
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ')).join('\n');
}

/** One line for the summary. */
export function terminalSummary(figures: TerminalFigures): string {
  const ours = figures.output['terminal$ (local sandbox in this process)']!;
  const local = figures.output['local pseudo-terminal (node-pty)']!;
  const keys = figures.keys['terminal$ (local sandbox in this process)']!;
  return (
    `terminal$ cat ${(local.ms / ours.ms).toFixed(2)}x a local pseudo-terminal; ` +
    `keystroke round trip median ${keys.median.toFixed(2)} ms, p99 ${keys.p99.toFixed(2)} ms`
  );
}

if (require.main === module) {
  void terminalFigures().then((figures) => {
    console.log(
      `## terminal: cat of ${FILE_BYTES / MiB} MiB in the shell, median of ${ROUNDS}; ${KEYS} keystrokes`,
    );
    console.log(terminalTable(figures));
    console.log(terminalSummary(figures));
  });
}
