#!/usr/bin/env node
import { OUTPUT_CLOSED, runCli } from './run-cli.js';

const interrupt = new AbortController();
let ctrlC: (() => boolean) | undefined;
// SIGHUP: the terminal closed. Each stops the run, so that the embedded sandbox is closed and
// the remote command killed, rather than left running detached.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    // A second Ctrl-C while shutting down leaves at once.
    if (interrupt.signal.aborted) process.exit(130);
    // `exec -i` sends the first Ctrl-C to the command instead.
    if (signal === 'SIGINT' && ctrlC?.() === true) return;
    interrupt.abort(signal);
  });
}
// A reader that went away (`superserve-rx exec -- cmd | head -1`): stop, as for Ctrl-C, instead of
// dying of an unhandled EPIPE with the command still running.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', () => {
    if (!interrupt.signal.aborted) interrupt.abort(OUTPUT_CLOSED);
  });
}

// `shell` puts the terminal in raw mode and restores it on its way out; should the process end
// some other way (a second signal's process.exit), it is restored here.
process.on('exit', () => {
  if (process.stdin.isTTY && process.stdin.isRaw) process.stdin.setRawMode(false);
});

runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  // Only `exec -i` reads it; touching process.stdin otherwise would open the stream for nothing.
  get stdin() {
    return process.stdin;
  },
  env: process.env,
  interrupt: interrupt.signal,
  terminal: {
    get isTTY() {
      return process.stdin.isTTY === true;
    },
    setRawMode: (raw) => void process.stdin.setRawMode(raw),
    size: () =>
      process.stdout.isTTY ? { cols: process.stdout.columns, rows: process.stdout.rows } : undefined,
    onResize: (listener) => {
      process.on('SIGWINCH', listener);
      return () => void process.off('SIGWINCH', listener);
    },
  },
  handleCtrlC: (handler) => {
    ctrlC = handler;
    return () => {
      if (ctrlC === handler) ctrlC = undefined;
    };
  },
}).then(
  (code) => {
    // Not process.exit(): that could cut off output still queued for a pipe.
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `superserve-rx: unexpected error: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exitCode = 70;
  },
);
