import { defer, firstValueFrom, NEVER, type Observable, of, Subject, throwError, toArray } from 'rxjs';
import WebSocket from 'ws';
import {
  type ExecOptions,
  type ExecSessionEvent,
  execSession$,
  isExecDecodeError,
  isExecFailedError,
  isExecHttpError,
  isExecIncompleteError,
  isExecNetworkError,
  isExecProtocolError,
  isExecRequestError,
  isExecTimeoutError,
  retryOnExecFailed,
  type WebSocketConstructor,
  type WebSocketLike,
  withTimeout,
} from 'superserve-rx';
import { type Outcome, outcome } from '../helpers/outcome';
import { waitFor } from '../helpers/processes';
import { activeResources, expectBackToBaseline } from '../helpers/resources';
import {
  type FaultConnection,
  type FaultHandshake,
  startWsFaultServer,
  type WsFaultServer,
} from '../helpers/ws-fault-server';

// execSession$ against a scripted WebSocket peer: every frame sequence, close code, refusal
// and stall the client must turn into a typed outcome, with the socket closed afterwards.
const TOKEN = 'session-token-0123456789abcdef';
let server: WsFaultServer;
let baseline: ReturnType<typeof activeResources>;

async function start(handshake?: Parameters<typeof startWsFaultServer>[0]): Promise<ExecOptions> {
  server = await startWsFaultServer(handshake);
  return { baseUrl: server.url, accessToken: TOKEN, webSocket: WebSocket };
}

beforeEach(() => {
  baseline = activeResources();
});
afterEach(async () => {
  await server?.close();
  await expectBackToBaseline(baseline);
});

/** Subscribes, takes the connection and its start frame, and returns both with the outcome. */
async function session(
  options: ExecOptions,
  run: Observable<ExecSessionEvent>,
): Promise<{
  connection: FaultConnection;
  start: unknown;
  result: Promise<Outcome<ExecSessionEvent>>;
}> {
  const result = outcome(run);
  const connection = await server.nextConnection();
  const start = JSON.parse((await connection.nextFrame()).data.toString()) as unknown;
  return { connection, start, result };
}

const bytes = (...values: number[]) => Buffer.from(values);

/** What a browser's WebSocket offers: the standard API only, no `on`, errors that say nothing. */
class BrowserLike implements WebSocketLike {
  readonly #ws: WebSocket;
  onopen: WebSocketLike['onopen'] = null;
  onmessage: WebSocketLike['onmessage'] = null;
  onclose: WebSocketLike['onclose'] = null;
  onerror: WebSocketLike['onerror'] = null;
  constructor(url: string, protocols: string[]) {
    this.#ws = new WebSocket(url, protocols);
    this.#ws.onopen = () => this.onopen?.({});
    this.#ws.onmessage = ({ data }) => this.onmessage?.({ data });
    this.#ws.onclose = ({ code, reason }) => this.onclose?.({ code, reason });
    this.#ws.onerror = () => this.onerror?.({});
  }
  get binaryType(): string {
    return this.#ws.binaryType;
  }
  set binaryType(type: string) {
    this.#ws.binaryType = type as 'arraybuffer';
  }
  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }
  get readyState(): number {
    return this.#ws.readyState;
  }
  get protocol(): string {
    return this.#ws.protocol;
  }
  send(data: string | Uint8Array): void {
    this.#ws.send(data);
  }
  close(code?: number, reason?: string): void {
    this.#ws.close(code, reason);
  }
}
const text = (frame: { data: Buffer }) => frame.data.toString();

