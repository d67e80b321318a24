import { Observable, Subject, type Subscriber } from 'rxjs';
import {
  attachTerminal,
  type TerminalEvent,
  type TerminalIO,
  type TerminalSize,
  type XtermLike,
} from 'superserve-rx';

/** An xterm.js Terminal as far as attachTerminal sees it, recording what it is told. */
class FakeXterm implements XtermLike {
  cols = 80;
  rows = 24;
  readonly written: Uint8Array[] = [];
  readonly listeners = {
    data: new Set<(data: string) => void>(),
    binary: new Set<(data: string) => void>(),
    resize: new Set<(size: TerminalSize) => void>(),
  };
  onData(listener: (data: string) => void) {
    return this.#listen(this.listeners.data, listener);
  }
  onBinary(listener: (data: string) => void) {
    return this.#listen(this.listeners.binary, listener);
  }
  onResize(listener: (size: { cols: number; rows: number }) => void) {
    return this.#listen(this.listeners.resize, listener);
  }
  write(data: Uint8Array): void {
    this.written.push(data);
  }
  type(text: string): void {
    for (const listener of this.listeners.data) listener(text);
  }
  binary(text: string): void {
    for (const listener of this.listeners.binary) listener(text);
  }
  resize(cols: number, rows: number): void {
    this.cols = cols;
    this.rows = rows;
    for (const listener of this.listeners.resize) listener({ cols, rows });
  }
  #listen<T>(set: Set<T>, listener: T) {
    set.add(listener);
    return { dispose: () => void set.delete(listener) };
  }
}

/** A remote terminal that records the io it is given and lets the test emit output. */
function remote() {
  const seen: { input: Array<string | Uint8Array>; resize: TerminalSize[] } = { input: [], resize: [] };
  let output: Subscriber<TerminalEvent> | undefined;
  let closed = false;
  const open = (io: TerminalIO) =>
    new Observable<TerminalEvent>((subscriber) => {
      output = subscriber;
      const input = (io.input as Observable<string | Uint8Array>).subscribe((chunk) =>
        seen.input.push(chunk),
      );
      const resize = io.resize!.subscribe((size) => seen.resize.push(size));
      return () => {
        closed = true;
        input.unsubscribe();
        resize.unsubscribe();
      };
    });
  return {
    open,
    seen,
    emit: (text: string) => output!.next({ type: 'stdout', data: new TextEncoder().encode(text) }),
    output: () => output!,
    closed: () => closed,
  };
}

describe('attachTerminal', () => {
  it('sends the current size, then each resize; keystrokes as text and binary input as bytes', () => {
    const term = new FakeXterm();
    term.resize(120, 40);
    const far = remote();
    const attached = attachTerminal(term, far.open);
    term.type('ls\r');
    term.binary('\x1b[M\xff\x80');
    term.resize(100, 30);
    expect(far.seen.resize).toEqual([
      { cols: 120, rows: 40 },
      { cols: 100, rows: 30 },
    ]);
    expect(far.seen.input).toEqual(['ls\r', new Uint8Array([0x1b, 0x5b, 0x4d, 0xff, 0x80])]);
    attached.unsubscribe();
  });

  it('writes each output chunk to the widget as bytes, and tells the observer', () => {
    const term = new FakeXterm();
    const far = remote();
    const events: TerminalEvent[] = [];
    const attached = attachTerminal(term, far.open, { next: (event) => events.push(event) });
    far.emit('$ ');
    far.emit('caf\u00e9');
    expect(term.written.map((chunk) => new TextDecoder().decode(chunk))).toEqual(['$ ', 'café']);
    expect(events).toHaveLength(2);
    attached.unsubscribe();
  });

  it('unsubscribing closes the remote terminal, disposes every listener and writes nothing more', () => {
    const term = new FakeXterm();
    const far = remote();
    const output = far.open;
    let subscriber: Subscriber<TerminalEvent> | undefined;
    const attached = attachTerminal(term, (io) => {
      const inner = output(io);
      return new Observable<TerminalEvent>((s) => {
        subscriber = s;
        return inner.subscribe(s);
      });
    });
    attached.unsubscribe();
    expect(far.closed()).toBe(true);
    expect(term.listeners.data.size + term.listeners.binary.size + term.listeners.resize.size).toBe(0);
    subscriber!.next({ type: 'stdout', data: new Uint8Array([0x78]) });
    expect(term.written).toEqual([]);
  });

  it('the shell exiting completes, a failure errors the observer; both dispose the listeners', () => {
    for (const end of ['complete', 'error'] as const) {
      const term = new FakeXterm();
      const far = remote();
      const seen: string[] = [];
      attachTerminal(term, far.open, {
        complete: () => seen.push('complete'),
        error: (e) => seen.push(String(e)),
      });
      if (end === 'complete') far.output().complete();
      else far.output().error(new Error('lost'));
      expect(seen).toEqual([end === 'complete' ? 'complete' : 'Error: lost']);
      expect(term.listeners.data.size + term.listeners.resize.size).toBe(0);
    }
  });

  it('with no error callback, a failure is reported as unhandled, not lost', () => {
    jest.useFakeTimers();
    try {
      const term = new FakeXterm();
      const failing = new Subject<TerminalEvent>();
      attachTerminal(term, () => failing);
      failing.error(new Error('nobody listened'));
      expect(() => jest.runAllTimers()).toThrow('nobody listened');
    } finally {
      jest.useRealTimers();
    }
  });
});
