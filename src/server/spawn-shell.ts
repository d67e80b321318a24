import { randomBytes } from 'node:crypto';
import { close as closeFd, constants, openSync, write } from 'node:fs';
import { access } from 'node:fs/promises';
import type { Pty, PtyModule } from './load-pty.js';

/** What to run in the pseudo-terminal, and where. */
export interface ShellSpec {
  /** The shell's path (`/bin/bash`), started with no arguments. */
  readonly shell: string;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly cols: number;
  readonly rows: number;
}

/** What a running shell reports: output, then its exit; or only that it could not start. */
export interface ShellHandlers {
  /** Bytes the terminal wrote, in order, exactly as read from it. */
  readonly onOutput: (bytes: Buffer) => void;
  /** The shell exited and every byte of its terminal's output was reported. Not after {@link ShellRun.kill}. */
  readonly onExit: () => void;
  /** The shell could not start (not found, not executable, the library threw); `detail` says why. */
  readonly onStartFailure: (detail: string) => void;
}

/** A shell in a pseudo-terminal. */
export interface ShellRun {
  /** Writes bytes to the terminal's input, as if typed. */
  write(bytes: Buffer): void;
  /** Sets the terminal's size (the shell gets SIGWINCH). */
  resize(cols: number, rows: number): void;
  /** Sends a signal to the shell itself (not to its jobs). */
  signal(name: NodeJS.Signals): void;
  /** Stops reading the terminal: the programs writing to it block (backpressure). */
  pauseOutput(): void;
  /** Reads the terminal again. */
  resumeOutput(): void;
  /** SIGKILLs the shell and closes the terminal, which hangs up its foreground jobs. */
  kill(): void;
  /** Resolves once the shell has exited, or never started, or was killed. */
  readonly done: Promise<void>;
}

/** How long the output may take to drain after the shell's exit, once it is being read. */
const DRAIN_FALLBACK_MS = 2000;

/** How often the end-of-output marker is written again while the terminal has no room for it. */
const MARKER_RETRY_MS = 10;

/**
 * Starts a shell in a pseudo-terminal of `@lydell/node-pty`, with output as bytes (never
 * decoded), and reports its exit only once the terminal's output has been read to its end.
 *
 * That end is the hard part. node-pty reads the terminal until EIO, which on Linux can come
 * while the last output is still in the kernel's buffers (the slave's close races the
 * buffer's flush: up to a few KiB lost), and it closes the terminal itself 200 ms after the
 * exit (with the output paused for backpressure, everything still buffered would be lost).
 * So this holds the terminal's slave side open, which keeps EIO away; when node-pty closes the
 * terminal after the exit, it writes a random marker to the slave instead, reads on (resuming
 * on the client's pace) until the marker comes out of the master, after every byte the shell
 * wrote, and only then closes. Where the slave cannot be opened (Windows), node-pty's own end
 * is used.
 *
 * @param pty - The loaded library.
 * @param spec - The shell, its environment, directory and size.
 * @param handlers - Receive the output and the exit.
 */