describe('execSession$: dialling', () => {
  it('dials ws: from http: with the token as a subprotocol, never in the URL, and sends exactly the request', async () => {
    const options = await start();
    const request = { command: 'ls', args: ['-la'], env: { A: '1' }, working_dir: '/tmp', timeout_s: 5 };
    const {
      connection,
      start: startFrame,
      result,
    } = await session(options, execSession$(request, {}, options));
    expect(connection.request.url).toBe('/exec/connect');
    expect(connection.request.headers['sec-websocket-protocol']?.split(/\s*,\s*/)).toEqual([
      'superserve.exec.v1',
      `token.${TOKEN}`,
    ]);
    expect(startFrame).toEqual(request);
    // No stdin: EOF right after the start frame.
    expect(text(await connection.nextFrame())).toBe('{"type":"stdin_close"}');
    connection.ws.send('{"exit_code":0,"finished":true}');
    expect(await result).toEqual({ values: [{ type: 'finished', exitCode: 0 }], completed: true });
  });

  it('builds the URL from baseUrl: wss: for https:, a path prefix kept, the per-sandbox host for sandboxId on a shared host', () => {
    const urls: string[] = [];
    const Recording = class {
      binaryType = '';
      bufferedAmount = 0;
      readyState = 0;
      protocol = '';
      onopen = null;
      onmessage = null;
      onclose = null;
      onerror = null;
      constructor(url: string, protocols: string[]) {
        urls.push(url);
        expect(protocols).toEqual(['superserve.exec.v1', `token.${TOKEN}`]);
      }
      send(): void {}
      close(): void {}
    } satisfies WebSocketConstructor;
    const dial = (options: ExecOptions) =>
      execSession$({ command: 'true' }, {}, { accessToken: TOKEN, webSocket: Recording, ...options })
        .subscribe()
        .unsubscribe();
    dial({ baseUrl: 'https://h.example/proxy/' });
    dial({ baseUrl: 'http://127.0.0.1:8080' });
    dial({ baseUrl: 'https://sandbox.superserve.ai', sandboxId: 'abc123' });
    dial({ baseUrl: 'https://boxd-abc123.sandbox.superserve.ai', sandboxId: 'abc123' });
    dial({ baseUrl: 'https://h.example', sandboxId: 'abc123' });
    expect(urls).toEqual([
      'wss://h.example/proxy/exec/connect',
      'ws://127.0.0.1:8080/exec/connect',
      'wss://boxd-abc123.sandbox.superserve.ai/exec/connect',
      'wss://boxd-abc123.sandbox.superserve.ai/exec/connect',
      'wss://h.example/exec/connect',
    ]);
  });

  it('dials nothing and errors with ExecRequestError for a bad request, options or io, never quoting the token', async () => {
    const options = await start();
    const cases: Array<[Parameters<typeof execSession$>, string]> = [
      [[{ command: '' }, {}, options], 'command'],
      [[{ command: 'x', timeout: 5 } as never, {}, options], 'timeout'],
      [[{ command: 'x' }, {}, { ...options, webSocket: undefined as never }], 'webSocket'],
      [[{ command: 'x' }, {}, { ...options, accessToken: 'has space' }], 'accessToken'],
      [[{ command: 'x' }, {}, { ...options, accessToken: 'a,b' }], 'accessToken'],
      [[{ command: 'x' }, {}, { ...options, baseUrl: 'ftp://x' }], 'baseUrl'],
      [[{ command: 'x' }, {}, { ...options, maxBufferedStdinBytes: 0 }], 'maxBufferedStdinBytes'],
      [[{ command: 'x' }, { stdin: 'text' as never }, options], 'stdin'],
      [[{ command: 'x' }, { signals: ['SIGINT'] as never }, options], 'signals'],
      [
        [{ command: 'x' }, {}, { ...options, baseUrl: 'https://sandbox.superserve.ai', sandboxId: 'a.b' }],
        'sandboxId',
      ],
    ];
    for (const [args, path] of cases) {
      const { error } = await outcome(execSession$(...args));
      expect(isExecRequestError(error)).toBe(true);
      expect((error as { issues: Array<{ path: string }> }).issues.map((issue) => issue.path)).toContain(
        path,
      );
      expect(String(error)).not.toContain(args[2]?.accessToken ?? TOKEN);
    }
    expect(server.connections).toHaveLength(0);
  });

  it('says no WebSocket was given when the runtime has none (Node 20)', async () => {
    expect((globalThis as { WebSocket?: unknown }).WebSocket).toBeUndefined();
    const { error } = await outcome(execSession$({ command: 'x' }, {}, { accessToken: TOKEN }));
    expect(String(error)).toMatch(/no WebSocket: pass options\.webSocket/);
  });
});

