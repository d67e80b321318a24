import { asyncScheduler, Observable, type SchedulerLike, Subject, type Subscriber, throttleTime } from 'rxjs';
import { decodeFileWritten } from '../codec/file-written.js';
import type { ExecHttpError } from '../errors/exec-http-error.js';
import type { ExecIssue } from '../errors/exec-issue.js';
import { ExecNetworkError } from '../errors/exec-network-error.js';
import { ExecRequestError } from '../errors/exec-request-error.js';
import { isExecStreamError } from '../errors/exec-stream-error.js';
import { type AccessTokenAttempt, accessTokenAttempt } from '../tokens/access-token-attempt.js';
import type { ExecOptions } from './exec-options.js';
import { fetchFile, type FileRequest, prepareFileRequest } from './file-request.js';
import { httpErrorOf, readHttpError } from './read-http-error.js';
import { sendWithAccessToken } from './send-with-access-token.js';
import { type FileContent, type UploadBody, uploadBody } from './upload-body.js';

/** What `writeFile$` emits: progress as the bytes go out, then the service's reply. */
export type FileWriteEvent =
  | {
      /** Bytes went out. */
      readonly type: 'progress';
      /** Every byte sent so far: never decreasing; on the last progress event, all of them. */
      readonly sentBytes: number;
      /** The content's size, where it is known before sending (text, bytes, a `Blob`). */
      readonly totalBytes?: number;
    }
  | {
      /** The service has written the file: the last value. */
      readonly type: 'written';
      /** The path written, as the service cleaned it. */
      readonly path: string;
      /** The file's size in bytes. */
      readonly size: number;
    };

/** The shortest time between two `progress` events, in ms. */
export const PROGRESS_INTERVAL_MS = 50;

/**
 * Writes a file in the sandbox (created or truncated, its parents created): `progress` events
 * as the bytes go out (`sentBytes` never decreasing, at most one per 50 ms, `totalBytes` when
 * the size is known: text, bytes, a `Blob`), always a last one with every byte sent, then one
 * `written` with the service's `{path, size}`, then completion. Cold: one `POST /files` per
 * subscription; unsubscribing aborts it and cancels a stream being read.
 *
 * A `ReadableStream` or an `AsyncIterable` (a Node stream, `fs.createReadStream`) is read only
 * as fast as the request sends it: any size uploads in flat memory. In browsers, where `fetch`
 * cannot stream a request body, the upload goes through `XMLHttpRequest` for real progress (a
 * stream is gathered into a `Blob` first).
 *
 * Never sent again by itself, except once on a 401 with the provider's fresh token when the
 * content can be read again (text, bytes, a `Blob`); a write from a stream then ends with the
 * 401, its bytes being gone, and the provider has already been asked for the next one.
 * `retryOnExecFailed()` retries only an attempt that emitted nothing, before any byte was sent.
 *
 * Errors with `ExecRequestError` (a bad path, content or options: nothing is sent; or a stream
 * that gave something other than bytes), `ExecHttpError` (413 past 4 GiB, 507
 * `sandbox_storage_full`, 500 `create file: ...`, a refused token), `ExecNetworkError` (the
 * upload failed) and `ExecDecodeError` (a reply that is not `{path, size}`); a stream that
 * errors ends the write with its own error.
 *
 * @param path - The file's absolute path in the sandbox.
 * @param content - What to write.
 * @param options - Where and how to send the request.
 * @example
 * ```ts
 * writeFile$('/home/user/app/data.json', JSON.stringify(data), { accessToken })
 *   .subscribe((e) => e.type === 'progress' && console.log(`${e.sentBytes}/${e.totalBytes}`));
 * ```
 */
export function writeFile$(
  path: string,
  content: FileContent,
  options: ExecOptions = {},
): Observable<FileWriteEvent> {
  return writeWith$(path, content, options, asyncScheduler);
}

/**
 * {@link writeFile$} with the scheduler progress is timed by (a test's virtual time).
 *
 * @internal
 */
export function writeWith$(
  path: string,
  content: FileContent,
  options: ExecOptions,
  scheduler: SchedulerLike,
): Observable<FileWriteEvent> {
  return new Observable<FileWriteEvent>((subscriber) => {
    const prepared = uploadBody(content);
    const body = isUploadBody(prepared) ? prepared : undefined;
    const issues = body === undefined ? [prepared as ExecIssue] : [];
    const request = prepareFileRequest('POST', path, options, undefined, issues);
    if (request instanceof ExecRequestError || body === undefined) {
      subscriber.error(request instanceof ExecRequestError ? request : new ExecRequestError(issues));
      return undefined;
    }
    const controller = new AbortController();
    const progress = createProgress(subscriber, body.totalBytes, scheduler);
    const attempt = accessTokenAttempt(request.options.accessToken);
    const upload: Upload = { request, body, progress, signal: controller.signal, subscriber, attempt };
    sendWithAccessToken(subscriber, attempt, (token) => sendOnce(upload, token)).catch((error: unknown) => {
      if (!subscriber.closed) {
        subscriber.error(
          isExecStreamError(error) ? error : new ExecNetworkError('fetch', error, 'POST /files'),
        );
      }
    });
    return () => {
      controller.abort();
      progress.stop();
      // Node's fetch goes on pulling a body after an abort: the source is cancelled here.
      body.cancel();
    };
  });
}

function isUploadBody(value: UploadBody | ExecIssue): value is UploadBody {
  return 'stream' in value;
}

