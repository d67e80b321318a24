import { userInfo } from 'node:os';
import { type Observable, Subject } from 'rxjs';
import { exec$ } from '../client/exec.js';
import type { ExecOptions } from '../client/exec-options.js';
import { execSession$ } from '../client/exec-session.js';
import type { ExecOutcomeEvent } from '../codec/exec-event.js';
import type { ExecRequest } from '../codec/exec-request.js';
import type { ExecSessionEvent } from '../codec/exec-session-event.js';
import type { ExecSignal } from '../session/session-protocol.js';
import type { TerminalSize } from '../session/terminal-protocol.js';
import { type LocalSandbox, startLocalSandbox } from '../server/start-local-sandbox.js';
import { CliWebSocket } from './cli-web-socket.js';
import { cpCommand } from './cp-command.js';
import { EXIT_CODES, exitCodeFor } from './exit-codes.js';
import { parseCliArgs, UsageError } from './parse-cli-args.js';
import { shellCommand } from './shell-command.js';

/** The `interrupt` reason when the reader of the CLI's output went away (EPIPE). */
export const OUTPUT_CLOSED = 'output closed';

/** Where the CLI reads and writes; `process` in production, buffers in tests. */
export interface CliIo {
  readonly stdout: { write(chunk: string | Uint8Array): unknown };
  /** `isTTY`: whether it is a terminal (`cp` then draws a progress bar on it). */
  readonly stderr: { write(chunk: string | Uint8Array): unknown; readonly isTTY?: boolean };
  /** The terminal's stdin, read only by `exec -i` (and only as fast as the session sends it). */
  readonly stdin: AsyncIterable<Uint8Array>;
  readonly env: NodeJS.ProcessEnv;
  /**
   * Aborted on Ctrl-C (unless a {@link CliIo.handleCtrlC} handler took it), SIGTERM or SIGHUP,
   * or with {@link OUTPUT_CLOSED} when stdout closed.
   */
  readonly interrupt: AbortSignal;
  /**
   * Lets a run see Ctrl-C first: while `handler` is set, each SIGINT calls it, and aborts
   * {@link CliIo.interrupt} only if it returns `false`. Returns a function that removes it.
   */
  readonly handleCtrlC: (handler: () => boolean) => () => void;
  /** This terminal, for `shell`; absent: stdin is not a terminal. */
  readonly terminal?: CliTerminal;
}

/** What `shell` needs of the terminal it runs in. */
export interface CliTerminal {
  /** Whether stdin is a terminal (otherwise it is piped, with no raw mode and no size). */
  readonly isTTY: boolean;
  /** Raw mode on (every key as it is typed, Ctrl-C included) or off (restored). */
  setRawMode(raw: boolean): void;
  /** The window's size, when the terminal can tell it. */
  size(): TerminalSize | undefined;
  /** Calls `listener` on each change of the window's size (SIGWINCH); returns how to stop. */
  onResize(listener: () => void): () => void;
}

const MAIN_HELP = `Usage: superserve-rx <command> [options]

Commands:
  exec    Run a command in a Superserve sandbox (or an embedded local one) and stream its output
  serve   Start a local sandbox that speaks the exec data plane (POST /exec/stream, GET /exec/connect,
          POST /exec, GET /terminal, /files), for development and tests
  cp      Copy files between this machine and a sandbox, like docker cp:
          cp <local> :<remote> uploads, cp :<remote> <local> downloads (:<dir>/ as a zip)
  shell   Open the sandbox's shell (GET /terminal) in this terminal, like ssh

Run 'superserve-rx <command> --help' for a command's options.
`;

const EXEC_HELP = `Usage: superserve-rx exec [options] -- <command...>

Runs a command and streams its stdout and stderr live to this terminal's stdout and stderr,
then exits with the command's exit code. One argument after -- runs through /bin/sh -c;
several run the first as the binary with the rest as its arguments, with no shell.

Options:
  -i, --interactive
                 run over GET /exec/connect (a WebSocket): this terminal's stdin goes to the
                 command, read only as fast as the command takes it (any size can be piped
                 in), output is written byte for byte, and the first Ctrl-C sends SIGINT to
                 the command (which may handle it) while a second one ends the session; no
                 --timeout means none
  --url U        the sandbox's base URL (default: $SUPERSERVE_SANDBOX_URL; without either,
                 an embedded local sandbox is started and stopped)
  --token T      the access token (default: $SUPERSERVE_ACCESS_TOKEN)
  --timeout S    seconds before the sandbox kills the command (exit code 124)
  --cwd D        the command's working directory
  --env K=V      an environment variable for the command; repeatable
  -h, --help     show this help

Exit codes: the command's own, or 2 bad usage, 64 invalid request, 65 undecodable event,
69 HTTP error, 71 could not run, 74 stream ended without an outcome, 75 network error,
76 protocol error, 130 Ctrl-C (or SIGTERM, SIGHUP; with -i, the second Ctrl-C),
141 output closed.
`;