describe('execSession$: output and the terminal frame', () => {
  it('emits output byte-exact as it arrives, then finished with exactly type and exitCode, then closes', async () => {
    const options = await start();
    const { connection, result } = await session(options, execSession$({ command: 'x' }, {}, options));
    connection.ws.send(bytes(1, 0x00, 0xff, 0xfe));
    connection.ws.send(bytes(2, 0xf0, 0x9f));
    connection.ws.send(bytes(1));
    connection.ws.send(bytes(2, 0x98, 0x80));
    connection.ws.send('{"exit_code":3,"finished":true,"extra":1}');
    const { values, completed } = await result;
    expect(completed).toBe(true);
    const plain = values.map((event) => ('data' in event ? { ...event, data: [...event.data] } : event));
    expect(plain).toEqual([
      { type: 'stdout', data: [0x00, 0xff, 0xfe] },
      { type: 'stderr', data: [0xf0, 0x9f] },
      { type: 'stderr', data: [0x98, 0x80] },
      { type: 'finished', exitCode: 3 },
    ]);
    expect(Object.keys(values.at(-1)!)).toEqual(['type', 'exitCode']);
    expect(await connection.closed).toBe(1000);
  });

  it('errors with ExecFailedError (with code) for the could-not-run frame, redacting the token', async () => {
    const options = await start();
    const { connection, result } = await session(options, execSession$({ command: 'x' }, {}, options));
    connection.ws.send(
      JSON.stringify({ finished: true, error: `no such binary (${TOKEN})`, code: 'bad_request' }),
    );
    const { error } = await result;
    expect(isExecFailedError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'bad_request' });
    expect(String(error)).toBe(
      'ExecFailedError: the command could not run (bad_request): no such binary ([redacted])',
    );
    expect(await connection.closed).toBe(1000);
  });

  it('errors with ExecDecodeError for a text frame that is not terminal, bad JSON, or an unknown channel', async () => {
    const options = await start();
    for (const frame of [
      '{"stdout":"hi","timestamp":"t"}',
      '{"finished":',
      bytes(0, 65),
      bytes(3, 65),
      bytes(),
    ]) {
      const { connection, result } = await session(options, execSession$({ command: 'x' }, {}, options));
      connection.ws.send(frame);
      const { values, error } = await result;
      expect(values).toEqual([]);
      expect(isExecDecodeError(error)).toBe(true);
      expect(await connection.closed).toBe(1000);
    }
  });

  it('maps a close with no terminal frame: 1003/1008/1009 protocol, 1006 network, others incomplete', async () => {
    const options = await start();
    const cases: Array<[number | 'drop', (error: unknown) => boolean, RegExp]> = [
      [1003, isExecProtocolError, /closed the session with 1003 \(unsupported data.*\): why$/],
      [1008, isExecProtocolError, /closed the session with 1008 \(policy violation.*\): why$/],
      [
        1009,
        isExecProtocolError,
        /closed the session with 1009 \(message too big: a frame was larger.*\): why$/,
      ],
      ['drop', (error) => isExecNetworkError(error) && error.phase === 'body', /the session was lost/],
      [1000, isExecIncompleteError, /the session closed with 1000 \(why\) without a terminal event/],
      [1001, isExecIncompleteError, /closed with 1001/],
      [1011, isExecIncompleteError, /closed with 1011/],
    ];
    for (const [code, guard, message] of cases) {
      const { connection, result } = await session(options, execSession$({ command: 'x' }, {}, options));
      connection.ws.send(bytes(1, 65));
      if (code === 'drop') connection.ws.terminate();
      else connection.ws.close(code, 'why');
      const { values, error } = await result;
      expect(values).toHaveLength(1);
      expect(guard(error)).toBe(true);
      expect(String(error)).toMatch(message);
    }
  });

  it('ignores frames after the terminal one', async () => {
    const options = await start();
    const { connection, result } = await session(options, execSession$({ command: 'x' }, {}, options));
    connection.ws.send('{"exit_code":0,"finished":true}');
    connection.ws.send(bytes(1, 65));
    connection.ws.send('{"finished":true,"error":"late"}');
    expect(await result).toEqual({ values: [{ type: 'finished', exitCode: 0 }], completed: true });
  });
});

