import { asyncScheduler, isObservable, type Observable, Subscription } from 'rxjs';
import { ExecProtocolError } from '../errors/exec-protocol-error.js';
import { ExecRequestError } from '../errors/exec-request-error.js';
import { createStdinEncoder, type StdinEncoder } from '../session/create-stdin-encoder.js';

/** What a session's stdin can be: pushed (an Observable) or pulled (an iterable or a stream). */
export type ExecStdin =
  Observable<string | Uint8Array> | AsyncIterable<string | Uint8Array> | ReadableStream<Uint8Array>;

/** Where the pump sends frames, and how much is still unsent there. */
export interface StdinSink {
  /** Sends (or queues, before the socket opens) one frame. */
  send(frame: Uint8Array | string): void;
  /** The bytes sent and not yet on the network. */
  unsent(): number;
}

/** How the pump paces itself. */
export interface StdinPumpConfig {
  /** A pulled source is read only while {@link StdinSink.unsent} is at or below this. */
  readonly highWaterMark: number;
  /** A pushed source whose unsent bytes pass this fails the session. */
  readonly maxBuffered: number;
  /** Ends the session with this error (the source's own, or why the pump gave up). */
  readonly onError: (error: unknown) => void;
  /**
   * How chunks become frames.
   * @defaultValue `/exec/connect`'s: `[0x00]` and at most 32 KiB
   */
  readonly encoder?: StdinEncoder;
  /**
   * The frame that ends the input, sent when the source completes (or at once when there is no
   * source); `null` for none (a terminal has no end of input).
   * @defaultValue {@link STDIN_CLOSE_FRAME}
   */
  readonly endFrame?: string | null;
  /**
   * What the input is called in errors.
   * @defaultValue `stdin`
   */
  readonly name?: string;
}

/** A running pump. */
export interface StdinPump {
  /** For a pulled source: starts pulling (call once the socket is open). */
  open(): void;
  /**
   * Stops reading the source and releases it (unsubscribes, cancels, returns the iterator and
   * destroys a Node stream, even one waiting for data).
   */
  stop(): void;
}

/** How often a pulled source re-checks the socket while it is over the high-water mark. */
const DRAIN_POLL_MS = 1;

/** The end of stdin, as the service reads it. */
export const STDIN_CLOSE_FRAME = JSON.stringify({ type: 'stdin_close' });

/**
 * Feeds a session's stdin to its socket, ending with `stdin_close`; no source at all is EOF at
 * once, so that commands reading stdin never hang. An Observable is subscribed at once and
 * pushes (its frames queue until the socket opens); past `maxBuffered` unsent bytes the session
 * fails with `ExecProtocolError`. An `AsyncIterable` or a `ReadableStream` is pulled only once
 * the socket is open and only while the socket's unsent bytes are at or below the high-water
 * mark: backpressure, so that piping any size keeps memory flat.
 *
 * @param source - The caller's stdin, if any.
 * @param sink - The socket.
 * @param config - High-water mark, cap and where errors go.
 */
