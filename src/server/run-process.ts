import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import type { ExecRequest } from '../codec/exec-request.js';
import { MAX_TIMER_MS, TIMEOUT_EXIT_CODE } from './protocol-constants.js';

/** One of a command's two output pipes. */
export type OutputStream = 'stdout' | 'stderr';

/** Why a command did not start; each endpoint words it as the service does. */
export interface StartFailure {
  /**
   * `missing-binary`: `command`, given with `args`, is not in `PATH`; `missing-directory`: the
   * working directory does not exist; `spawn`: any other failure to start.
   */
  readonly reason: 'missing-binary' | 'missing-directory' | 'spawn';
  /** The underlying message: the directory's path for `missing-directory`. */
  readonly detail: string;
}

/** What to run, and how. */
export interface ProcessSpec {
  /** The validated request. */
  readonly request: ExecRequest;
  /** The environment the command starts from; the request's `env` is merged over it. */
  readonly baseEnv: NodeJS.ProcessEnv;
  /** The working directory when the request gives none. */
  readonly workingDir: string;
  /** Milliseconds before the group is SIGKILLed and the exit code is 124; `undefined`: never. */
  readonly timeoutMs: number | undefined;
  /** Whether stdin is a pipe the caller writes to (`/exec/connect`); otherwise `/dev/null`. */
  readonly stdin: boolean;
}

/** What the runner reports, in this order: `onStart` or `onStartFailure`, output, `onExit`. */
export interface ProcessHandlers {
  /** The process started, `spawnMs` after {@link runProcess} was called. */
  readonly onStart?: (spawnMs: number) => void;
  /** Bytes read from one pipe, in order per pipe, exactly as the command wrote them. */
  readonly onOutput: (stream: OutputStream, bytes: Buffer) => void;
  /** Called instead of everything else when the command could not start. */
  readonly onStartFailure: (failure: StartFailure) => void;
  /**
   * After both pipes ended and the process exited: the exit code, 128 + N for signal N, 124
   * when the timeout killed the group; `runMs` since the process started. Not called after
   * {@link ProcessRun.kill}.
   */
  readonly onExit: (exitCode: number, runMs: number) => void;
}

/** A command being run. */
export interface ProcessRun {
  /**
   * Writes bytes to stdin, in order (queued until the process has started). Returns `false`
   * when the pipe is full: stop reading the source until {@link onStdinDrain}. Bytes after
   * {@link endStdin}, or once the command closed its stdin, are dropped.
   */
  writeStdin(bytes: Buffer): boolean;
  /** Calls `listener` once stdin takes more bytes (or never will). */
  onStdinDrain(listener: () => void): void;
  /** Ends stdin: the command reads EOF once it has read what was written. */
  endStdin(): void;
  /** Sends `signal` to the whole process group (at the spawn if it has not happened yet; ignored after the exit). */
  signal(signal: NodeJS.Signals): void;
  /** Stops reading the output pipes (the command then blocks on write): backpressure. */
  pauseOutput(): void;
  /** Reads the output pipes again. */
  resumeOutput(): void;
  /** SIGKILLs the group and closes the pipes at once: the client is gone or the server stops. */
  kill(): void;
  /** Resolves when the process has exited, or never started, or was killed. */
  readonly done: Promise<void>;
}

/** The most stdin bytes queued for the command before the caller is told to stop. */
const STDIN_BUFFER_BYTES = 1024 * 1024;

/** How long the pipes stay open after a timeout's kill, for the output already in them. */
const PIPE_GRACE_MS = 250;

/**
 * Runs one command as the service does, for every exec endpoint: `/bin/sh -c command`, or
 * `command` with `args` looked up in `PATH`; the request's `env` over the base environment;
 * its own process group, SIGKILLed on timeout (exit 124), on {@link ProcessRun.kill}, and
 * after the command exits (so that background children do not outlive their run). The
 * endpoints differ only in how they frame what this reports.
 *
 * @param spec - The request and how to run it.
 * @param handlers - Receive the start, the output and the exit.
 */