describe('execSession$: refusals and the network', () => {
  it('a refused handshake is ExecHttpError with status, body and Retry-After, the token redacted', async () => {
    const options = await start((): FaultHandshake => ({
      accept: false,
      status: 429,
      body: `too many connections to sandbox (${TOKEN})`,
      headers: { 'Retry-After': '2' },
    }));
    const { error } = await outcome(execSession$({ command: 'x' }, {}, options));
    expect(isExecHttpError(error)).toBe(true);
    expect(error).toMatchObject({
      status: 429,
      body: 'too many connections to sandbox ([redacted])',
      retryAfterMs: 2000,
    });
    expect(String(error)).toBe(
      'ExecHttpError: GET /exec/connect failed with 429: too many connections to sandbox ([redacted])',
    );
  });

  it('a connection refused is ExecNetworkError in the fetch phase, naming the cause', async () => {
    const options = await start();
    await server.close();
    const { error } = await outcome(execSession$({ command: 'x' }, {}, options));
    expect(isExecNetworkError(error) && error.phase).toBe('fetch');
    expect(String(error)).toMatch(/GET \/exec\/connect: the WebSocket did not open: .*ECONNREFUSED/);
  });

  it('a refusal through a WebSocket that hides why (as browsers do) is ExecNetworkError, fetch phase', async () => {
    const options = await start(() => ({ accept: false, status: 401, body: 'invalid access token' }));
    const { error } = await outcome(
      execSession$({ command: 'x' }, {}, { ...options, webSocket: BrowserLike }),
    );
    expect(isExecNetworkError(error) && error.phase).toBe('fetch');
    expect(String(error)).toBe(
      'ExecNetworkError: GET /exec/connect: the WebSocket did not open: closed with 1006 before the session opened',
    );
  });

  it('unsubscribing closes the socket (the service then kills the command)', async () => {
    const options = await start();
    const subscription = execSession$({ command: 'x' }, {}, options).subscribe();
    const connection = await server.nextConnection();
    await connection.nextFrame();
    subscription.unsubscribe();
    expect(await connection.closed).toBe(1000);
  });

  it('unsubscribing before the handshake completes leaves nothing behind', async () => {
    const options = await start();
    execSession$({ command: 'x' }, {}, options).subscribe().unsubscribe();
    await new Promise((resolve) => setTimeout(resolve, 50));
  });

  it('a stalled session ends only by withTimeout, which closes the socket', async () => {
    const options = await start();
    const { connection, result } = await session(
      options,
      execSession$({ command: 'x' }, {}, options).pipe(withTimeout({ idle: 200 })),
    );
    connection.ws.send(bytes(1, 65));
    const { values, error } = await result;
    expect(values).toHaveLength(1);
    expect(isExecTimeoutError(error)).toBe(true);
    expect(await connection.closed).toBe(1000);
  });

  it('retryOnExecFailed re-dials after a refused 503 handshake and an exec_failed frame, only before a value', async () => {
    let dials = 0;
    const options = await start(() =>
      ++dials === 1 ? { accept: false, status: 503, body: 'sandbox is paused' } : { accept: true },
    );
    const events: ExecSessionEvent[] = [];
    const run = firstValueFrom(
      execSession$({ command: 'x' }, {}, options).pipe(retryOnExecFailed({ delay: 10 }), toArray()),
    );
    const failing = await server.nextConnection();
    await failing.nextFrame();
    failing.ws.send('{"finished":true,"error":"try again","code":"exec_failed"}');
    const good = await server.nextConnection();
    await good.nextFrame();
    good.ws.send(bytes(1, 65));
    good.ws.send('{"exit_code":0,"finished":true}');
    events.push(...(await run));
    expect(dials).toBe(3);
    expect(events.map((event) => event.type)).toEqual(['stdout', 'finished']);
  });
});

