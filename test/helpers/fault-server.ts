import type { ServerResponse } from 'node:http';
import type { Observable } from 'rxjs';
import type { ExecOptions } from 'superserve-rx';
import { type Outcome, outcome } from './outcome';
import { waitFor } from './processes';
import { activeResources, expectBackToBaseline } from './resources';
import { markServerClosed, type RecordedRequest, startTestSseServer, type TestSseServer } from './sse-server';

/**
 * One step of a fault script. A script plays its steps in order for one request; when it runs
 * out without `end`, `destroy` or `stall`, the response is ended.
 */
export type FaultStep =
  | { readonly kind: 'head'; readonly status: number; readonly headers: Readonly<Record<string, string>> }
  | { readonly kind: 'write'; readonly bytes: Buffer; readonly chunk: number; readonly delayMs: number }
  | { readonly kind: 'pause'; readonly ms: number }
  | { readonly kind: 'forever'; readonly bytes: Buffer; readonly everyMs: number }
  | { readonly kind: 'end' }
  | { readonly kind: 'destroy' }
  | { readonly kind: 'stall' };

/** The steps a fault script is made of. */
export const step = {
  /** Sends the status line and headers at once. */
  head: (status: number, headers: Readonly<Record<string, string>> = {}): FaultStep => ({
    kind: 'head',
    status,
    headers,
  }),
  /** The SSE head: 200 with `text/event-stream`. */
  sseHead: (): FaultStep => step.head(200, { 'content-type': 'text/event-stream' }),
  /**
   * Writes `data` (text as UTF-8) in writes of `chunk` bytes, each waiting for the socket to
   * take the previous one and then `delayMs`: `chunk: 1` splits every CRLF and every
   * multi-byte character.
   */
  write: (data: string | Uint8Array, options: { chunk?: number; delayMs?: number } = {}): FaultStep => {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
    return {
      kind: 'write',
      bytes,
      chunk: options.chunk ?? (bytes.length || 1),
      delayMs: options.delayMs ?? 0,
    };
  },
  /** Waits `ms` (cut short if the client goes away). */
  pause: (ms: number): FaultStep => ({ kind: 'pause', ms }),
  /**
   * Writes `data` again and again until the client goes away: every `everyMs` (a keepalive),
   * or, with `everyMs: 0`, as fast as the client reads (an endless line or body).
   */
  forever: (data: string, everyMs = 0): FaultStep => ({
    kind: 'forever',
    bytes: Buffer.from(everyMs === 0 ? data.repeat(Math.max(1, Math.floor(65536 / data.length))) : data),
    everyMs,
  }),
  /** Ends the response cleanly (the chunked body's last chunk). */
  end: (): FaultStep => ({ kind: 'end' }),
  /** Cuts the connection at once: before any byte, mid-line, mid-event. */
  destroy: (): FaultStep => ({ kind: 'destroy' }),
  /** Sends nothing more and keeps the connection open until the client closes it. */
  stall: (): FaultStep => ({ kind: 'stall' }),
} as const;

/** A script, or a function that picks one per request (`index` counts from 0). */
export type FaultScript =
  ReadonlyArray<FaultStep> | ((request: RecordedRequest, index: number) => ReadonlyArray<FaultStep>);

/**
 * Starts a scripted HTTP server on 127.0.0.1, port 0, that plays a fault script for each
 * request and records each request, who closed it and when, and how many body bytes it wrote.
 * Always `close()` it.
 *
 * @example
 * ```ts
 * const server = await startFaultServer([step.sseHead(), step.write(frames({ stdout: 'a', timestamp: TS })), step.stall()]);
 * ```
 */
export function startFaultServer(script: FaultScript): Promise<TestSseServer> {
  let index = 0;
  return startTestSseServer((request, response) => {
    const steps = typeof script === 'function' ? script(request, index++) : script;
    // A write after the client went away reports an error we do not care about.
    response.on('error', () => undefined);
    void play(steps, request, response);
  });
}

async function play(
  steps: ReadonlyArray<FaultStep>,
  request: RecordedRequest,
  response: ServerResponse,
): Promise<void> {
  const gone = (): boolean => response.destroyed || response.writableEnded;
  for (const current of steps) {
    if (gone()) return;
    switch (current.kind) {
      case 'head':
        response.writeHead(current.status, current.headers);
        response.flushHeaders();
        break;
      case 'write':
        for (let at = 0; at < current.bytes.length && !gone(); at += current.chunk) {
          await write(response, request, current.bytes.subarray(at, at + current.chunk));
          if (current.delayMs > 0) await pause(response, current.delayMs);
        }
        break;
      case 'pause':
        await pause(response, current.ms);
        break;
      case 'forever':
        while (!gone()) {
          await write(response, request, current.bytes);
          if (current.everyMs > 0) await pause(response, current.everyMs);
        }
        return;
      case 'end':
        response.end();
        return;
      case 'destroy':
        markServerClosed(request);
        response.socket?.destroy();
        return;
      case 'stall':
        return;
    }
  }
  if (!gone()) response.end();
}

/** Writes and waits until the socket took the bytes (or the client went away). */
function write(response: ServerResponse, request: RecordedRequest, bytes: Buffer): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      response.off('close', done);
      resolve();
    };
    response.once('close', done);
    request.bytesWritten += bytes.length;
    response.write(bytes, () => done());
  });
}

/** Waits `ms`, or less if the response closes first; leaves no timer behind either way. */
function pause(response: ServerResponse, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      response.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    response.once('close', done);
  });
}

/** The token the fault server's clients send (it accepts any). */
export const FAULT_TOKEN = 'fault-token-7c2b9e41d05a';

/** How a run against a fault server went, and what the server saw. */
export interface FaultRun<T> extends Outcome<T> {
  /** The first request, closed. */
  readonly request: RecordedRequest;
  /** Every request, each closed. */
  readonly requests: ReadonlyArray<RecordedRequest>;
}

/**
 * Plays `script` on a fresh fault server, runs `observe` against it to its error or completion,
 * waits until the server saw every connection closed, closes the server, and checks that no
 * socket, server or timer is left beyond what was active before. Rejects if a connection stays
 * open or anything is left over.
 *
 * @param script - What the server does.
 * @param observe - The client pipeline under test, given `baseUrl` and `accessToken`.
 */
export async function runAgainstFaults<T>(
  script: FaultScript,
  observe: (options: ExecOptions) => Observable<T>,
): Promise<FaultRun<T>> {
  const baseline = activeResources();
  const server = await startFaultServer(script);
  let result: Outcome<T>;
  try {
    result = await outcome(observe({ baseUrl: server.url, accessToken: FAULT_TOKEN }));
    await waitFor(
      () => server.requests.every((request) => request.closedBy !== undefined),
      5000,
      'the server to see every connection closed',
    );
  } finally {
    await server.close();
  }
  await expectBackToBaseline(baseline);
  const [request] = server.requests;
  if (request === undefined) throw new Error('the fault server received no request');
  return { ...result, request, requests: server.requests };
}