export function runProcess(spec: ProcessSpec, handlers: ProcessHandlers): ProcessRun {
  const startedAt = performance.now();
  let child: ChildProcessByStdio<Writable | null, Readable, Readable> | undefined;
  let pid: number | undefined;
  let killed = false;
  let exited = false;
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  let pipeCloser: NodeJS.Timeout | undefined;
  let stdinEnded = false;
  let stdinGone = false;
  const queued: Buffer[] = [];
  const pendingSignals: NodeJS.Signals[] = [];
  const drainListeners: Array<() => void> = [];
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });

  const signalGroup = (signal: NodeJS.Signals): void => {
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // ESRCH: the group is already gone.
    }
  };
  const killGroup = (): void => signalGroup('SIGKILL');
  // A process that left the group (setsid) survives the kill and could hold the pipes, and so
  // the run, open: after a kill the pipes are closed, at once or after a grace period that
  // lets the output already in them through.
  const closePipes = (): void => {
    child?.stdout.destroy();
    child?.stderr.destroy();
  };
  const drained = (): void => {
    for (const listener of drainListeners.splice(0)) listener();
  };

  void start();

  return {
    writeStdin(bytes) {
      if (stdinEnded || stdinGone || killed) return true;
      if (child === undefined) {
        queued.push(bytes);
        return false;
      }
      const stdin = child.stdin!;
      stdin.write(bytes);
      // Full only past STDIN_BUFFER_BYTES, not past the stream's 16 KiB high-water mark: a pipe
      // takes 64 KiB, so that mark would stop and restart the socket for nearly every frame.
      return stdin.writableLength <= STDIN_BUFFER_BYTES;
    },
    onStdinDrain(listener) {
      if (stdinGone || killed) listener();
      else drainListeners.push(listener);
    },
    endStdin() {
      if (stdinEnded) return;
      stdinEnded = true;
      if (child !== undefined && !stdinGone) child.stdin?.end();
    },
    signal(signal) {
      if (exited || killed) return;
      // A signal sent right after the start frame, before the spawn, is delivered at the spawn.
      if (pid === undefined) pendingSignals.push(signal);
      else signalGroup(signal);
    },
    pauseOutput() {
      child?.stdout.pause();
      child?.stderr.pause();
    },
    resumeOutput() {
      child?.stdout.resume();
      child?.stderr.resume();
    },
    kill() {
      if (killed) return;
      killed = true;
      clearTimeout(timer);
      killGroup();
      closePipes();
      child?.stdin?.destroy();
      drained();
      if (child === undefined || pid === undefined) resolveDone();
    },
    done,
  };

  async function start(): Promise<void> {
    const { request } = spec;
    const cwd = request.working_dir ?? spec.workingDir;
    const directory = await stat(cwd).catch(() => undefined);
    if (killed) return resolveDone();
    if (directory === undefined || !directory.isDirectory()) {
      return failed({ reason: 'missing-directory', detail: cwd });
    }
    const useShell = request.args === undefined;
    const [file, args] = useShell ? ['/bin/sh', ['-c', request.command]] : [request.command, request.args!];
    let spawned: ChildProcessByStdio<Writable | null, Readable, Readable>;
    try {
      spawned = spawn(file, args, {
        cwd,
        env: { ...spec.baseEnv, ...request.env },
        stdio: [spec.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
        detached: true,
      }) as ChildProcessByStdio<Writable | null, Readable, Readable>;
      child = spawned;
    } catch (error) {
      // Most spawn failures arrive as an 'error' event below, but some are thrown: E2BIG, for
      // arguments or an environment too large for the kernel.
      return failed({ reason: 'spawn', detail: (error as Error).message });
    }
    pid = spawned.pid;
    spawned.on('error', (error: NodeJS.ErrnoException) => {
      if (pid !== undefined) return; // Errors after a successful spawn surface as exit codes.
      failed({
        reason: error.code === 'ENOENT' && !useShell ? 'missing-binary' : 'spawn',
        detail: error.message,
      });
    });
    if (pid === undefined) return;
    const spawnedAt = performance.now();
    handlers.onStart?.(Math.round(spawnedAt - startedAt));

    if (spawned.stdin !== null) {
      const stdin = spawned.stdin;
      // EPIPE once the command closed its stdin: later bytes are dropped, never an error.
      stdin.on('error', () => undefined);
      stdin.on('close', () => {
        stdinGone = true;
        drained();
      });
      stdin.on('drain', drained);
      let full = false;
      for (const bytes of queued.splice(0)) full = !stdin.write(bytes);
      if (stdinEnded) stdin.end();
      if (!full) drained();
    }
    for (const signal of pendingSignals.splice(0)) signalGroup(signal);
    for (const stream of ['stdout', 'stderr'] as const) {
      spawned[stream].on('data', (bytes: Buffer) => handlers.onOutput(stream, bytes));
    }
    if (spec.timeoutMs !== undefined) {
      timer = setTimeout(
        () => {
          timedOut = true;
          killGroup();
          pipeCloser = setTimeout(closePipes, PIPE_GRACE_MS);
        },
        Math.min(spec.timeoutMs, MAX_TIMER_MS),
      );
    }
    spawned.on('close', (code, signal) => {
      exited = true;
      clearTimeout(timer);
      clearTimeout(pipeCloser);
      // Background children that closed their output would otherwise outlive the run.
      killGroup();
      resolveDone();
      if (killed) return;
      const exitCode = timedOut
        ? TIMEOUT_EXIT_CODE
        : (code ?? 128 + (signal ? constants.signals[signal] : 0));
      handlers.onExit(exitCode, Math.round(performance.now() - spawnedAt));
    });
  }

  function failed(failure: StartFailure): void {
    resolveDone();
    if (!killed) handlers.onStartFailure(failure);
  }
}