export function spawnShell(pty: PtyModule, spec: ShellSpec, handlers: ShellHandlers): ShellRun {
  let term: Pty | undefined;
  let killed = false;
  let exited = false;
  let paused = false;
  /** The slave side, held open (see above), and the marker of the output's end. */
  let slave: number | undefined;
  const marker = Buffer.from(`SUPERSERVE-END-${randomBytes(12).toString('hex').toUpperCase()}`);
  /** Set once node-pty wants to close after the exit: the output read since, up to the marker. */
  let draining: { readonly finish: () => void; tail: Buffer } | undefined;
  let fallback: NodeJS.Timeout | undefined;
  let markerRetry: NodeJS.Timeout | undefined;
  const queued: Buffer[] = [];
  let pendingSize: { cols: number; rows: number } | undefined;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });

  const start = async (): Promise<void> => {
    const runnable = await access(spec.shell, constants.X_OK).then(
      () => undefined,
      (error: Error) => error.message,
    );
    if (killed) return resolveDone();
    if (runnable !== undefined) return failed(runnable);
    let started: Pty;
    try {
      started = pty.spawn(spec.shell, [], {
        name: 'xterm-256color',
        cols: pendingSize?.cols ?? spec.cols,
        rows: pendingSize?.rows ?? spec.rows,
        cwd: spec.cwd,
        env: definedOnly({ ...spec.env, TERM: 'xterm-256color' }),
        encoding: null,
      });
    } catch (error) {
      return failed(error instanceof Error ? error.message : String(error));
    }
    term = started;
    slave = openSlave(started);
    if (slave !== undefined) drainBeforeClose(started);
    started.onData(onData);
    started.onExit(() => {
      exited = true;
      releaseSlave();
      resolveDone();
      if (!killed) handlers.onExit();
    });
    for (const bytes of queued.splice(0)) started.write(bytes);
    if (paused) started.pause();
  };

  const onData = (bytes: Buffer): void => {
    if (draining === undefined) return handlers.onOutput(bytes);
    const seen = Buffer.concat([draining.tail, bytes]);
    const at = seen.indexOf(marker);
    if (at < 0) {
      // Everything but what could be the start of the marker goes out now.
      const keep = Math.min(seen.length, marker.length - 1);
      if (seen.length > keep) handlers.onOutput(seen.subarray(0, seen.length - keep));
      draining.tail = seen.subarray(seen.length - keep);
      return;
    }
    if (at > 0) handlers.onOutput(seen.subarray(0, at));
    draining.finish();
  };

  /** Replaces node-pty's close after the exit with: write the marker, read up to it, then close. */
  const drainBeforeClose = (started: Pty): void => {
    const socket = (started as unknown as { _socket?: { destroy?: (...args: unknown[]) => unknown } })
      ._socket;
    const destroy = socket?.destroy;
    if (socket === undefined || typeof destroy !== 'function') return releaseSlave();
    socket.destroy = (...args: unknown[]) => {
      if (killed || slave === undefined) return destroy.apply(socket, args);
      if (draining !== undefined) return socket;
      const finish = (): void => {
        clearTimeout(fallback);
        clearTimeout(markerRetry);
        releaseSlave();
        destroy.apply(socket, args);
      };
      draining = { finish, tail: Buffer.alloc(0) };
      writeMarker();
      armFallback(finish);
      return socket;
    };
  };

  const writeMarker = (): void => {
    if (slave === undefined) return;
    write(slave, marker, (error) => {
      if (error !== null && error.code === 'EAGAIN' && slave !== undefined) {
        markerRetry = setTimeout(writeMarker, MARKER_RETRY_MS);
      }
    });
  };

  /** A last resort should the marker never come: close anyway once the output has been read a while. */
  const armFallback = (finish: () => void): void => {
    fallback = setTimeout(() => {
      if (paused) armFallback(finish);
      else finish();
    }, DRAIN_FALLBACK_MS);
  };

  const releaseSlave = (): void => {
    if (slave === undefined) return;
    const fd = slave;
    slave = undefined;
    closeFd(fd, () => undefined);
  };

  const failed = (detail: string): void => {
    resolveDone();
    if (!killed) handlers.onStartFailure(detail);
  };

  void start();

  return {
    write(bytes) {
      if (killed || exited) return;
      if (term === undefined) queued.push(bytes);
      else term.write(bytes);
    },
    resize(cols, rows) {
      if (killed || exited) return;
      if (term === undefined) pendingSize = { cols, rows };
      else term.resize(cols, rows);
    },
    signal(name) {
      if (killed || exited) return;
      term?.kill(name);
    },
    pauseOutput() {
      if (paused) return;
      paused = true;
      term?.pause();
    },
    resumeOutput() {
      if (!paused) return;
      paused = false;
      term?.resume();
    },
    kill() {
      if (killed) return;
      killed = true;
      clearTimeout(fallback);
      clearTimeout(markerRetry);
      releaseSlave();
      if (term === undefined || exited) return resolveDone();
      // The terminal's hangup (its master closed, its session leader gone) ends the foreground jobs.
      term.kill('SIGKILL');
      term.resume();
      (term as unknown as { destroy?: () => void }).destroy?.();
    },
    done,
  };
}

/** Opens the terminal's slave side (never as this process's controlling terminal), if it can. */
function openSlave(term: Pty): number | undefined {
  const path = (term as unknown as { ptsName?: unknown }).ptsName;
  if (typeof path !== 'string' || path === '') return undefined;
  try {
    return openSync(path, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) out[name] = value;
  return out;
}
