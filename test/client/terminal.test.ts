import { defer, firstValueFrom, NEVER, Observable, of, Subject, throwError, toArray } from 'rxjs';
import WebSocket from 'ws';
import {
  createExecClient,
  type ExecOptions,
  isExecFailedError,
  isExecHttpError,
  isExecIncompleteError,
  isExecNetworkError,
  isExecProtocolError,
  isExecRequestError,
  isExecTimeoutError,
  retryOnExecFailed,
  stdoutText,
  type TerminalSignal,
  type TerminalSize,
  terminal$,
  type WebSocketLike,
  withTimeout,
} from 'superserve-rx';
import { outcome } from '../helpers/outcome';
import { activeResources, expectBackToBaseline } from '../helpers/resources';
import { type FaultHandshake, startWsFaultServer, type WsFaultServer } from '../helpers/ws-fault-server';

// terminal$ against a scripted WebSocket peer: the wire it speaks, and every close code,
// refusal and bad input turned into a typed outcome, with the socket closed afterwards.
const TOKEN = 'terminal-token-0123456789abcdef';
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

const text = (frame: { data: Buffer }) => frame.data.toString();

/** A browser's WebSocket: the standard API only, no `on`, errors that say nothing. */
class BrowserLike implements WebSocketLike {
  readonly #ws: WebSocket;
  onopen: WebSocketLike['onopen'] = null;
  onmessage: WebSocketLike['onmessage'] = null;
  onclose: WebSocketLike['onclose'] = null;
  onerror: WebSocketLike['onerror'] = null;
  constructor(url: string, protocols: string[]) {
    this.#ws = new WebSocket(url, protocols);
    this.#ws.binaryType = 'arraybuffer';
    this.#ws.onopen = () => this.onopen?.({});
    this.#ws.onmessage = ({ data }) => this.onmessage?.({ data });
    this.#ws.onclose = ({ code, reason }) => this.onclose?.({ code, reason });
    this.#ws.onerror = () => this.onerror?.({});
  }
  get binaryType(): string {
    return 'arraybuffer';
  }
  set binaryType(_type: string) {
    // Browsers keep 'blob' or 'arraybuffer'; this one is always 'arraybuffer'.
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

describe('terminal$: dialling', () => {
  it('dials /terminal (path prefix kept) with superserve.terminal.v1 then the token, sends no start frame', async () => {
    const options = await start();
    const subscription = terminal$({}, { ...options, baseUrl: `${server.url}/proxy/` }).subscribe();
    const connection = await server.nextConnection();
    expect(connection.request.url).toBe('/proxy/terminal');
    expect(connection.request.headers['sec-websocket-protocol']).toBe(
      `superserve.terminal.v1,token.${TOKEN}`,
    );
    expect(connection.ws.protocol).toBe('superserve.terminal.v1');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(connection.received).toEqual([]);
    subscription.unsubscribe();
    expect(await connection.closed).toBe(1000);
  });

  it('is cold: each subscription is a new socket (a new shell); none reconnects by itself', async () => {
    const options = await start();
    const terminal = createExecClient(options).terminal$();
    const first = outcome(terminal);
    const one = await server.nextConnection();
    const second = outcome(terminal);
    const two = await server.nextConnection();
    one.ws.close(1000, 'shell exited');
    two.ws.close(1000, 'shell exited');
    expect(await first).toEqual({ values: [], completed: true });
    expect(await second).toEqual({ values: [], completed: true });
    expect(server.connections).toHaveLength(2);
  });

  it('dials nothing and errors with ExecRequestError for bad options or io, never quoting the token', async () => {
    const options = await start();
    for (const [io, opts, path] of [
      [{ input: 42 }, options, 'input'],
      [{ resize: [{ cols: 1, rows: 1 }] }, options, 'resize'],
      [{ signals: 'SIGINT' }, options, 'signals'],
      [null, options, 'io'],
      [{}, { ...options, baseUrl: 'ftp://x' }, 'baseUrl'],
      [{}, { ...options, accessToken: 'has space' }, 'accessToken'],
      [{}, { ...options, maxBufferedStdinBytes: 0 }, 'maxBufferedStdinBytes'],
    ] as const) {
      const { error } = await outcome(terminal$(io as never, opts as ExecOptions));
      expect(isExecRequestError(error)).toBe(true);
      expect(String(error)).toContain(path);
      expect(String(error)).not.toContain('has space');
    }
    const { webSocket: _none, ...withoutWebSocket } = options;
    const { error } = await outcome(terminal$({}, withoutWebSocket));
    expect(String(error)).toMatch(/no WebSocket/);
    expect(server.connections).toHaveLength(0);
  });
});

describe('terminal$: output and the close', () => {
  it('emits each binary frame byte-exact as { type: "stdout", data }, ignores text frames, completes on 1000', async () => {
    const options = await start();
    const result = outcome(terminal$({}, options));
    const connection = await server.nextConnection();
    connection.ws.send(Buffer.from([0x24, 0x20, 0xc3]));
    connection.ws.send('{"type":"hello"}');
    connection.ws.send(Buffer.from([0xa9, 0x0d, 0x0a]));
    connection.ws.send(Buffer.alloc(0));
    connection.ws.close(1000, 'shell exited');
    const { values, completed } = await result;
    expect(completed).toBe(true);
    expect(values).toEqual([
      { type: 'stdout', data: new Uint8Array([0x24, 0x20, 0xc3]) },
      { type: 'stdout', data: new Uint8Array([0xa9, 0x0d, 0x0a]) },
    ]);
    expect(values.every((event) => Object.keys(event).join() === 'type,data')).toBe(true);
  });

  it('works with stdoutText(): a character split across frames comes out whole', async () => {
    const options = await start();
    const result = firstValueFrom(terminal$({}, options).pipe(stdoutText(), toArray()));
    const connection = await server.nextConnection();
    connection.ws.send(Buffer.from('caf\xc3', 'latin1'));
    connection.ws.send(Buffer.from('\xa9\r\n', 'latin1'));
    connection.ws.close(1000);
    expect((await result).join('')).toBe('café\r\n');
  });

  it('takes output from a WebSocket that gives ArrayBuffers (browsers)', async () => {
    const options = await start();
    const result = outcome(terminal$({}, { ...options, webSocket: BrowserLike }));
    const connection = await server.nextConnection();
    connection.ws.send(Buffer.from('hi'));
    connection.ws.close(1000);
    expect((await result).values).toEqual([{ type: 'stdout', data: new Uint8Array([104, 105]) }]);
  });

  it('maps the close: 1011 ExecFailedError with the reason, 1003/1008/1009 protocol, 1006 network, others incomplete', async () => {
    const options = await start();
    const cases: Array<[number | 'drop', string, (error: unknown) => boolean, RegExp]> = [
      [1011, 'shell did not start', isExecFailedError, /shell did not start/],
      [
        1009,
        'read limited at 65537 bytes',
        isExecProtocolError,
        /closed the terminal with 1009 .*read limited at 65537 bytes/,
      ],
      [1008, 'policy', isExecProtocolError, /1008/],
      [1003, 'no text', isExecProtocolError, /1003/],
      ['drop', '', isExecNetworkError, /GET \/terminal: the session was lost \(closed abnormally/],
      [4000, `bye ${TOKEN}`, isExecIncompleteError, /closed with 4000 \(bye \[redacted\]\)/],
      [1001, 'going away', isExecIncompleteError, /1001/],
    ];
    for (const [code, reason, guard, message] of cases) {
      const result = outcome(terminal$({}, options));
      const connection = await server.nextConnection();
      connection.ws.send(Buffer.from('x'));
      if (code === 'drop') connection.ws.terminate();
      else connection.ws.close(code, reason);
      const { values, error } = await result;
      expect(values).toHaveLength(1);
      expect(guard(error)).toBe(true);
      expect(String(error)).toMatch(message);
      expect(String(error)).not.toContain(TOKEN);
    }
  });
});

describe('terminal$: refusals and the network', () => {
  it('a refused handshake is ExecHttpError with status and body, the token redacted', async () => {
    const options = await start((): FaultHandshake => ({
      accept: false,
      status: 403,
      body: `request Origin "x" is not authorized for Host "y" ${TOKEN}`,
    }));
    const { error } = await outcome(terminal$({}, options));
    expect(isExecHttpError(error)).toBe(true);
    expect(error).toMatchObject({ status: 403 });
    expect(String(error)).toBe(
      'ExecHttpError: GET /terminal failed with 403: request Origin "x" is not authorized for Host "y" [redacted]',
    );
  });

  it('a refusal through a WebSocket that hides why (browsers) is ExecNetworkError, fetch phase', async () => {
    const options = await start(() => ({
      accept: false,
      status: 429,
      body: 'too many connections to sandbox',
    }));
    const { error } = await outcome(terminal$({}, { ...options, webSocket: BrowserLike }));
    expect(isExecNetworkError(error) && error.phase).toBe('fetch');
    expect(String(error)).toMatch(/^ExecNetworkError: GET \/terminal: the WebSocket did not open/);
  });

  it('a 401 asks the token provider once for a fresh token and dials again; input typed meanwhile is kept', async () => {
    const fresh = 'fresh-terminal-token-0123456789';
    const options = await start((request) =>
      request.headers['sec-websocket-protocol']?.includes(fresh)
        ? { accept: true }
        : { accept: false, status: 401, body: 'invalid access token' },
    );
    const calls: unknown[] = [];
    const provider = (context: { rejected?: string }) => {
      calls.push(context);
      return context.rejected === undefined ? TOKEN : fresh;
    };
    const input = new Subject<string>();
    const result = outcome(terminal$({ input }, { ...options, accessToken: provider }));
    input.next('ls\r');
    const connection = await server.nextConnection();
    expect(calls).toEqual([{}, { rejected: TOKEN }]);
    expect(text(await connection.nextFrame())).toBe('ls\r');
    connection.ws.close(1000);
    expect((await result).completed).toBe(true);
  });

  it('a stalled terminal ends only by withTimeout({ idle }), which closes the socket', async () => {
    const options = await start();
    const result = outcome(terminal$({}, options).pipe(withTimeout({ idle: 200 })));
    const connection = await server.nextConnection();
    connection.ws.send(Buffer.from('$ '));
    const { values, error } = await result;
    expect(values).toHaveLength(1);
    expect(isExecTimeoutError(error)).toBe(true);
    expect(await connection.closed).toBe(1000);
  });

  it('retryOnExecFailed re-dials a refused 503 handshake before any output, and never once output came', async () => {
    let dials = 0;
    const options = await start(() =>
      ++dials === 1 ? { accept: false, status: 503, body: 'sandbox is paused' } : { accept: true },
    );
    const run = outcome(terminal$({}, options).pipe(retryOnExecFailed({ delay: 10 })));
    const good = await server.nextConnection();
    good.ws.send(Buffer.from('$ '));
    good.ws.terminate();
    const { values, error } = await run;
    expect(dials).toBe(2);
    expect(values).toHaveLength(1);
    expect(isExecNetworkError(error) && error.phase).toBe('body');
  });
});

describe('terminal$: input', () => {
  it('sends binary frames of raw bytes, no channel byte, at most 64 KiB each, strings UTF-8; completion sends nothing', async () => {
    const options = await start();
    const big = new Uint8Array(65_536 * 2 + 10).map((_, i) => i % 251);
    const result = outcome(terminal$({ input: of('é\x03', big, '\x04') }, options));
    const connection = await server.nextConnection();
    const frames = [];
    for (let i = 0; i < 5; i++) frames.push(await connection.nextFrame());
    expect(frames.every((frame) => frame.binary)).toBe(true);
    expect(frames.map((frame) => frame.data.length)).toEqual([3, 65_536, 65_536, 10, 1]);
    expect([...frames[0]!.data]).toEqual([0xc3, 0xa9, 0x03]);
    expect(Buffer.concat(frames.slice(1, 4).map((frame) => frame.data)).equals(Buffer.from(big))).toBe(true);
    expect([...frames[4]!.data]).toEqual([0x04]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(connection.received).toHaveLength(5);
    connection.ws.close(1000);
    expect((await result).completed).toBe(true);
  });

  it('keeps a character split across two strings whole', async () => {
    const options = await start();
    const input = new Subject<string>();
    const result = outcome(terminal$({ input }, options));
    const connection = await server.nextConnection();
    input.next('a\ud83d');
    input.next('\ude00b');
    expect([...(await connection.nextFrame()).data]).toEqual([0x61]);
    expect((await connection.nextFrame()).data.toString()).toBe('😀b');
    connection.ws.close(1000);
    await result;
  });

  it('an AsyncIterable is read to its end and the terminal stays open; its error ends the terminal', async () => {
    const options = await start();
    async function* typing() {
      yield 'echo hi\r';
      yield new Uint8Array([0x03]);
    }
    const result = outcome(terminal$({ input: typing() }, options));
    const connection = await server.nextConnection();
    expect(text(await connection.nextFrame())).toBe('echo hi\r');
    expect([...(await connection.nextFrame()).data]).toEqual([3]);
    connection.ws.close(1000);
    expect((await result).completed).toBe(true);

    const boom = new Error('keyboard unplugged');
    async function* failing(): AsyncGenerator<string> {
      yield 'x';
      throw boom;
    }
    const failed = outcome(terminal$({ input: failing() }, options));
    const second = await server.nextConnection();
    expect((await failed).error).toBe(boom);
    expect(await second.closed).toBe(1000);
  });

  it('an Observable pushing past maxBufferedStdinBytes unsent: ExecProtocolError naming the input', async () => {
    const options = await start();
    const { error } = await outcome(
      terminal$(
        { input: of(new Uint8Array(600), new Uint8Array(600)) },
        { ...options, maxBufferedStdinBytes: 1000 },
      ),
    );
    expect(isExecProtocolError(error)).toBe(true);
    expect(String(error)).toMatch(
      /input: the Observable pushed more than 1000 bytes.*pass input as an AsyncIterable/,
    );
  });

  it('a chunk that is neither a string nor bytes: ExecRequestError', async () => {
    const options = await start();
    const { error } = await outcome(terminal$({ input: of(42) as unknown as Observable<string> }, options));
    expect(isExecRequestError(error)).toBe(true);
    expect(String(error)).toMatch(/input: expected strings or Uint8Arrays, got number/);
  });
});

describe('terminal$: resize and signals', () => {
  it('sends the latest size emitted before the open right after it, then each one', async () => {
    const options = await start();
    const resize = new Subject<TerminalSize>();
    const input = new Subject<string>();
    const result = outcome(terminal$({ resize, input }, options));
    resize.next({ cols: 80, rows: 24 });
    resize.next({ cols: 100, rows: 30 });
    input.next('a');
    const connection = await server.nextConnection();
    expect(text(await connection.nextFrame())).toBe('{"type":"resize","cols":100,"rows":30}');
    expect(text(await connection.nextFrame())).toBe('a');
    resize.next({ cols: 65535, rows: 1 });
    const frame = await connection.nextFrame();
    expect(frame.binary).toBe(false);
    expect(text(frame)).toBe('{"type":"resize","cols":65535,"rows":1}');
    connection.ws.close(1000);
    await result;
  });

  it('a size that is not integers in 1..65535 is ExecRequestError at once, never sent', async () => {
    const options = await start();
    for (const size of [
      { cols: 0, rows: 1 },
      { cols: 1.5, rows: 1 },
      { cols: 65536, rows: 1 },
      { cols: 1 },
      null,
      { cols: '80', rows: 24 },
    ]) {
      const resize = new Subject<TerminalSize>();
      const result = outcome(terminal$({ resize }, options));
      const connection = await server.nextConnection();
      await new Promise((resolve) => setTimeout(resolve, 20));
      resize.next(size as TerminalSize);
      const { error } = await result;
      expect(isExecRequestError(error)).toBe(true);
      expect(String(error)).toMatch(/resize: expected \{ cols, rows \}, integers in 1\.\.65535/);
      expect(await connection.closed).toBe(1000);
      expect(connection.received).toEqual([]);
    }
  });

  it('sends each of the four signals as a text frame; another name is ExecRequestError at once', async () => {
    const options = await start();
    const signals = new Subject<TerminalSignal>();
    const result = outcome(terminal$({ signals }, options));
    const connection = await server.nextConnection();
    for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const) {
      signals.next(name);
      expect(text(await connection.nextFrame())).toBe(`{"type":"signal","name":"${name}"}`);
    }
    signals.next('SIGKILL' as TerminalSignal);
    const { error } = await result;
    expect(isExecRequestError(error)).toBe(true);
    expect(String(error)).toMatch(/signals: expected one of SIGINT, SIGTERM, SIGHUP, SIGQUIT, got SIGKILL/);
    expect(await connection.closed).toBe(1000);
  });

  it('an error of resize or signals ends the terminal with it', async () => {
    const options = await start();
    const boom = new Error('window gone');
    for (const io of [
      { resize: defer(() => throwError(() => boom)) as Observable<TerminalSize> },
      { signals: throwError(() => boom) as Observable<TerminalSignal> },
    ]) {
      const { error } = await outcome(terminal$(io, options));
      expect(error).toBe(boom);
    }
  });

  it('unsubscribing closes the socket and stops reading the input', async () => {
    const options = await start();
    let inputReleased = false;
    const input = new Observable<string>(() => () => {
      inputReleased = true;
    });
    const subscription = terminal$({ input, resize: NEVER }, options).subscribe();
    const connection = await server.nextConnection();
    await new Promise((resolve) => setTimeout(resolve, 20));
    subscription.unsubscribe();
    expect(inputReleased).toBe(true);
    expect(await connection.closed).toBe(1000);
  });
});
