import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';
import type { ExecRequest } from '../codec/exec-request.js';
import { createOutputChunker } from './create-output-chunker.js';
import { DEFAULT_TIMEOUT_S, MAX_TIMER_MS, TIMEOUT_EXIT_CODE } from './protocol-constants.js';
import { rfc3339Nano } from './rfc3339-nano.js';

/** What one stream needs from its server. */
export interface ExecStreamContext {
  /** The environment commands start from; the request's `env` is merged over it. */
  readonly baseEnv: NodeJS.ProcessEnv;
  /** The working directory when the request gives none. */
  readonly workingDir: string;
  /** The interval of `: keepalive` comments. */
  readonly keepaliveMs: number;
}

/** A running stream, as the server tracks it. */
export interface ExecStreamRun {
  /** Kills the process group and drops the connection with no terminal event (a shutdown). */
  abort(): void;
  /** Resolves when the process has exited (or was never started) and the response is over. */
  readonly done: Promise<void>;
}

/**
 * Streams one command's run as the service does: the SSE headers at once, output events as
 * the pipes deliver bytes (at most 32 KiB each, cut between characters), keepalive comments,
 * and exactly one terminal event. The command runs in its own process group, which is
 * SIGKILLed on timeout (exit 124), when the client disconnects, and after the command exits
 * (so that background children do not outlive their run).
 *
 * @param request - The validated request.
 * @param response - The response to stream into.
 * @param context - Base environment, default directory and keepalive interval.
 */
export function runExecStream(
  request: ExecRequest,
  response: ServerResponse,
  context: ExecStreamContext,
): ExecStreamRun {
  response.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-cache',
    'X-Accel-Buffering': 'no',
  });
  response.flushHeaders();

  let ended = false;
  let pid: number | undefined;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  // Until a process is spawned there is nothing to wait for.
  let exited = true;
  const settle = (): void => {
    if (ended && exited) resolveDone();
  };

  const keepalive = setInterval(() => write(': keepalive\n\n'), context.keepaliveMs);
  let timeout: NodeJS.Timeout | undefined;
  let timedOut = false;

  const killGroup = (): void => {
    if (pid === undefined) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // ESRCH: the group is already gone.
    }
  };

  // A process that left the group (setsid) survives the kill and could hold the pipes, and so
  // the run, open: after a kill the pipes are closed, at once or after a grace period that
  // lets the output already in them through.
  let pipeCloser: NodeJS.Timeout | undefined;
  const closePipes = (): void => {
    for (const pipe of pipes) pipe.destroy();
  };
  const stop = (graceMs: number): void => {
    killGroup();
    if (graceMs === 0) closePipes();
    else pipeCloser ??= setTimeout(closePipes, graceMs);
  };

  const finish = (event: object | undefined): void => {
    if (ended) return;
    ended = true;
    clearInterval(keepalive);
    clearTimeout(timeout);
    if (event !== undefined && !response.destroyed) {
      response.end(frame(event));
    } else {
      response.destroy();
    }
    settle();
  };

  let paused = false;
  const pipes: Readable[] = [];
  const write = (text: string, encoding: BufferEncoding = 'utf8'): void => {
    if (ended || response.destroyed) return;
    if (!response.write(text, encoding) && !paused) {
      // The client reads slowly: stop reading the pipes (the process then blocks on write)
      // rather than buffering its output without bound.
      paused = true;
      for (const pipe of pipes) pipe.pause();
      response.once('drain', () => {
        paused = false;
        for (const pipe of pipes) pipe.resume();
      });
    }
  };

  response.on('close', () => {
    if (ended) return;
    // The client went away before the terminal event: kill the command at once.
    stop(0);
    finish(undefined);
  });

  void start();
  return {
    abort: () => {
      stop(0);
      finish(undefined);
    },
    done,
  };

  async function start(): Promise<void> {
    const cwd = request.working_dir ?? context.workingDir;
    const directory = await stat(cwd).catch(() => undefined);
    if (ended) return;
    if (directory === undefined || !directory.isDirectory()) {
      exited = true;
      finish({ code: 'exec_failed', error: `chdir ${cwd}: no such file or directory`, finished: true });
      return;
    }
    const [file, args] =
      request.args === undefined ? ['/bin/sh', ['-c', request.command]] : [request.command, request.args];
    const useShell = request.args === undefined;
    let child: ChildProcessByStdio<null, Readable, Readable>;
    try {
      child = spawn(file, args, {
        cwd,
        env: { ...context.baseEnv, ...request.env },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
    } catch (error) {
      // Most spawn failures arrive as an 'error' event below, but some are thrown: E2BIG, for
      // arguments or an environment too large for the kernel.
      finish({ code: 'exec_failed', error: (error as Error).message, finished: true });
      return;
    }
    pid = child.pid;
    exited = pid === undefined;
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (pid !== undefined) return; // Errors after a successful spawn surface as exit codes.
      exited = true;
      const missing = error.code === 'ENOENT' && !useShell;
      finish({
        code: missing ? 'bad_request' : 'exec_failed',
        error: missing ? `exec: "${request.command}": executable file not found in $PATH` : error.message,
        finished: true,
      });
    });
    if (pid === undefined) return;

    for (const [name, pipe] of [
      ['stdout', child.stdout],
      ['stderr', child.stderr],
    ] as const) {
      pipes.push(pipe);
      const chunker = createOutputChunker((text, ascii) =>
        write(
          frame(
            name === 'stdout'
              ? { stdout: text, timestamp: rfc3339Nano() }
              : { stderr: text, timestamp: rfc3339Nano() },
          ),
          // JSON of ASCII text is ASCII, whose UTF-8 is its latin1: a copy, not an encoding pass.
          ascii ? 'latin1' : 'utf8',
        ),
      );
      pipe.on('data', (bytes: Buffer) => chunker.push(bytes));
      pipe.on('end', () => chunker.end());
    }

    const timeoutS = request.timeout_s ?? DEFAULT_TIMEOUT_S;
    timeout = setTimeout(
      () => {
        timedOut = true;
        stop(PIPE_GRACE_MS);
      },
      Math.min(timeoutS * 1000, MAX_TIMER_MS),
    );

    child.on('close', (code, signal) => {
      clearTimeout(pipeCloser);
      // Background children that closed their output would otherwise outlive the run.
      killGroup();
      exited = true;
      const exitCode = timedOut
        ? TIMEOUT_EXIT_CODE
        : (code ?? 128 + (signal ? constants.signals[signal] : 0));
      finish({ exit_code: exitCode, finished: true, timestamp: rfc3339Nano() });
      settle();
    });
  }
}

/** How long the pipes stay open after a timeout's kill, for the output already in them. */
const PIPE_GRACE_MS = 250;

function frame(event: object): string {
  return `data: ${JSON.stringify(event)}\n\n`;
}