describe('execSession$: stdin', () => {
  const stdinFrames = (connection: FaultConnection) =>
    connection.received.slice(1).filter((frame) => frame.binary);

  it('an Observable: strings UTF-8 encoded, frames of at most 32 KiB, in order, then stdin_close', async () => {
    const options = await start();
    const big = Buffer.alloc(70_000, 7);
    const { connection } = await session(
      options,
      execSession$({ command: 'cat' }, { stdin: of('héllo ', big, '😀') }, options),
    );
    await waitFor(() =>
      connection.received.some((frame) => !frame.binary && text(frame).includes('stdin_close')),
    );
    const frames = stdinFrames(connection);
    expect(frames.every((frame) => frame.data[0] === 0 && frame.data.length <= 32 * 1024 + 1)).toBe(true);
    expect(Buffer.concat(frames.map((frame) => frame.data.subarray(1)))).toEqual(
      Buffer.concat([Buffer.from('héllo '), big, Buffer.from('😀')]),
    );
    expect(text(connection.received.at(-1)!)).toBe('{"type":"stdin_close"}');
  });

  it('keeps a surrogate pair split across two string chunks whole', async () => {
    const options = await start();
    const { connection } = await session(
      options,
      execSession$({ command: 'cat' }, { stdin: of('a\ud83d', '\ude00b') }, options),
    );
    await waitFor(() => connection.received.length >= 3);
    expect(Buffer.concat(stdinFrames(connection).map((frame) => frame.data.subarray(1))).toString()).toBe(
      'a😀b',
    );
  });

  it('an Observable that errors ends the session with its error and closes the socket', async () => {
    const options = await start();
    const boom = new Error('stdin broke');
    const stdin = new Subject<string>();
    const { connection, result } = await session(
      options,
      execSession$({ command: 'cat' }, { stdin }, options),
    );
    stdin.next('x');
    stdin.error(boom);
    expect((await result).error).toBe(boom);
    expect(await connection.closed).toBe(1000);
  });

  it('an Observable pushing past maxBufferedStdinBytes unsent: ExecProtocolError naming the fix', async () => {
    const options = await start();
    const { error } = await outcome(
      execSession$(
        { command: 'cat' },
        { stdin: of(Buffer.alloc(600), Buffer.alloc(600)) },
        { ...options, maxBufferedStdinBytes: 1000 },
      ),
    );
    expect(isExecProtocolError(error)).toBe(true);
    expect(String(error)).toMatch(/more than 1000 bytes.*pass stdin as an AsyncIterable or a ReadableStream/);
  });

  it('a chunk that is neither a string nor bytes: ExecRequestError', async () => {
    const options = await start();
    const { error } = await outcome(execSession$({ command: 'cat' }, { stdin: of(42) as never }, options));
    expect(isExecRequestError(error)).toBe(true);
    expect(String(error)).toMatch(/stdin: expected strings or Uint8Arrays, got number/);
  });

  it('an AsyncIterable is pulled only while the socket has room: a peer that stops reading stops the pulling', async () => {
    const options = await start();
    let pulled = 0;
    async function* endless() {
      const chunk = Buffer.alloc(64 * 1024, 1);
      for (;;) {
        pulled += chunk.length;
        yield chunk;
      }
    }
    const subscription = execSession$({ command: 'cat' }, { stdin: endless() }, options).subscribe({
      error: () => undefined,
    });
    const connection = await server.nextConnection();
    await connection.nextFrame();
    connection.ws.pause();
    await waitFor(() => pulled > 0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const stalled = pulled;
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Bounded by the high-water mark and the kernel's socket buffers, not by the source.
    expect(pulled).toBe(stalled);
    expect(pulled).toBeLessThan(64 * 1024 * 1024);
    connection.ws.resume();
    await waitFor(() => pulled > stalled + 4 * 1024 * 1024, 5000, 'pulling to resume');
    subscription.unsubscribe();
    expect(await connection.closed).toBe(1000);
  });

  it('a ReadableStream is read to its end, then stdin_close; unsubscribing cancels it', async () => {
    const options = await start();
    const chunks = [new Uint8Array([1, 2]), new Uint8Array([3])];
    const finite = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk);
        controller.close();
      },
    });
    const { connection } = await session(
      options,
      execSession$({ command: 'cat' }, { stdin: finite }, options),
    );
    await waitFor(() =>
      connection.received.some((frame) => !frame.binary && text(frame).includes('stdin_close')),
    );
    expect(Buffer.concat(stdinFrames(connection).map((frame) => frame.data.subarray(1)))).toEqual(
      bytes(1, 2, 3),
    );

    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.enqueue(new Uint8Array(1024)),
      cancel: () => {
        cancelled = true;
      },
    });
    const subscription = execSession$({ command: 'cat' }, { stdin: endless }, options).subscribe();
    const second = await server.nextConnection();
    await waitFor(() => second.received.length > 2);
    subscription.unsubscribe();
    await waitFor(() => cancelled, 2000, 'the stream to be cancelled');
  });

  it('an AsyncIterable that throws ends the session with that error', async () => {
    const options = await start();
    const boom = new Error('read failed');
    // eslint-disable-next-line require-yield
    async function* failing(): AsyncGenerator<string> {
      throw boom;
    }
    const { connection, result } = await session(
      options,
      execSession$({ command: 'cat' }, { stdin: failing() }, options),
    );
    expect((await result).error).toBe(boom);
    expect(await connection.closed).toBe(1000);
  });
});