/** One subscription's write. */
interface Upload {
  readonly request: FileRequest;
  readonly body: UploadBody;
  readonly progress: Progress;
  readonly signal: AbortSignal;
  readonly subscriber: Subscriber<FileWriteEvent>;
  readonly attempt: AccessTokenAttempt;
}

/** One try: the 401's error to retry with a fresh token, or `undefined` once handled. */
async function sendOnce(upload: Upload, token: string): Promise<ExecHttpError | undefined> {
  const { request, subscriber } = upload;
  const answer =
    request.xmlHttpRequest === undefined ? await viaFetch(upload, token) : await viaXhr(upload, token);
  if (answer === undefined || subscriber.closed) return undefined;
  if (answer.status < 200 || answer.status > 299) {
    const error = answer.error;
    if (answer.status === 401 && upload.body.resendable) return error;
    if (answer.status === 401) {
      // The bytes of a stream are gone: no second try, but the next write gets a fresh token.
      await upload.attempt.refresh(token).catch(() => undefined);
    }
    if (!subscriber.closed) subscriber.error(error);
    return undefined;
  }
  const decoded = decodeFileWritten(answer.text);
  if (decoded._tag === 'Left') {
    subscriber.error(decoded.left);
    return undefined;
  }
  upload.progress.finish(decoded.right, answer.sentBytes);
  return undefined;
}

/** A try's answer: the reply's text, or a refusal's error, and how many bytes this try sent. */
type Answer = {
  readonly status: number;
  readonly text: string;
  readonly error: ExecHttpError;
  readonly sentBytes: number;
};

async function viaFetch(upload: Upload, token: string): Promise<Answer | undefined> {
  const { request, body, progress, signal, subscriber } = upload;
  let sent = 0;
  const stream = body.stream((bytes) => progress.sent((sent += bytes)));
  const response = await fetchFile(request, token, signal, subscriber, {
    body: stream,
    failure: body.failure,
  });
  if (response === undefined) return undefined;
  if (response.status >= 200 && response.status <= 299) {
    return {
      status: response.status,
      text: await response.text(),
      error: undefined as never,
      sentBytes: sent,
    };
  }
  const error = await readHttpError(response, token, request.endpoint);
  return { status: response.status, text: '', error, sentBytes: sent };
}

async function viaXhr(upload: Upload, token: string): Promise<Answer | undefined> {
  const { request, body, progress, signal, subscriber } = upload;
  let content: Uint8Array | Blob;
  try {
    content = await body.whole();
  } catch (error) {
    if (!subscriber.closed) subscriber.error(error);
    return undefined;
  }
  if (subscriber.closed) return undefined;
  const xhr = new request.xmlHttpRequest!();
  return new Promise<Answer | undefined>((resolve) => {
    const onAbort = (): void => {
      xhr.abort();
      resolve(undefined);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    xhr.open('POST', request.url);
    request.headers.forEach((value, name) => xhr.setRequestHeader(name, value));
    xhr.setRequestHeader('X-Access-Token', token);
    xhr.upload.onprogress = (event) => progress.sent(event.loaded);
    xhr.onload = () => {
      signal.removeEventListener('abort', onAbort);
      const text = xhr.responseText;
      resolve({
        status: xhr.status,
        text,
        sentBytes: content instanceof Uint8Array ? content.byteLength : content.size,
        error: httpErrorOf({
          status: xhr.status,
          text,
          retryAfter: xhr.getResponseHeader('retry-after'),
          secret: token,
          endpoint: request.endpoint,
        }),
      });
    };
    xhr.onerror = () => {
      signal.removeEventListener('abort', onAbort);
      if (!subscriber.closed) {
        subscriber.error(new ExecNetworkError('fetch', new Error('XMLHttpRequest failed'), request.endpoint));
      }
      resolve(undefined);
    };
    xhr.send(content);
  });
}

/** The progress of one subscription's write, across its tries. */
interface Progress {
  /** This try has handed over `sentBytes` in all. */
  sent(sentBytes: number): void;
  /** The service replied: the last progress (every byte sent), then `written`, then completion. */
  finish(reply: { path: string; size: number }, sentBytes: number): void;
  stop(): void;
}

function createProgress(
  subscriber: Subscriber<FileWriteEvent>,
  totalBytes: number | undefined,
  scheduler: SchedulerLike,
): Progress {
  const counts = new Subject<number>();
  let highest = -1;
  let reply: { path: string; size: number } | undefined;
  const push = (bytes: number): void => {
    // A second try (after a 401) counts from zero again: nothing below what was shown is shown.
    if (bytes <= highest) return;
    highest = bytes;
    counts.next(bytes);
  };
  const subscription = counts
    .pipe(throttleTime(PROGRESS_INTERVAL_MS, scheduler, { leading: true, trailing: true }))
    .subscribe({
      next: (sentBytes) =>
        subscriber.next({ type: 'progress', sentBytes, ...(totalBytes !== undefined && { totalBytes }) }),
      complete: () => {
        if (reply === undefined) return;
        subscriber.next({ type: 'written', path: reply.path, size: reply.size });
        subscriber.complete();
      },
    });
  return {
    sent: push,
    finish(written, sentBytes) {
      reply = written;
      // The last progress holds every byte sent: an empty write gets one too, and a count the
      // throttle still holds comes out when its 50 ms are up, before `written`.
      push(sentBytes);
      counts.complete();
    },
    stop: () => subscription.unsubscribe(),
  };
}
