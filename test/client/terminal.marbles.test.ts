import { asyncScheduler } from 'rxjs';
import { type TerminalSize, terminal$, type WebSocketLike } from 'superserve-rx';
import { testScheduler } from '../helpers/marbles';

// The timing of terminal$ in virtual time: a scripted socket that opens, receives and closes
// at set frames, and logs each frame sent with the frame it was sent at.
interface Script {
  /** The frame the socket opens at. */
  readonly openAt: number;
  /** Output the socket receives, by frame. */
  readonly output?: Record<number, string>;
  /** The frame the server closes at, and with what. */
  readonly closeAt?: { frame: number; code: number; reason: string };
}

function scriptedSocket(script: Script, now: () => number, log: Array<[number, string]>) {
  return class ScriptedSocket implements WebSocketLike {
    binaryType = 'arraybuffer';
    bufferedAmount = 0;
    readyState = 0;
    protocol = 'superserve.terminal.v1';
    onopen: WebSocketLike['onopen'] = null;
    onmessage: WebSocketLike['onmessage'] = null;
    onclose: WebSocketLike['onclose'] = null;
    onerror: WebSocketLike['onerror'] = null;
    constructor(_url: string, _protocols: string[]) {
      asyncScheduler.schedule(() => {
        this.readyState = 1;
        this.onopen?.({});
      }, script.openAt);
      for (const [frame, text] of Object.entries(script.output ?? {})) {
        asyncScheduler.schedule(
          () => this.onmessage?.({ data: new TextEncoder().encode(text).buffer }),
          Number(frame),
        );
      }
      const close = script.closeAt;
      if (close !== undefined) {
        asyncScheduler.schedule(() => {
          this.readyState = 3;
          this.onclose?.({ code: close.code, reason: close.reason });
        }, close.frame);
      }
    }
    send(data: string | Uint8Array): void {
      log.push([now(), typeof data === 'string' ? data : `bytes:${new TextDecoder().decode(data)}`]);
    }
    close(code?: number): void {
      log.push([now(), `close:${code ?? ''}`]);
      this.readyState = 3;
    }
  };
}

const size = (cols: number, rows: number): TerminalSize => ({ cols, rows });
const resizeFrame = ({ cols, rows }: TerminalSize) => JSON.stringify({ type: 'resize', cols, rows });

describe('terminal$ in virtual time', () => {
  it('sends only the latest size emitted before the open, right after it, then each size as it comes', () => {
    const scheduler = testScheduler();
    scheduler.run(({ hot, flush }) => {
      const log: Array<[number, string]> = [];
      const webSocket = scriptedSocket({ openAt: 5 }, () => scheduler.now(), log);
      const resize = hot('-a-b-----c-|', { a: size(80, 24), b: size(100, 30), c: size(120, 40) });
      terminal$({ resize }, { baseUrl: 'http://sandbox.test', accessToken: 'token', webSocket }).subscribe();
      flush();
      expect(log).toEqual([
        [5, resizeFrame(size(100, 30))],
        [9, resizeFrame(size(120, 40))],
      ]);
    });
  });

  it('queues input typed before the open and sends it after the size, in order; later input as it comes', () => {
    const scheduler = testScheduler();
    scheduler.run(({ hot, flush }) => {
      const log: Array<[number, string]> = [];
      const webSocket = scriptedSocket({ openAt: 4 }, () => scheduler.now(), log);
      const input = hot('-x-y----z', { x: 'ls', y: '\r', z: '\x03' });
      const resize = hot('--a', { a: size(90, 20) });
      terminal$(
        { input, resize },
        { baseUrl: 'http://sandbox.test', accessToken: 'token', webSocket },
      ).subscribe();
      flush();
      expect(log).toEqual([
        [4, resizeFrame(size(90, 20))],
        [4, 'bytes:ls'],
        [4, 'bytes:\r'],
        [8, 'bytes:\x03'],
      ]);
    });
  });

  it('emits output when it arrives and completes at the close 1000', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const webSocket = scriptedSocket(
        {
          openAt: 1,
          output: { 2: '$ ', 5: '42\r\n' },
          closeAt: { frame: 7, code: 1000, reason: 'shell exited' },
        },
        () => scheduler.now(),
        [],
      );
      const output = terminal$(
        {},
        { baseUrl: 'http://sandbox.test', accessToken: 'token', webSocket },
      ).pipe();
      expectObservable(output).toBe('--a--b-|', {
        a: { type: 'stdout', data: new Uint8Array([0x24, 0x20]) },
        b: { type: 'stdout', data: new Uint8Array([0x34, 0x32, 0x0d, 0x0a]) },
      });
    });
  });

  it('errors at the frame a bad size comes, before anything is sent, and closes the socket', () => {
    const scheduler = testScheduler();
    scheduler.run(({ hot, flush }) => {
      const log: Array<[number, string]> = [];
      const webSocket = scriptedSocket({ openAt: 2 }, () => scheduler.now(), log);
      const resize = hot('----a', { a: size(0, 24) });
      const errors: Array<[number, string]> = [];
      terminal$({ resize }, { baseUrl: 'http://sandbox.test', accessToken: 'token', webSocket }).subscribe({
        error: (error: unknown) => errors.push([scheduler.now(), String(error)]),
      });
      flush();
      expect(errors).toEqual([
        [4, expect.stringMatching(/ExecRequestError: .*resize: expected \{ cols, rows \}/)],
      ]);
      expect(log).toEqual([[4, 'close:1000']]);
    });
  });

  it('unsubscribing at a frame closes the socket then, and sends nothing more', () => {
    const scheduler = testScheduler();
    scheduler.run(({ hot, flush }) => {
      const log: Array<[number, string]> = [];
      const webSocket = scriptedSocket({ openAt: 1 }, () => scheduler.now(), log);
      const input = hot('--a---b', { a: 'x', b: 'y' });
      const subscription = terminal$(
        { input },
        { baseUrl: 'http://sandbox.test', accessToken: 'token', webSocket },
      ).subscribe();
      scheduler.schedule(() => subscription.unsubscribe(), 4);
      flush();
      expect(log).toEqual([
        [2, 'bytes:x'],
        [4, 'close:1000'],
      ]);
    });
  });
});
