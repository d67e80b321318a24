import type { IncomingMessage, ServerResponse } from 'node:http';
import { acceptExecPost } from './accept-exec-post.js';
import { createOutputChunker } from './create-output-chunker.js';
import { DEFAULT_TIMEOUT_S } from './protocol-constants.js';
import { rfc3339Nano } from './rfc3339-nano.js';
import { runProcess, type StartFailure } from './run-process.js';
import type { SandboxContext } from './sandbox-context.js';

/**
 * `POST /exec/stream`, as the service speaks it: the SSE headers at once, output events as the
 * pipes deliver bytes (at most 32 KiB each, cut between characters), `: keepalive` comments,
 * and exactly one terminal event. The process group is SIGKILLed at once when the client
 * disconnects. If the client reads slowly, the pipes are paused rather than buffered.
 *
 * @param request - The incoming request.
 * @param response - Its response.
 * @param context - The sandbox's settings, token and runs.
 */
export async function execStreamEndpoint(
  request: IncomingMessage,
  response: ServerResponse,
  context: SandboxContext,
): Promise<void> {
  const exec = await acceptExecPost(request, response, context);
  if (exec === undefined) return;
  response.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-cache',
    'X-Accel-Buffering': 'no',
  });
  response.flushHeaders();

  let ended = false;
  let paused = false;
  const write = (text: string, encoding: BufferEncoding = 'utf8'): void => {
    if (ended || response.destroyed) return;
    if (!response.write(text, encoding) && !paused) {
      // The client reads slowly: stop reading the pipes (the process then blocks on write)
      // rather than buffering its output without bound.
      paused = true;
      run.pauseOutput();
      response.once('drain', () => {
        paused = false;
        run.resumeOutput();
      });
    }
  };
  const keepalive = setInterval(() => write(': keepalive\n\n'), context.keepaliveMs);
  const finish = (event: object | undefined): void => {
    if (ended) return;
    ended = true;
    clearInterval(keepalive);
    if (event !== undefined && !response.destroyed) response.end(frame(event));
    else response.destroy();
  };
  const chunkers = {
    stdout: createOutputChunker((text, ascii) =>
      // JSON of ASCII text is ASCII, whose UTF-8 is its latin1: a copy, not an encoding pass.
      write(frame({ stdout: text, timestamp: rfc3339Nano() }), ascii ? 'latin1' : 'utf8'),
    ),
    stderr: createOutputChunker((text, ascii) =>
      write(frame({ stderr: text, timestamp: rfc3339Nano() }), ascii ? 'latin1' : 'utf8'),
    ),
  };

  const run = runProcess(
    {
      request: exec,
      baseEnv: context.baseEnv,
      workingDir: context.workingDir,
      timeoutMs: (exec.timeout_s ?? DEFAULT_TIMEOUT_S) * 1000,
      stdin: false,
    },
    {
      onOutput: (stream, bytes) => chunkers[stream].push(bytes),
      onStartFailure: (failure) => finish({ ...describeFailure(failure, exec.command), finished: true }),
      onExit: (exitCode) => {
        chunkers.stdout.end();
        chunkers.stderr.end();
        finish({ exit_code: exitCode, finished: true, timestamp: rfc3339Nano() });
      },
    },
  );
  const closed = new Promise<void>((resolve) => response.once('close', resolve));
  response.once('close', () => {
    // The client went away before the terminal event: kill the command at once.
    if (!ended) {
      run.kill();
      finish(undefined);
    }
  });
  context.runs.add({
    abort: () => {
      run.kill();
      finish(undefined);
    },
    done: Promise.all([run.done, closed]).then(() => undefined),
  });
}

/** The terminal error event's `code` and `error` for a command that could not start. */
function describeFailure(failure: StartFailure, command: string): { code: string; error: string } {
  switch (failure.reason) {
    case 'missing-binary':
      return { code: 'bad_request', error: `exec: "${command}": executable file not found in $PATH` };
    case 'missing-directory':
      return { code: 'exec_failed', error: `chdir ${failure.detail}: no such file or directory` };
    case 'spawn':
      return { code: 'exec_failed', error: failure.detail };
  }
}

function frame(event: object): string {
  return `data: ${JSON.stringify(event)}\n\n`;
}
