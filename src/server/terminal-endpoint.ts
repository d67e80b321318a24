import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import {
  isTerminalDimension,
  MAX_TERMINAL_INPUT_FRAME_BYTES,
  MAX_TERMINAL_OUTPUT_FRAME_BYTES,
  SHELL_DID_NOT_START_REASON,
  SHELL_EXITED_REASON,
  TERMINAL_READ_LIMIT_REASON,
  TERMINAL_SIGNALS,
  TERMINAL_SUBPROTOCOL,
} from '../session/terminal-protocol.js';
import { loadPty, PTY_PACKAGE, type PtyModule } from './load-pty.js';
import {
  SOCKET_CLOSE_GRACE_MS,
  SOCKET_OUTPUT_HIGH_WATER,
  SOCKET_OUTPUT_LOW_WATER,
} from './protocol-constants.js';
import { offeredToken } from './offered-token.js';
import { refuseUpgrade } from './refuse-upgrade.js';
import type { SandboxContext } from './sandbox-context.js';
import { type ShellRun, spawnShell } from './spawn-shell.js';

/** `GET /terminal`, mounted on the sandbox's HTTP server through its `upgrade` event. */
export interface TerminalEndpoint {
  /** Answers an upgrade request for `/terminal`: refuses it in plain text, or starts a shell. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
}

/** What the terminal endpoint needs beyond the sandbox's shared context. */
export interface TerminalSettings {
  /** The shell to start. */
  readonly shell: string;
  /** Milliseconds with no data message either way before the connection is cut. */
  readonly idleMs: number;
  /** Milliseconds from the start before the connection is cut. */
  readonly maxMs: number;
  /** Loads the pseudo-terminal library (a test passes one that fails). */
  readonly loadPty?: () => Promise<PtyModule>;
}

/** The signals a client may send to the shell; any other name is ignored, as on the service. */
const SIGNALS: ReadonlySet<string> = new Set(TERMINAL_SIGNALS);

/** How often the idle limit is checked, at most (the service checks once a minute). */
const IDLE_CHECK_MS = 60_000;

/** The size every terminal starts with, as on the service. */
const INITIAL_COLS = 80;
const INITIAL_ROWS = 24;

/** The header line every `/terminal` response carries, as on the service. */
const REFERRER_POLICY = 'Referrer-Policy: no-referrer';

/** The warning emitted (once per sandbox) when the pseudo-terminal library cannot load. */
const UNAVAILABLE_WARNING = 'TerminalUnavailableWarning';

/**
 * The terminal endpoint, as the service speaks it (`../shared/PROTOCOL.md`, "Terminal"): the
 * token in the subprotocol `token.<value>` (never echoed), then an `Origin` check; a shell in a
 * real pseudo-terminal from the upgrade on; binary frames of raw input in, binary frames of
 * raw output (at most 16 KiB) out; resize and signal text frames; close 1000 after the shell
 * exited and all its output was sent. The output is paused while the client has not taken
 * what was sent; a disconnect kills the shell and hangs up its foreground jobs.
 *
 * @param context - The sandbox's settings, token and runs.
 * @param settings - The shell and the terminal's limits.
 */
export function createTerminalEndpoint(
  context: SandboxContext,
  settings: TerminalSettings,
): TerminalEndpoint {
  const server = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: MAX_TERMINAL_INPUT_FRAME_BYTES,
    clientTracking: false,
    WebSocket: TerminalSocket,
    handleProtocols: (protocols) => (protocols.has(TERMINAL_SUBPROTOCOL) ? TERMINAL_SUBPROTOCOL : false),
  });
  server.on('headers', (headers: string[]) => headers.push(REFERRER_POLICY));
  let warned = false;
  const load = settings.loadPty ?? (() => loadPty());
  const pty = (): Promise<PtyModule | undefined> =>
    load().then(
      (module) => module,
      (error: unknown) => {
        if (!warned) {
          warned = true;
          process.emitWarning(
            `superserve-rx local sandbox: /terminal is unavailable, ${PTY_PACKAGE} could not load ` +
              `(${error instanceof Error ? error.message.split('\n')[0] : String(error)}); every other endpoint works`,
            UNAVAILABLE_WARNING,
          );
        }
        return undefined;
      },
    );
  return {
    upgrade(request, socket, head) {
      if (context.runs.closing) return refuse(socket, 503, 'sandbox is shutting down');
      if (context.runs.full()) return refuse(socket, 429, 'too many connections to sandbox');
      const access = context.authorize(offeredToken(request.headers['sec-websocket-protocol']));
      if (access === 'missing') {
        return refuse(socket, 401, 'missing token (pass as Sec-WebSocket-Protocol: token.<value>)');
      }
      if (access === 'invalid') return refuse(socket, 401, 'invalid access token');
      const origin = request.headers.origin;
      const host = request.headers.host ?? '';
      if (origin !== undefined && hostOf(origin) !== host && !context.cors.allows(origin)) {
        return refuse(socket, 403, `request Origin "${hostOf(origin)}" is not authorized for Host "${host}"`);
      }
      server.handleUpgrade(request, socket, head, (ws) => runTerminal(ws, context, settings, pty()));
    },
  };
}