export function startStdinPump(
  source: ExecStdin | undefined,
  sink: StdinSink,
  config: StdinPumpConfig,
): StdinPump {
  const encoder = config.encoder ?? createStdinEncoder();
  const endFrame = config.endFrame === undefined ? STDIN_CLOSE_FRAME : config.endFrame;
  const name = config.name ?? 'stdin';
  let stopped = false;
  const sendChunk = (chunk: unknown): boolean => {
    if (typeof chunk !== 'string' && !isBytes(chunk)) {
      config.onError(
        new ExecRequestError([
          { path: name, message: `expected strings or Uint8Arrays, got ${kindOf(chunk)}` },
        ]),
      );
      return false;
    }
    for (const frame of encoder.encode(chunk)) sink.send(frame);
    return true;
  };
  const end = (): void => {
    for (const frame of encoder.end()) sink.send(frame);
    if (endFrame !== null) sink.send(endFrame);
  };

  if (source === undefined) {
    return { open: end, stop: () => undefined };
  }
  if (isObservable(source)) {
    // Added to once subscribed: a synchronous source that fails (gives up) inside subscribe()
    // closes this first, and then its subscription is unsubscribed the moment it is added.
    const subscription = new Subscription();
    /** Stops taking chunks once the session has failed or ended. */
    const giveUp = (): void => {
      stopped = true;
      subscription.unsubscribe();
    };
    subscription.add(
      source.subscribe({
        next: (chunk) => {
          if (stopped) return;
          if (!sendChunk(chunk)) return giveUp();
          if (sink.unsent() > config.maxBuffered) {
            giveUp();
            config.onError(
              new ExecProtocolError(
                `${name}: the Observable pushed more than ${config.maxBuffered} bytes the socket has not sent yet ` +
                  `(options.maxBufferedStdinBytes); pass ${name} as an AsyncIterable or a ReadableStream, which are read only as fast as the socket sends`,
              ),
            );
          }
        },
        error: (error: unknown) => {
          if (!stopped) config.onError(error);
        },
        complete: () => {
          if (!stopped) end();
        },
      }),
    );
    return { open: () => undefined, stop: giveUp };
  }

  const next = pullerOf(source);
  const pull = async (): Promise<void> => {
    for (;;) {
      while (sink.unsent() > config.highWaterMark) {
        await new Promise<void>((resolve) => asyncScheduler.schedule(() => resolve(), DRAIN_POLL_MS));
        if (stopped) return;
      }
      const result = await next.read();
      if (stopped) return;
      if (result.done) break;
      if (!sendChunk(result.value)) return;
    }
    end();
  };
  return {
    open: () => {
      pull().catch((error: unknown) => {
        if (!stopped) config.onError(error);
      });
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      next.release();
    },
  };
}

/** One way of reading a pulled source, whichever kind it is. */
function pullerOf(source: AsyncIterable<unknown> | ReadableStream<unknown>): {
  read(): Promise<IteratorResult<unknown>>;
  release(): void;
} {
  if (typeof (source as ReadableStream<unknown>).getReader === 'function') {
    let reader: ReadableStreamDefaultReader<unknown> | undefined;
    return {
      read: () => {
        reader ??= (source as ReadableStream<unknown>).getReader();
        return reader.read() as Promise<IteratorResult<unknown>>;
      },
      release: () => void reader?.cancel().catch(() => undefined),
    };
  }
  let iterator: AsyncIterator<unknown> | undefined;
  return {
    read: () => {
      iterator ??= (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
      return iterator.next();
    },
    release: () => {
      // Leaving a for-await loop early: the iterable may release what it holds (a Node stream is destroyed).
      void Promise.resolve(iterator?.return?.()).catch(() => undefined);
      // But an async generator, a Node stream's iterator among them, runs return() only after a
      // pending next(): a stream waiting for data (a terminal's stdin) would stay open, holding
      // the process, and swallow its next chunk. Streams say how to end them now.
      const stream = source as { destroy?: unknown };
      if (typeof stream.destroy === 'function') (stream.destroy as () => void).call(source);
    },
  };
}

/** Whether a stdin source is of a kind the pump can read. */
export function isStdinSource(value: unknown): value is ExecStdin {
  if (typeof value !== 'object' || value === null) return false;
  return (
    isObservable(value) ||
    typeof (value as ReadableStream<unknown>).getReader === 'function' ||
    typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function'
  );
}

// By tag, not instanceof: Node's Buffers and other realms' arrays are Uint8Arrays too.
function isBytes(value: unknown): value is Uint8Array {
  return ArrayBuffer.isView(value) && Object.prototype.toString.call(value) === '[object Uint8Array]';
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  return typeof value === 'object' ? ((value as object).constructor?.name ?? 'object') : typeof value;
}
