import WebSocket from 'ws';

/** A sandbox to dial: its base URL and token. */
export interface Dialable {
  readonly url: string;
  readonly accessToken: string;
}

/** How a raw dial differs from a well-behaved client's. */
export interface DialOptions {
  /** The subprotocols offered; default `superserve.exec.v1` and `token.<accessToken>`. */
  readonly protocols?: string[];
  /** The path and query; default `/exec/connect`. */
  readonly path?: string;
  /** Extra handshake headers (`Origin`). */
  readonly headers?: Record<string, string>;
  /** Whether the client answers pings (the `ws` default). */
  readonly autoPong?: boolean;
}

/** What a raw session saw: every frame in order, and how it ended. */
export interface RawSession {
  readonly ws: WebSocket;
  /** Every server frame so far. */
  readonly frames: Array<{ binary: boolean; data: Buffer }>;
  /** Resolves with the handshake's outcome: the echoed subprotocol and headers, or the refusal. */
  readonly handshake: Promise<
    | { opened: true; protocol: string; headers: Record<string, string | string[] | undefined> }
    | { opened: false; status: number; body: string }
  >;
  /** Resolves with the close code and reason (1006 for a dropped socket). */
  readonly closed: Promise<{ code: number; reason: string }>;
}

/** Dials `/exec/connect` with a raw `ws` client, recording the wire as it is. */
export function dial(sandbox: Dialable, options: DialOptions = {}): RawSession {
  const url = `${sandbox.url.replace(/^http/, 'ws')}${options.path ?? '/exec/connect'}`;
  const ws = new WebSocket(url, options.protocols ?? ['superserve.exec.v1', `token.${sandbox.accessToken}`], {
    headers: options.headers ?? {},
    autoPong: options.autoPong ?? true,
    perMessageDeflate: false,
  });
  const frames: Array<{ binary: boolean; data: Buffer }> = [];
  ws.on('message', (data, binary) => frames.push({ binary, data: data as Buffer }));
  ws.on('error', () => undefined);
  const handshake = new Promise<Awaited<RawSession['handshake']>>((resolve) => {
    let headers: Record<string, string | string[] | undefined> = {};
    ws.once('upgrade', (response) => (headers = response.headers));
    ws.once('open', () => resolve({ opened: true, protocol: ws.protocol, headers }));
    ws.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ opened: false, status: response.statusCode ?? 0, body }));
    });
    ws.once('error', (error) => resolve({ opened: false, status: 0, body: error.message }));
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return { ws, frames, handshake, closed };
}

/** A binary stdin frame: `[0x00] + bytes`. */
export const stdinFrame = (bytes: Buffer | string): Buffer =>
  Buffer.concat([Buffer.from([0]), Buffer.from(bytes)]);

/** What one run through a session gave: each stream's bytes, the terminal frame and the close. */
export interface SessionResult {
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  /** The terminal text frame, parsed; `undefined` if none came. */
  readonly terminal: unknown;
  /** Every text frame, parsed, in order. */
  readonly texts: unknown[];
  readonly close: { code: number; reason: string };
}

/** Splits a session's frames into its streams and its text frames. */
export function resultOf(session: RawSession, close: { code: number; reason: string }): SessionResult {
  const of = (channel: number) =>
    Buffer.concat(
      session.frames.filter((f) => f.binary && f.data[0] === channel).map((f) => f.data.subarray(1)),
    );
  const texts = session.frames.filter((f) => !f.binary).map((f) => JSON.parse(f.data.toString()) as unknown);
  return { stdout: of(1), stderr: of(2), terminal: texts.at(-1), texts, close };
}

/**
 * Runs one request through a session: sends the start frame, then each stdin chunk as a frame,
 * then `stdin_close` (unless `closeStdin` is false), and resolves when the server closes.
 */
export async function runSession(
  sandbox: Dialable,
  request: object,
  stdin: ReadonlyArray<Buffer | string> = [],
  closeStdin = true,
): Promise<SessionResult> {
  const session = dial(sandbox);
  const handshake = await session.handshake;
  if (!handshake.opened) throw new Error(`handshake refused: ${handshake.status} ${handshake.body}`);
  session.ws.send(JSON.stringify(request));
  for (const chunk of stdin) session.ws.send(stdinFrame(chunk));
  if (closeStdin) session.ws.send(JSON.stringify({ type: 'stdin_close' }));
  return resultOf(session, await session.closed);
}
