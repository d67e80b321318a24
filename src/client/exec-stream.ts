import { Observable, type Subscriber } from 'rxjs';
import { decodeExecFrame } from '../codec/decode-exec-events.js';
import { isLeft } from '../codec/either.js';
import type { ExecEvent } from '../codec/exec-event.js';
import { decodeExecRequest, type ExecRequest } from '../codec/exec-request.js';
import type { ExecDecodeError } from '../errors/exec-decode-error.js';
import type { ExecHttpError } from '../errors/exec-http-error.js';
import type { ExecIssue } from '../errors/exec-issue.js';
import { ExecNetworkError } from '../errors/exec-network-error.js';
import { ExecProtocolError } from '../errors/exec-protocol-error.js';
import { ExecRequestError } from '../errors/exec-request-error.js';
import { isExecStreamError } from '../errors/exec-stream-error.js';
import { createSseDecoder } from '../sse/create-sse-decoder.js';
import {
  accessTokenAttempt,
  isUsableAccessToken,
  STRING_TOKEN_ISSUE,
} from '../tokens/access-token-attempt.js';
import { type ExecOptions, type ResolvedExecOptions, resolveExecOptions } from './exec-options.js';
import { hasBodyStream } from './has-body-stream.js';
import { readHttpError } from './read-http-error.js';
import { sendWithAccessToken } from './send-with-access-token.js';

/** What a stream does with each decoded frame and with the body's end. */
export interface ExecStreamHandlers {
  /** One SSE message, decoded: its events, or why it could not be decoded. */
  readonly onFrame: (frame: ReadonlyArray<ExecEvent> | ExecDecodeError) => void;
  /** The body ended (the subscriber is still open). */
  readonly onEnd: () => void;
}

/**
 * The transport under `exec$` and `execEither$`: validates the request and options (nothing
 * is sent if they are invalid), sends one `POST /exec/stream` per subscription, turns every
 * failure before the stream into a typed error, decodes each SSE message and hands it to the
 * handlers, and aborts the request when the subscriber unsubscribes or closes.
 *
 * Errors with `ExecRequestError`, `ExecHttpError`, `ExecProtocolError` and `ExecNetworkError`.
 *
 * @param request - What to run.
 * @param options - Where and how to send it.
 * @param handle - Makes the message and end handlers for one subscriber.
 */
export function execStream$<T>(
  request: ExecRequest,
  options: ExecOptions,
  handle: (subscriber: Subscriber<T>) => ExecStreamHandlers,
): Observable<T> {
  return new Observable<T>((subscriber) => {
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
    const handlers = handle(subscriber);
    const exchange: Exchange = {
      options: resolved.value,
      body: JSON.stringify(decoded.right),
      headers,
      subscriber,
      handlers,
      signal: controller.signal,
      stream,
    };
    // A 401 comes before any event: the service refused before running anything, so the
    // request is safe to send again with the provider's replacement.
    sendWithAccessToken(subscriber, accessTokenAttempt(resolved.value.accessToken), (token) =>
      run(exchange, token),
    ).catch((error: unknown) => {
      // Whatever escaped (a fetch double whose body is locked, say) still ends the stream typed.
      if (!subscriber.closed) {
        subscriber.error(isExecStreamError(error) ? error : new ExecNetworkError('body', error));
      }
    });
    return () => {
      controller.abort();
      // An injected fetch may ignore the signal; cancelling the reader still releases the body.
      stream.reader?.cancel().catch(() => undefined);
    };
  });
}

/** One subscription's request, less its token, and where its outcome goes. */
interface Exchange {
  readonly options: ResolvedExecOptions;
  readonly body: string;
  /** Every header but `X-Access-Token`, which each try sets. */
  readonly headers: Headers;
  readonly subscriber: Subscriber<unknown>;
  readonly handlers: ExecStreamHandlers;
  readonly signal: AbortSignal;
  readonly stream: { reader: ReadableStreamDefaultReader<Uint8Array> | undefined };
}

function requestHeaders(options: ResolvedExecOptions, issues: ExecIssue[]): Headers | undefined {
  // A provider's tokens are checked as they come; a string is checked here, before anything is
  // sent, with the other options.
  const ownHeaders = {
    accessToken: typeof options.accessToken === 'string' ? options.accessToken : undefined,
    sandboxId: options.sandboxId,
  };
  for (const [path, value] of Object.entries(ownHeaders)) {
    // Not echoed: the token is a secret even when it is malformed.
    if (value !== undefined && !isUsableAccessToken(value)) {
      issues.push({ path, message: STRING_TOKEN_ISSUE });
    }
  }
  if (issues.length > 0) return undefined;
  try {
    const headers = new Headers(options.headers);
    headers.set('Content-Type', 'application/json');
    headers.set('Accept', 'text/event-stream');
    if (options.sandboxId !== undefined) headers.set('X-Superserve-Sandbox-Id', options.sandboxId);
    return headers;
  } catch (error) {
    issues.push({ path: 'headers', message: error instanceof Error ? error.message : String(error) });
    return undefined;
  }
}

/**
 * One try with one token: the whole exchange, or, on a 401, the error for it (its body read and
 * closed) for the caller to report or retry.
 */
async function run(exchange: Exchange, token: string): Promise<ExecHttpError | undefined> {
  const { options, body, subscriber, handlers, signal, stream } = exchange;
  const headers = new Headers(exchange.headers);
  headers.set('X-Access-Token', token);
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
    if (!subscriber.closed) subscriber.error(new ExecNetworkError('fetch', error));
    return undefined;
  }
  if (subscriber.closed) {
    response.body?.cancel().catch(() => undefined);
    return undefined;
  }
  // The status is decided before any event and wins over the content type.
  if (response.status < 200 || response.status > 299) {
    const error = await readHttpError(response, token);
    if (response.status === 401) return error;
    if (!subscriber.closed) subscriber.error(error);
    return undefined;
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
    handlers.onEnd();
    return;
  }
  if (!hasBodyStream(response)) {
    subscriber.error(
      new ExecProtocolError(
        'the fetch implementation gives no readable body stream (response.body.getReader); pass a streaming fetch',
      ),
    );
    return;
  }
  const reader = response.body.getReader();
  stream.reader = reader;
  const decoder = createSseDecoder({
    onData: (data) => handlers.onFrame(decodeExecFrame(data, token)),
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
    if (subscriber.closed) return;
  } catch (error) {
    if (subscriber.closed) return;
    reader.cancel().catch(() => undefined);
    subscriber.error(isExecStreamError(error) ? error : new ExecNetworkError('body', error));
    return;
  }
  handlers.onEnd();
}
