import { Observable, type Subscriber } from 'rxjs';
import type { ExecIssue } from '../errors/exec-issue.js';
import { ExecNetworkError } from '../errors/exec-network-error.js';
import { ExecRequestError } from '../errors/exec-request-error.js';
import { isExecStreamError } from '../errors/exec-stream-error.js';
import {
  accessTokenAttempt,
  isUsableAccessToken,
  STRING_TOKEN_ISSUE,
} from '../tokens/access-token-attempt.js';
import { checkFilePath } from './check-file-path.js';
import {
  type ExecOptions,
  FILES_PATH,
  type ResolvedExecOptions,
  resolveExecOptions,
} from './exec-options.js';
import { readHttpError } from './read-http-error.js';
import { sendWithAccessToken } from './send-with-access-token.js';
import type { XmlHttpRequestConstructor } from './xml-http-request-like.js';

/** One file request, checked and ready to send (less its token). */
export interface FileRequest {
  /** The request, for messages: `GET /files` or `POST /files`. */
  readonly endpoint: 'GET /files' | 'POST /files';
  /** The URL with its query: `path` exactly as given, and `format`. */
  readonly url: string;
  /** Every header but `X-Access-Token`, which each try sets. */
  readonly headers: Headers;
  /** The resolved options. */
  readonly options: ResolvedExecOptions;
  /** The `XMLHttpRequest` to upload with, when there is one to use (browsers). */
  readonly xmlHttpRequest: XmlHttpRequestConstructor | undefined;
}

/**
 * Checks the path and the options before any I/O and builds the request: the path goes as the
 * `path` query parameter exactly, the token only in `X-Access-Token` (set per try), never in
 * the URL.
 *
 * @param method - `GET` or `POST`.
 * @param path - The sandbox path (absolute, no `..` segment, no NUL).
 * @param options - The caller's options.
 * @param format - `zip` or `json` for a directory.
 * @param issues - Issues found by the caller already (the content of a write).
 */
export function prepareFileRequest(
  method: 'GET' | 'POST',
  path: string,
  options: ExecOptions,
  format?: 'zip' | 'json',
  issues: ExecIssue[] = [],
): FileRequest | ExecRequestError {
  issues.push(...checkFilePath(path));
  const resolved = resolveExecOptions(options, FILES_PATH);
  if (!resolved.ok) issues.push(...resolved.issues);
  const value = resolved.ok ? resolved.value : undefined;
  if (typeof value?.accessToken === 'string' && !isUsableAccessToken(value.accessToken)) {
    issues.push({ path: 'accessToken', message: STRING_TOKEN_ISSUE });
  }
  if (value?.sandboxId !== undefined && !isUsableAccessToken(value.sandboxId)) {
    issues.push({ path: 'sandboxId', message: STRING_TOKEN_ISSUE });
  }
  let headers: Headers | undefined;
  try {
    headers = new Headers(options.headers);
  } catch (error) {
    issues.push({ path: 'headers', message: error instanceof Error ? error.message : String(error) });
  }
  if (issues.length > 0 || value === undefined || headers === undefined) return new ExecRequestError(issues);
  if (value.sandboxId !== undefined) headers.set('X-Superserve-Sandbox-Id', value.sandboxId);
  if (method === 'POST') headers.set('Content-Type', 'application/octet-stream');
  const url = new URL(value.url);
  url.searchParams.set('path', path);
  if (format !== undefined) url.searchParams.set('format', format);
  const xmlHttpRequest =
    options.xmlHttpRequest === null
      ? undefined
      : (options.xmlHttpRequest ??
        (options.fetch === undefined
          ? (globalThis as { XMLHttpRequest?: XmlHttpRequestConstructor }).XMLHttpRequest
          : undefined));
  return {
    endpoint: `${method} /files`,
    url: url.toString(),
    headers,
    options: value,
    xmlHttpRequest,
  };
}

