import { Observable } from 'rxjs';
import type { ExecOptions } from '../client/exec-options.js';
import { terminal$ } from '../client/terminal.js';
import type { TerminalSize } from '../session/terminal-protocol.js';
import { startLocalSandbox } from '../server/start-local-sandbox.js';
import { CliWebSocket } from './cli-web-socket.js';
import { EXIT_CODES, exitCodeFor } from './exit-codes.js';
import { parseCliArgs, UsageError } from './parse-cli-args.js';
import { type CliIo, OUTPUT_CLOSED } from './run-cli.js';

const SHELL_HELP = `Usage: superserve-rx shell [options]

Opens the sandbox's shell (GET /terminal: bash in a pseudo-terminal) in this terminal, like
ssh: this terminal is put in raw mode, so that every key goes to the remote shell (Ctrl-C
included: it interrupts the remote program), the window's size is sent at the start and on
every resize, and output is written byte for byte. The terminal is restored however the shell
ends. With stdin not a terminal, it is piped to the shell (no raw mode, no size), followed by
an 'exit' line at its end.

Options:
  --url U        the sandbox's base URL (default: $SUPERSERVE_SANDBOX_URL; without either,
                 an embedded local sandbox is started and stopped)
  --token T      the access token (default: $SUPERSERVE_ACCESS_TOKEN)
  -h, --help     show this help

Exit codes: 0 when the shell exits, 64 invalid request, 69 HTTP error, 71 the shell did not
start, 74 the terminal closed unexpectedly, 75 network error, 76 protocol error, 130 SIGTERM
or SIGHUP (or Ctrl-C when stdin is not a terminal), 141 output closed.
`;

/**
 * What ends the shell once a piped stdin ends. Not Ctrl-D: piped input arrives before bash's
 * line editor reads it, and a Ctrl-D typed ahead like that is lost on the way into readline's
 * mode, where `exit` typed ahead is read as the line it is.
 */
const END_OF_INPUT = new TextEncoder().encode('exit\n');

/**
 * `superserve-rx shell`: this terminal attached to the sandbox's shell.
 *
 * @param args - The arguments after `shell`.
 * @param io - Streams, the terminal, environment and the interrupt signal.
 * @returns The exit code: 0 when the shell exited.
 */
export async function shellCommand(args: ReadonlyArray<string>, io: CliIo): Promise<number> {
  const { values, positionals } = parseCliArgs('shell', {
    args: [...args],
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.stdout.write(SHELL_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`shell: unexpected argument '${positionals[0]}'.`);
  const url = values.url ?? nonEmpty(io.env.SUPERSERVE_SANDBOX_URL);
  const token = values.token ?? nonEmpty(io.env.SUPERSERVE_ACCESS_TOKEN);
  if (url !== undefined) {
    return attach({ baseUrl: url, ...(token !== undefined && { accessToken: token }) }, io);
  }
  const embedded = await startLocalSandbox({ env: io.env });
  try {
    return await attach({ baseUrl: embedded.url, accessToken: embedded.accessToken }, io);
  } finally {
    await embedded.close();
  }
}

/** Runs the terminal with this one's keys, size and screen; restores the terminal at the end. */
async function attach(options: ExecOptions, io: CliIo): Promise<number> {
  const tty = io.terminal;
  const interactive = tty !== undefined && tty.isTTY;
  const run = terminal$(
    interactive ? { input: io.stdin, resize: windowSizes(tty) } : { input: pipedThenEnd(io.stdin) },
    { ...options, webSocket: CliWebSocket },
  );
  if (interactive) tty.setRawMode(true);
  try {
    return await new Promise<number>((resolve) => {
      const subscription = run.subscribe({
        next: (event) => io.stdout.write(event.data),
        error: (error: unknown) => {
          restore();
          const message = (error instanceof Error ? error.message : String(error)).replace(
            /\s*[\r\n]+\s*/g,
            ' ',
          );
          io.stderr.write(`superserve-rx: ${message}\n`);
          resolve(exitCodeFor(error));
        },
        complete: () => resolve(0),
      });
      const interrupt = (): void => {
        // Closing the socket ends the remote shell.
        subscription.unsubscribe();
        restore();
        if (io.interrupt.reason === OUTPUT_CLOSED) return resolve(EXIT_CODES.outputClosed);
        io.stderr.write('\r\nsuperserve-rx: interrupted; the remote shell was ended\n');
        resolve(EXIT_CODES.interrupted);
      };
      if (io.interrupt.aborted) interrupt();
      else io.interrupt.addEventListener('abort', interrupt, { once: true });
      subscription.add(() => io.interrupt.removeEventListener('abort', interrupt));
    });
  } finally {
    restore();
  }

  function restore(): void {
    if (interactive) tty.setRawMode(false);
  }
}

/** The window's size now, then after each resize (SIGWINCH). */
function windowSizes(tty: NonNullable<CliIo['terminal']>): Observable<TerminalSize> {
  return new Observable<TerminalSize>((subscriber) => {
    const emit = (): void => {
      const size = tty.size();
      // A size the terminal cannot tell (0 x 0 in some emulators' first moments) is not sent.
      if (size !== undefined && size.cols > 0 && size.rows > 0) subscriber.next(size);
    };
    emit();
    return tty.onResize(emit);
  });
}

/**
 * A piped stdin, then `exit` on a line of its own: the shell exits once it has run the input.
 * Keeps stdin's `destroy`, so that a shell that ends first releases a stdin still waiting for data.
 */
function pipedThenEnd(stdin: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  const piped = (async function* () {
    let last: number | undefined;
    for await (const chunk of stdin) {
      if (chunk.length > 0) last = chunk[chunk.length - 1];
      yield chunk;
    }
    if (last !== undefined && last !== 0x0a && last !== 0x0d) yield new Uint8Array([0x0a]);
    yield END_OF_INPUT;
  })();
  const { destroy } = stdin as { destroy?: unknown };
  if (typeof destroy !== 'function') return piped;
  return Object.assign(piped, { destroy: () => (destroy as () => void).call(stdin) });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
