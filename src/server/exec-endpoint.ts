import type { IncomingMessage, ServerResponse } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { acceptExecPost } from './accept-exec-post.js';
import { DEFAULT_TIMEOUT_S, SYNC_OUTPUT_BUDGET_BYTES, SYNC_TRUNCATION_MARKER } from './protocol-constants.js';
import { replyText } from './reply-text.js';
import { type OutputStream, runProcess } from './run-process.js';
import type { SandboxContext } from './sandbox-context.js';

/**
 * `POST /exec`, the service's non-streaming exec: runs the command to its end and answers 200
 * `{"stdout","stderr","exit_code"}` (a non-zero exit is still 200), with `"truncated":true`
 * when the output passed the budget: stdout and stderr share {@link SYNC_OUTPUT_BUDGET_BYTES}
 * counted in JSON-encoded bytes, each keeps the longest prefix that fits, output past it is
 * read and dropped (the process is never blocked), and stderr then ends with the service's
 * marker line. 400 for a missing binary with `args`, 500 for other failures to start.
 *
 * @param request - The incoming request.
 * @param response - Its response.
 * @param context - The sandbox's settings, token and runs.
 */
export async function execEndpoint(
  request: IncomingMessage,
  response: ServerResponse,
  context: SandboxContext,
): Promise<void> {
  const exec = await acceptExecPost(request, response, context);
  if (exec === undefined) return;
  const output = createOutputBudget(SYNC_OUTPUT_BUDGET_BYTES);
  let spawnMs = 0;
  let answered = false;
  const run = runProcess(
    {
      request: exec,
      baseEnv: context.baseEnv,
      workingDir: context.workingDir,
      timeoutMs: (exec.timeout_s ?? DEFAULT_TIMEOUT_S) * 1000,
      stdin: false,
    },
    {
      onStart: (ms) => {
        spawnMs = ms;
      },
      onOutput: (stream, bytes) => output.push(stream, bytes),
      onStartFailure: (failure) => {
        answered = true;
        if (failure.reason === 'missing-binary') {
          replyText(response, 400, `resolve "${exec.command}": executable file not found in PATH`);
        } else if (failure.reason === 'missing-directory') {
          replyText(response, 500, `chdir ${failure.detail}: no such file or directory`);
        } else {
          replyText(response, 500, failure.detail);
        }
      },
      onExit: (exitCode, runMs) => {
        answered = true;
        if (response.destroyed) return;
        const { stdout, stderr, truncated } = output.end();
        const body = JSON.stringify({ stdout, stderr, exit_code: exitCode, ...(truncated && { truncated }) });
        response.writeHead(200, {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
          'X-Boxd-Spawn-Ms': String(spawnMs),
          'X-Boxd-Run-Ms': String(runMs),
        });
        response.end(body);
      },
    },
  );
  const closed = new Promise<void>((resolve) => response.once('close', resolve));
  // The client went away before the answer: kill the command at once.
  response.once('close', () => {
    if (!answered) run.kill();
  });
  context.runs.add({
    abort: () => {
      run.kill();
      response.destroy();
    },
    done: Promise.all([run.done, closed]).then(() => undefined),
  });
}

/** Output kept under a shared budget of JSON-encoded bytes. */
interface OutputBudget {
  /** Takes bytes read from one pipe. */
  push(stream: OutputStream, bytes: Buffer): void;
  /** The kept text of each stream, the marker appended to stderr when anything was dropped. */
  end(): { stdout: string; stderr: string; truncated: boolean };
}

function createOutputBudget(budget: number): OutputBudget {
  let left = budget;
  let truncated = false;
  const streams = {
    stdout: { decoder: new StringDecoder('utf8'), parts: [] as string[], cut: false },
    stderr: { decoder: new StringDecoder('utf8'), parts: [] as string[], cut: false },
  };
  const take = (stream: OutputStream, text: string): void => {
    const kept = streams[stream];
    if (kept.cut || text === '') return;
    const cost = jsonStringBytes(text);
    if (cost <= left) {
      kept.parts.push(text);
      left -= cost;
      return;
    }
    // Nothing after a stream's first dropped character is kept, even if it would fit.
    const prefix = longestPrefixWithin(text, left);
    kept.parts.push(prefix);
    left -= jsonStringBytes(prefix);
    kept.cut = true;
    truncated = true;
  };
  return {
    push: (stream, bytes) => take(stream, streams[stream].decoder.write(bytes)),
    end() {
      take('stdout', streams.stdout.decoder.end());
      take('stderr', streams.stderr.decoder.end());
      const stderr = streams.stderr.parts.join('');
      return {
        stdout: streams.stdout.parts.join(''),
        stderr: truncated ? `${stderr}${SYNC_TRUNCATION_MARKER}` : stderr,
        truncated,
      };
    },
  };
}

/** The bytes `text` takes inside a JSON string, as `JSON.stringify` writes it (no quotes). */
export function jsonStringBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text)) - 2;
}

/** The longest prefix of `text` whose JSON encoding takes at most `max` bytes, whole characters only. */
export function longestPrefixWithin(text: string, max: number): string {
  let used = 0;
  let index = 0;
  while (index < text.length) {
    const code = text.codePointAt(index)!;
    const width = code > 0xffff ? 2 : 1;
    const cost = jsonCharBytes(code);
    if (used + cost > max) break;
    used += cost;
    index += width;
  }
  return text.slice(0, index);
}

function jsonCharBytes(code: number): number {
  if (code === 0x22 || code === 0x5c) return 2; // \" and \\
  if (code < 0x20) return SHORT_ESCAPES.has(code) ? 2 : 6; // \n or \u0001
  if (code < 0x80) return 1;
  if (code < 0x800) return 2;
  if (code >= 0xd800 && code <= 0xdfff) return 6; // a lone surrogate: \udXXX
  return code > 0xffff ? 4 : 3;
}

/** \b \t \n \f \r */
const SHORT_ESCAPES = new Set([0x08, 0x09, 0x0a, 0x0c, 0x0d]);