/**
 * The server's socket: a close for a message over the limit (1009, which `ws` sends with no
 * reason) says what the service says.
 */
class TerminalSocket extends WebSocket {
  override close(code?: number, reason?: string | Buffer): void {
    super.close(code, code === 1009 && reason === undefined ? TERMINAL_READ_LIMIT_REASON : reason);
  }
}

/** Refuses an upgrade as the service's terminal does (its responses carry `Referrer-Policy`). */
function refuse(socket: Duplex, status: number, text: string): void {
  refuseUpgrade(socket, status, text, [REFERRER_POLICY]);
}

/** The `host[:port]` of an origin, as the service names it (the origin itself if it is not a URL). */
function hostOf(origin: string): string {
  try {
    return new URL(origin).host;
  } catch {
    return origin;
  }
}

/** One terminal, from the upgrade to the close: tracked as a run the whole time. */
function runTerminal(
  ws: WebSocket,
  context: SandboxContext,
  settings: TerminalSettings,
  library: Promise<PtyModule | undefined>,
): void {
  let shell: ShellRun | undefined;
  let closed = false;
  let lastActivity = Date.now();
  let unsent = 0;
  let outputPaused = false;
  /** Input that came before the shell existed (the library loads once, asynchronously). */
  const early: Array<{ frame: Buffer; binary: boolean }> = [];
  let resolveClosed: () => void = () => undefined;
  const socketClosed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  const timers = new Set<NodeJS.Timeout>();
  const close = (code: number, reason: string): void => {
    if (closed) return;
    ws.close(code, reason);
    // A client that never answers the closing handshake is dropped.
    const timer = setTimeout(() => ws.terminate(), SOCKET_CLOSE_GRACE_MS);
    timers.add(timer);
  };
  // The idle and session limits end the connection as the service does: no close frame.
  const idleCheck = setInterval(
    () => {
      if (Date.now() - lastActivity >= settings.idleMs) ws.terminate();
    },
    Math.min(IDLE_CHECK_MS, settings.idleMs),
  );
  timers.add(setTimeout(() => ws.terminate(), settings.maxMs));

  ws.on('error', () => {
    // A message over the limit closes the socket itself (1009); the 'close' below ends the run.
  });
  ws.on('close', () => {
    closed = true;
    clearInterval(idleCheck);
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    shell?.kill();
    resolveClosed();
  });
  ws.on('message', (frame: RawData, binary: boolean) => {
    lastActivity = Date.now();
    if (shell === undefined) early.push({ frame: frame as Buffer, binary });
    else onClientFrame(shell, frame as Buffer, binary);
  });

  let started: Promise<void> = Promise.resolve();
  context.runs.add({
    abort: () => {
      shell?.kill();
      close(1001, 'sandbox is shutting down');
    },
    done: socketClosed.then(() => started),
  });

  const send = (frame: Buffer): void => {
    lastActivity = Date.now();
    unsent += frame.length;
    ws.send(frame, { binary: true }, () => {
      unsent -= frame.length;
      if (outputPaused && unsent <= SOCKET_OUTPUT_LOW_WATER) {
        outputPaused = false;
        shell?.resumeOutput();
      }
    });
    if (!outputPaused && unsent > SOCKET_OUTPUT_HIGH_WATER) {
      // The client takes output slowly: stop reading the terminal (its programs then block on
      // write) rather than buffering their output without bound.
      outputPaused = true;
      shell?.pauseOutput();
    }
  };

  started = library.then((pty) => {
    if (closed) return;
    if (pty === undefined) return close(1011, SHELL_DID_NOT_START_REASON);
    const run = spawnShell(
      pty,
      {
        shell: settings.shell,
        env: context.baseEnv,
        cwd: context.workingDir,
        cols: INITIAL_COLS,
        rows: INITIAL_ROWS,
      },
      {
        onOutput: (bytes) => {
          if (closed) return;
          for (let offset = 0; offset < bytes.length; offset += MAX_TERMINAL_OUTPUT_FRAME_BYTES) {
            send(bytes.subarray(offset, offset + MAX_TERMINAL_OUTPUT_FRAME_BYTES));
          }
        },
        onExit: () => close(1000, SHELL_EXITED_REASON),
        onStartFailure: () => close(1011, SHELL_DID_NOT_START_REASON),
      },
    );
    shell = run;
    if (outputPaused) run.pauseOutput();
    for (const { frame, binary } of early.splice(0)) onClientFrame(run, frame, binary);
    return run.done;
  });
}

/** Input as it is; resize and signal text frames; anything else ignored, as on the service. */
function onClientFrame(shell: ShellRun, frame: Buffer, binary: boolean): void {
  if (binary) {
    if (frame.length > 0) shell.write(frame);
    return;
  }
  let message: unknown;
  try {
    message = JSON.parse(frame.toString('utf8'));
  } catch {
    return;
  }
  if (typeof message !== 'object' || message === null) return;
  const { type, name, cols, rows } = message as Record<string, unknown>;
  if (type === 'resize' && isTerminalDimension(cols) && isTerminalDimension(rows)) shell.resize(cols, rows);
  else if (type === 'signal' && typeof name === 'string' && SIGNALS.has(name)) {
    shell.signal(name as NodeJS.Signals);
  }
}