/** What a GET's successful response is turned into. */
export type FileResponseHandler<T> = (
  response: Response,
  subscriber: Subscriber<T>,
  reading: { reader?: ReadableStreamDefaultReader<Uint8Array> },
) => Promise<void>;

/**
 * The transport of the read functions: one `GET /files` per subscription, the token refreshed
 * once through the provider on a 401 (a read can always be sent again), every non-2xx an
 * `ExecHttpError`, a failed fetch an `ExecNetworkError`, and the request aborted (and its body
 * cancelled) on unsubscription.
 *
 * @param path - The sandbox path.
 * @param options - The caller's options.
 * @param format - `zip` or `json`, for a directory.
 * @param handle - Turns the 2xx response into values.
 */
export function fileGet$<T>(
  path: string,
  options: ExecOptions,
  format: 'zip' | 'json' | undefined,
  handle: FileResponseHandler<T>,
): Observable<T> {
  return new Observable<T>((subscriber) => {
    const request = prepareFileRequest('GET', path, options, format);
    if (request instanceof ExecRequestError) {
      subscriber.error(request);
      return undefined;
    }
    const controller = new AbortController();
    const reading: { reader?: ReadableStreamDefaultReader<Uint8Array> } = {};
    const attempt = accessTokenAttempt(request.options.accessToken);
    sendWithAccessToken(subscriber, attempt, async (token) => {
      const response = await fetchFile(request, token, controller.signal, subscriber);
      if (response === undefined) return undefined;
      if (response.status < 200 || response.status > 299) {
        const error = await readHttpError(response, token, request.endpoint);
        if (response.status === 401) return error;
        if (!subscriber.closed) subscriber.error(error);
        return undefined;
      }
      await handle(response, subscriber, reading);
      return undefined;
    }).catch((error: unknown) => {
      if (!subscriber.closed) {
        subscriber.error(
          isExecStreamError(error) ? error : new ExecNetworkError('body', error, request.endpoint),
        );
      }
    });
    return () => {
      controller.abort();
      // An injected fetch may ignore the signal; cancelling the reader still releases the body.
      reading.reader?.cancel().catch(() => undefined);
    };
  });
}

/**
 * Sends one try, or reports its network failure and resolves `undefined`; a response that
 * comes after the subscriber left is cancelled.
 *
 * @param request - The prepared request.
 * @param token - This try's token.
 * @param signal - Aborts it.
 * @param subscriber - Where a failure goes.
 * @param init - The body of a write, and where its source's own failure is recorded: that
 *   failure, not fetch's, is what the subscriber gets when reading the source broke the upload.
 */
export async function fetchFile(
  request: FileRequest,
  token: string,
  signal: AbortSignal,
  subscriber: Subscriber<unknown>,
  init: { body?: ReadableStream<Uint8Array>; failure?: { error?: unknown } } = {},
): Promise<Response | undefined> {
  const headers = new Headers(request.headers);
  headers.set('X-Access-Token', token);
  let response: Response;
  try {
    // Never follow a redirect: fetch would re-send X-Access-Token to wherever it points. An
    // upload refuses one outright ('error': a network error) rather than 'manual': under any
    // other mode Node's fetch clones the request, teeing a streamed body, and the branch never
    // read keeps every byte sent (nodejs/undici#4058): a 1 GiB upload held 1 GiB.
    response = await request.options.fetch(request.url, {
      method: request.endpoint === 'GET /files' ? 'GET' : 'POST',
      headers,
      signal,
      redirect: init.body === undefined ? 'manual' : 'error',
      ...(init.body !== undefined && { body: init.body, duplex: 'half' }),
    } as RequestInit);
  } catch (error) {
    const failure = init.failure?.error;
    if (!subscriber.closed) {
      subscriber.error(failure ?? new ExecNetworkError('fetch', error, request.endpoint));
    }
    return undefined;
  }
  if (subscriber.closed) {
    response.body?.cancel().catch(() => undefined);
    return undefined;
  }
  return response;
}