describe('execSession$: signals', () => {
  it('sends each signal as a frame, those before the open after the start frame, in order', async () => {
    const options = await start();
    const signals = new Subject<'SIGINT' | 'SIGTERM'>();
    const result = outcome(execSession$({ command: 'x' }, { stdin: NEVER, signals }, options));
    signals.next('SIGINT');
    const connection = await server.nextConnection();
    expect(JSON.parse(text(await connection.nextFrame()))).toEqual({ command: 'x' });
    expect(text(await connection.nextFrame())).toBe('{"type":"signal","name":"SIGINT"}');
    signals.next('SIGTERM');
    expect(text(await connection.nextFrame())).toBe('{"type":"signal","name":"SIGTERM"}');
    connection.ws.send('{"exit_code":143,"finished":true}');
    expect((await result).values).toEqual([{ type: 'finished', exitCode: 143 }]);
  });

  it('sends SIGKILL, SIGUSR1 and SIGUSR2 too (older services drop them)', async () => {
    const options = await start();
    const signals = new Subject<'SIGKILL' | 'SIGUSR1' | 'SIGUSR2'>();
    const { connection } = await session(
      options,
      execSession$({ command: 'x' }, { stdin: NEVER, signals }, options),
    );
    for (const name of ['SIGUSR1', 'SIGUSR2', 'SIGKILL'] as const) {
      signals.next(name);
      expect(text(await connection.nextFrame())).toBe(`{"type":"signal","name":"${name}"}`);
    }
  });

  it('a name outside the seven is ExecRequestError at once, and the socket is closed', async () => {
    const options = await start();
    const signals = new Subject<string>();
    const { connection, result } = await session(
      options,
      execSession$(
        { command: 'x' },
        { stdin: NEVER, signals: signals as unknown as Observable<never> },
        options,
      ),
    );
    signals.next('SIGSTOP');
    const { error } = await result;
    expect(isExecRequestError(error)).toBe(true);
    expect(String(error)).toMatch(
      /signals: expected one of SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGKILL, SIGUSR1, SIGUSR2, got SIGSTOP/,
    );
    expect(await connection.closed).toBe(1000);
  });

  it('a signals Observable that errors ends the session with its error', async () => {
    const options = await start();
    const boom = new Error('signals broke');
    const { error } = await outcome(
      execSession$({ command: 'x' }, { signals: defer(() => throwError(() => boom)) }, options),
    );
    expect(error).toBe(boom);
  });
});

describe('WebSocket constructors', () => {
  it('the ws package, the DOM and Node 22 WebSocket types all fit WebSocketConstructor', () => {
    const fromWs: WebSocketConstructor = WebSocket;
    type Dom = typeof globalThis.WebSocket extends WebSocketConstructor ? true : false;
    const dom: Dom = true;
    const like: WebSocketLike | undefined = undefined;
    expect([typeof fromWs, dom, like]).toEqual(['function', true, undefined]);
  });
});
