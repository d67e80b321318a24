import { isLeft, right, type Either } from 'fp-ts/lib/Either.js';
import { Observable, type Subscriber } from 'rxjs';
import { decodeExecEvents } from '../codec/decode-exec-events.js';
import type { ExecEvent, FailedEvent } from '../codec/exec-event.js';
import { decodeExecRequest, type ExecRequest } from '../codec/exec-request.js';
import type { ExecDecodeError } from '../errors/exec-decode-error.js';
import type { ExecIssue } from '../errors/exec-issue.js';
import { ExecNetworkError } from '../errors/exec-network-error.js';
import { ExecProtocolError } from '../errors/exec-protocol-error.js';
import { ExecRequestError } from '../errors/exec-request-error.js';
import { isExecStreamError } from '../errors/exec-stream-error.js';
import { createSseDecoder } from '../sse/create-sse-decoder.js';
import { type ExecOptions, type ResolvedExecOptions, resolveExecOptions } from './exec-options.js';
import { readHttpError } from './read-http-error.js';
import { redactSecret } from './redact-secret.js';

/**
 * Runs a command in the sandbox and streams its events, each as an `Either`: a `Right` per
 * decoded event (`failed` included, as a value) and a `Left` per frame that could not be
 * decoded, after which the stream goes on. Completes when the response body ends.
 *
 * Cold: every subscription sends one `POST /exec/stream`, so every subscription runs the
 * command again (use `share()` to run it once for several consumers). Unsubscribing aborts
 * the request, and the service then kills the command.
 *
 * Errors with `ExecRequestError` (invalid request or options: no request is sent),
 * `ExecHttpError` (non-2xx), `ExecProtocolError` (2xx that is not `text/event-stream`, or an
 * SSE line over the cap) and `ExecNetworkError` (fetch or body read failed).
 *
 * @param request - What to run.
 * @param options - Where and how to send it.
 * @example
 * ```ts
 * import { isRight } from 'fp-ts/lib/Either.js';
 * import { filter, map } from 'rxjs';
 *
 * execEither$({ command: 'ls' }, { accessToken })
 *   .pipe(filter(isRight), map((e) => e.right))
 *   .subscribe((event) => console.log(event));
 * ```
 */
export function execEither$(
  request: ExecRequest,
  options: ExecOptions = {},
): Observable<Either<ExecDecodeError, ExecEvent>> {
  return new Observable((subscriber) => {
    const decoded = decodeExecRequest(request);
    const resolved = resolveExecOptions(options);
    const issues: ExecIssue[] = [
      ...(isLeft(decoded) ? decoded.left : []),
      ...(resolved.ok ? [] : resolved.issues),
    ];
    const headers = resolved.ok ? requestHeaders(resolved.value, issues) : undefined;
    if (isLeft(decoded) || !resolved.ok || headers === undefined || issues.length > 0) {
      subscriber.error(new ExecRequestError(issues));
      return undefined;
    }
    const controller = new AbortController();
    const stream = { reader: undefined as ReadableStreamDefaultReader<Uint8Array> | undefined };
    void run(resolved.value, JSON.stringify(decoded.right), headers, subscriber, controller.signal, stream);
    return () => {
      controller.abort();
      // An injected fetch may ignore the signal; cancelling the reader still releases the body.
      stream.reader?.cancel().catch(() => undefined);
    };
  });
}

function requestHeaders(options: ResolvedExecOptions, issues: ExecIssue[]): Headers | undefined {
  if (!/^[\x21-\x7e]+$/.test(options.accessToken)) {
    // Not echoed: the token is a secret even when it is malformed.
    issues.push({ path: 'accessToken', message: 'must be printable ASCII with no spaces' });
    return undefined;
  }
  let headers: Headers;
  try {
    headers = new Headers(options.headers);
  } catch (error) {
    issues.push({ path: 'headers', message: error instanceof Error ? error.message : String(error) });
    return undefined;
  }
  headers.set('Content-Type', 'application/json');
  headers.set('Accept', 'text/event-stream');
  headers.set('X-Access-Token', options.accessToken);
  if (options.sandboxId !== undefined) headers.set('X-Superserve-Sandbox-Id', options.sandboxId);
  return headers;
}

async function run(
  options: ResolvedExecOptions,
  body: string,
  headers: Headers,
  subscriber: Subscriber<Either<ExecDecodeError, ExecEvent>>,
  signal: AbortSignal,
  stream: { reader: ReadableStreamDefaultReader<Uint8Array> | undefined },
): Promise<void> {
  let response: Response;
  try {
    // Never follow a redirect: fetch would re-send X-Access-Token to wherever it points, another
    // origin included (only `Authorization` is dropped there). A 3xx is an ExecHttpError instead.
    response = await options.fetch(options.url, {
      method: 'POST',
      headers,
      body,
      signal,
      redirect: 'manual',
    });
  } catch (error) {
    if (!subscriber.closed) subscriber.error(new ExecNetworkError('fetch failed', error));
    return;
  }
  if (subscriber.closed) {
    response.body?.cancel().catch(() => undefined);
    return;
  }
  // The status is decided before any event and wins over the content type.
  if (response.status < 200 || response.status > 299) {
    const error = await readHttpError(response, options.accessToken);
    if (!subscriber.closed) subscriber.error(error);
    return;
  }
  const contentType = response.headers.get('content-type') ?? '';
  if (!/^\s*text\/event-stream\s*(;|$)/i.test(contentType)) {
    response.body?.cancel().catch(() => undefined);
    subscriber.error(
      new ExecProtocolError(
        `POST /exec/stream answered ${response.status} with ${contentType ? `content type ${contentType}` : 'no content type'}, expected text/event-stream`,
      ),
    );
    return;
  }
  if (response.body === null) {
    subscriber.complete();
    return;
  }
  const reader = response.body.getReader();
  stream.reader = reader;
  const secret = options.accessToken;
  const decoder = createSseDecoder({
    onData: (data) => {
      let events = decodeExecEvents(data);
      // A bad frame that echoes the token must not carry it into an error, whose message may
      // quote the frame (JSON.parse does): decode it again with the token redacted.
      if (isLeft(events) && data.includes(secret)) events = decodeExecEvents(redactSecret(data, secret));
      if (isLeft(events)) {
        subscriber.next(events);
        return;
      }
      for (const event of events.right) {
        if (subscriber.closed) return;
        subscriber.next(right(event.type === 'failed' ? failedWithoutSecret(event, secret) : event));
      }
    },
    ...(options.maxEventLength !== undefined && { maxEventLength: options.maxEventLength }),
  });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (subscriber.closed) return;
      if (done) break;
      decoder.push(value);
    }
    decoder.end();
  } catch (error) {
    if (subscriber.closed) return;
    reader.cancel().catch(() => undefined);
    subscriber.error(
      isExecStreamError(error) ? error : new ExecNetworkError('reading the response body failed', error),
    );
    return;
  }
  subscriber.complete();
}

/** The could-not-run event with the token redacted from its text: it becomes an error message. */
function failedWithoutSecret(event: FailedEvent, secret: string): FailedEvent {
  return {
    ...event,
    message: redactSecret(event.message, secret),
    ...(event.code !== undefined && { code: redactSecret(event.code, secret) }),
  };
}