const SERVE_HELP = `Usage: superserve-rx serve [options]

Starts a local sandbox that serves POST /exec/stream, GET /exec/connect (WebSocket),
POST /exec, GET /terminal (WebSocket: bash in a pseudo-terminal) and /files (this machine's
own paths) on one port, by running commands on this machine as the current user, with no
isolation: for development and tests, not a sandbox.
Runs until Ctrl-C.

Options:
  --port N       the port (default: any free port)
  --host H       the interface (default: 127.0.0.1; anything else exposes it to the network)
  --token T      the access token to require (default: 32 random bytes, hex)
  --token-ttl D  make tokens expire as the service's do: a new one every D (e.g. 60s, 90m, 1h,
                 500ms; a bare number is seconds), each accepted for one to two D; not with
                 --token
  --api-key K    serve POST /sandboxes/<id>/activate, which answers a fresh token to a request
                 with the header X-API-Key: K (never printed)
  --cors ORIGIN  let a web app on ORIGIN (e.g. http://localhost:5173) call it; '*' for any
                 origin; repeatable (default: no CORS)
  -h, --help     show this help
`;

/**
 * Runs the `superserve-rx` command line.
 *
 * @param argv - The arguments after the program name.
 * @param io - Streams, environment and the Ctrl-C signal.
 * @returns The process's exit code.
 */
export async function runCli(argv: ReadonlyArray<string>, io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'exec':
        return await execCommand(rest, io);
      case 'serve':
        return await serveCommand(rest, io);
      case 'cp':
        return await cpCommand(rest, io);
      case 'shell':
        return await shellCommand(rest, io);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        io.stdout.write(MAIN_HELP);
        return command === undefined ? EXIT_CODES.usage : 0;
      default:
        throw new UsageError(`unknown command '${command}'. Run 'superserve-rx --help'.`);
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`superserve-rx: ${error.message}\n`);
    return EXIT_CODES.usage;
  }
}

