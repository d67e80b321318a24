import type { ExecIssue } from '../errors/exec-issue.js';
import { ExecRequestError } from '../errors/exec-request-error.js';

/** What `writeFile$` writes: text (sent as UTF-8), bytes, a `Blob`, or a stream of bytes. */
export type FileContent = string | Uint8Array | Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** The most bytes handed to the request at once from content already in memory. */
export const UPLOAD_CHUNK_BYTES = 1024 * 1024;

/** One write's content, ready to be sent (again, where it can be). */
export interface UploadBody {
  /** The size, where it is known before sending (text, bytes, a `Blob`). */
  readonly totalBytes: number | undefined;
  /** Whether the content can be read again for a second try (not from a stream). */
  readonly resendable: boolean;
  /**
   * The content as a request body for one try, read only as the request pulls it
   * (`highWaterMark` 0: nothing is read before the request asks), reporting each chunk handed
   * over.
   *
   * @param onPulled - Called with each chunk's size as the request takes it.
   */
  stream(onPulled: (bytes: number) => void): ReadableStream<Uint8Array>;
  /** The content whole, for an `XMLHttpRequest` (a stream is gathered into a `Blob`). */
  whole(): Promise<Uint8Array | Blob>;
  /** The source's own error, or a bad chunk's `ExecRequestError`, once reading it failed. */
  readonly failure: { error?: unknown };
  /** Cancels the source, if reading it began (a stream handed over but never read is left as is). */
  cancel(): void;
}

/**
 * Wraps a {@link FileContent} for sending, or says why it cannot be sent.
 *
 * @param content - What the caller gave.
 */
export function uploadBody(content: unknown): UploadBody | ExecIssue {
  if (typeof content === 'string') return bytesBody(new TextEncoder().encode(content));
  if (content instanceof Uint8Array) return bytesBody(content);
  if (typeof Blob !== 'undefined' && content instanceof Blob) return blobBody(content);
  if (isReadableStream(content)) return pulledBody(() => readerChunks(content.getReader()), undefined);
  if (isAsyncIterable(content)) {
    return pulledBody(() => iteratorChunks(content[Symbol.asyncIterator]()), undefined);
  }
  return {
    path: 'content',
    message: `expected a string, a Uint8Array, a Blob, a ReadableStream or an AsyncIterable, got ${describe(content)}`,
  };
}

function bytesBody(bytes: Uint8Array): UploadBody {
  return {
    totalBytes: bytes.byteLength,
    resendable: true,
    failure: {},
    stream(onPulled) {
      let offset = 0;
      return new ReadableStream<Uint8Array>(
        {
          pull(controller) {
            if (offset >= bytes.byteLength) return controller.close();
            const chunk = bytes.subarray(offset, offset + UPLOAD_CHUNK_BYTES);
            offset += chunk.byteLength;
            onPulled(chunk.byteLength);
            controller.enqueue(chunk);
          },
        },
        { highWaterMark: 0 },
      );
    },
    whole: () => Promise.resolve(bytes),
    cancel: () => undefined,
  };
}

function blobBody(blob: Blob): UploadBody {
  let current: Chunks | undefined;
  const body = pulledBody(() => (current = readerChunks(blob.stream().getReader())), blob.size);
  return {
    ...body,
    resendable: true,
    whole: () => Promise.resolve(blob),
    cancel: () => current?.cancel(),
  };
}

/** A source read one chunk at a time. */
interface Chunks {
  next(): Promise<Uint8Array | undefined>;
  cancel(): void;
}

function pulledBody(open: () => Chunks, totalBytes: number | undefined): UploadBody {
  let source: Chunks | undefined;
  const failure: { error?: unknown } = {};
  const opened = (): Chunks => (source ??= open());
  return {
    totalBytes,
    resendable: false,
    failure,
    stream(onPulled) {
      // A Blob is opened anew for each try; a stream, once.
      if (totalBytes !== undefined) source = undefined;
      // Once the request has taken a chunk, the next one is read while it sends that one (a
      // file read and a socket write at the same time); never before the first pull, so that a
      // request that fails to connect has read nothing of a stream, and a retry loses nothing.
      let ahead: Promise<Uint8Array | undefined> | undefined;
      return new ReadableStream<Uint8Array>(
        {
          async pull(controller) {
            try {
              const chunk = await (ahead ?? opened().next());
              ahead = undefined;
              if (chunk === undefined) return controller.close();
              onPulled(chunk.byteLength);
              controller.enqueue(chunk);
              ahead = opened().next();
              // Its failure is reported by the pull that awaits it, not as an unhandled rejection.
              ahead.catch(() => undefined);
            } catch (error) {
              failure.error = error;
              controller.error(error);
            }
          },
          cancel: () => source?.cancel(),
        },
        { highWaterMark: 0 },
      );
    },
    async whole() {
      // XMLHttpRequest cannot stream a body: a stream is gathered into a Blob (which browsers
      // may keep on disk) and sent whole.
      const parts: Uint8Array[] = [];
      for (let chunk = await opened().next(); chunk !== undefined; chunk = await opened().next()) {
        parts.push(chunk);
      }
      return new Blob(parts as BlobPart[]);
    },
    cancel: () => source?.cancel(),
  };
}

function readerChunks(reader: ReadableStreamDefaultReader<Uint8Array>): Chunks {
  return {
    async next() {
      const { done, value } = await reader.read();
      return done ? undefined : checkedChunk(value);
    },
    cancel: () => void reader.cancel().catch(() => undefined),
  };
}

function iteratorChunks(iterator: AsyncIterator<Uint8Array>): Chunks {
  return {
    async next() {
      const { done, value } = await iterator.next();
      return done === true ? undefined : checkedChunk(value);
    },
    cancel: () => void Promise.resolve(iterator.return?.()).catch(() => undefined),
  };
}

function checkedChunk(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  throw new ExecRequestError([
    { path: 'content', message: `a stream gave ${describe(value)}, expected Uint8Array chunks` },
  ]);
}

function isReadableStream(value: unknown): value is ReadableStream<Uint8Array> {
  return typeof (value as { getReader?: unknown } | null)?.getReader === 'function';
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof (value as { [Symbol.asyncIterator]?: unknown } | null)?.[Symbol.asyncIterator] === 'function';
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return `a value of type ${typeof value}`;
  return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
}