async function execCommand(args: ReadonlyArray<string>, io: CliIo): Promise<number> {
  const { values, positionals } = parseCliArgs('exec', {
    args: [...args],
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      timeout: { type: 'string' },
      cwd: { type: 'string' },
      env: { type: 'string', multiple: true },
      interactive: { type: 'boolean', short: 'i' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.stdout.write(EXEC_HELP);
    return 0;
  }
  const request = execRequest(positionals, values);
  const run = values.interactive ? sessionRun : streamRun;
  const url = values.url ?? nonEmpty(io.env.SUPERSERVE_SANDBOX_URL);
  const token = values.token ?? nonEmpty(io.env.SUPERSERVE_ACCESS_TOKEN);
  if (url !== undefined) {
    return run(request, { baseUrl: url, ...(token !== undefined && { accessToken: token }) }, io);
  }
  const embedded = await startLocalSandbox({ env: io.env });
  try {
    return await run(request, { baseUrl: embedded.url, accessToken: embedded.accessToken }, io);
  } finally {
    await embedded.close();
  }
}

function execRequest(
  positionals: string[],
  values: { timeout?: string | undefined; cwd?: string | undefined; env?: string[] | undefined },
): ExecRequest {
  const [command, ...commandArgs] = positionals;
  if (command === undefined) throw new UsageError("exec: no command given. Run 'superserve-rx exec --help'.");
  const env: Record<string, string> = {};
  for (const pair of values.env ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`exec: --env expects K=V, got '${pair}'.`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  let timeout: number | undefined;
  if (values.timeout !== undefined) {
    timeout = Number(values.timeout);
    if (!/^\d+$/.test(values.timeout) || timeout <= 0) {
      throw new UsageError(
        `exec: --timeout expects a positive whole number of seconds, got '${values.timeout}'.`,
      );
    }
  }
  return {
    command,
    ...(commandArgs.length > 0 && { args: commandArgs }),
    ...(values.env !== undefined && { env }),
    ...(values.cwd !== undefined && { working_dir: values.cwd }),
    ...(timeout !== undefined && { timeout_s: timeout }),
  };
}

function streamRun(request: ExecRequest, options: ExecOptions, io: CliIo): Promise<number> {
  return runToExitCode(exec$(request, options), io);
}

/**
 * `exec -i`: the same run over a session. stdin is pulled from the terminal only as fast as the
 * socket sends it; the first Ctrl-C is the command's (it may trap it and go on), the next one
 * falls through to {@link CliIo.interrupt} and ends the session, which kills the command.
 */
function sessionRun(request: ExecRequest, options: ExecOptions, io: CliIo): Promise<number> {
  const signals = new Subject<ExecSignal>();
  let forwarded = false;
  const run = execSession$(request, { stdin: io.stdin, signals }, { ...options, webSocket: CliWebSocket });
  return runToExitCode(run, io, () =>
    io.handleCtrlC(() => {
      if (forwarded) return false;
      forwarded = true;
      signals.next('SIGINT');
      return true;
    }),
  );
}

/**
 * Subscribes to a run, writes its output as it comes (strings as text, bytes unchanged) and
 * resolves with the command's exit code, or the CLI's own code for a typed error, an
 * interrupt or a reader gone away. `setup` runs once subscribed; what it returns, at the end.
 */
function runToExitCode(
  run: Observable<ExecOutcomeEvent | ExecSessionEvent>,
  io: CliIo,
  setup: () => () => void = () => () => undefined,
): Promise<number> {
  return new Promise<number>((resolve) => {
    const subscription = run.subscribe({
      next: (event) => {
        if (event.type === 'stdout') io.stdout.write(event.data);
        else if (event.type === 'stderr') io.stderr.write(event.data);
        else resolve(event.exitCode);
      },
      error: (error: unknown) => {
        // One line, whatever the service's opaque error text holds.
        const message = (error instanceof Error ? error.message : String(error)).replace(
          /\s*[\r\n]+\s*/g,
          ' ',
        );
        io.stderr.write(`superserve-rx: ${message}\n`);
        resolve(exitCodeFor(error));
      },
    });
    subscription.add(setup());
    const interrupt = (): void => {
      // Unsubscribing aborts the request (or closes the session); the sandbox then kills the command.
      subscription.unsubscribe();
      if (io.interrupt.reason === OUTPUT_CLOSED) {
        resolve(EXIT_CODES.outputClosed);
        return;
      }
      io.stderr.write('superserve-rx: interrupted; the command was stopped\n');
      resolve(EXIT_CODES.interrupted);
    };
    if (io.interrupt.aborted) interrupt();
    else io.interrupt.addEventListener('abort', interrupt, { once: true });
    subscription.add(() => io.interrupt.removeEventListener('abort', interrupt));
  });
}

async function serveCommand(args: ReadonlyArray<string>, io: CliIo): Promise<number> {
  const { values, positionals } = parseCliArgs('serve', {
    args: [...args],
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      token: { type: 'string' },
      'token-ttl': { type: 'string' },
      'api-key': { type: 'string' },
      cors: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.stdout.write(SERVE_HELP);
    return 0;
  }
  const ttl = values['token-ttl'];
  const tokenTtlMs = ttl === undefined ? undefined : parseDuration(ttl);
  if (tokenTtlMs === 0) {
    throw new UsageError(`serve: --token-ttl expects a duration such as 60s, 90m or 1h, got '${ttl}'.`);
  }
  if (positionals.length > 0) throw new UsageError(`serve: unexpected argument '${positionals[0]}'.`);
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`serve: --port expects 0-65535, got '${values.port}'.`);
  }
  let sandbox: LocalSandbox;
  try {
    sandbox = await startLocalSandbox({
      port,
      ...(values.host !== undefined && { host: values.host }),
      ...(values.token !== undefined && { accessToken: values.token }),
      ...(tokenTtlMs !== undefined && { tokenTtlMs }),
      ...(values['api-key'] !== undefined && { apiKey: values['api-key'] }),
      ...(values.cors !== undefined && { cors: values.cors }),
    });
  } catch (error) {
    throw new UsageError(`serve: ${error instanceof Error ? error.message : String(error)}`);
  }
  const expiry =
    tokenTtlMs === undefined
      ? ''
      : `Tokens expire: a new one every ${formatDuration(tokenTtlMs)}, each accepted for ${formatDuration(tokenTtlMs)} to ${formatDuration(2 * tokenTtlMs)}\n`;
  // The API key is never printed: whoever started the sandbox knows it.
  const activate =
    values['api-key'] === undefined
      ? ''
      : `Fresh tokens: POST ${sandbox.url}/sandboxes/${sandbox.sandboxId}/activate with the header X-API-Key (the key given)\n`;
  // Printing the token is the point of `serve`: the caller needs it to connect.
  io.stdout.write(
    `Local sandbox listening on ${sandbox.url} (POST /exec/stream, GET /exec/connect, POST /exec, GET /terminal, /files)\n` +
      `Sandbox id: ${sandbox.sandboxId}\n` +
      `Access token: ${sandbox.accessToken}\n` +
      expiry +
      activate +
      (values.cors === undefined ? '' : `CORS allowed for: ${values.cors.join(', ')}\n`) +
      '\n' +
      `  export SUPERSERVE_SANDBOX_URL=${sandbox.url}\n` +
      `  export SUPERSERVE_ACCESS_TOKEN=${sandbox.accessToken}\n\n` +
      `Commands run as ${userInfo().username} on this machine, with no isolation. Ctrl-C to stop.\n`,
  );
  await new Promise<void>((resolve) => {
    if (io.interrupt.aborted) resolve();
    io.interrupt.addEventListener('abort', () => resolve(), { once: true });
  });
  await sandbox.close();
  io.stdout.write('Local sandbox stopped.\n');
  return 0;
}

/** `60s`, `90m`, `1h`, `500ms` or a bare number of seconds, in ms; 0 for anything else. */
function parseDuration(text: string): number {
  const match = /^(\d+)(ms|s|m|h)?$/.exec(text.trim());
  if (match === null) return 0;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 's'] ?? 0;
  const ms = Number(match[1]) * unit;
  return Number.isSafeInteger(ms) ? ms : 0;
}

function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['min', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms % size === 0) return `${ms / size} ${unit}`;
  }
  return `${ms} ms`;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
