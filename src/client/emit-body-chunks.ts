import { ExecNetworkError } from '../errors/exec-network-error.js';
import type { FileResponseHandler } from './file-request.js';
import { hasBodyStream } from './has-body-stream.js';

/**
 * Emits a response body's chunks as they arrive, never gathering them, then completes; a body
 * that breaks off errors with `ExecNetworkError` (`phase: 'body'`).
 *
 * @param endpoint - The request, for messages.
 * @param ready - Awaited before each read: a consumer that writes to a slow disk holds the body
 *   (and so the connection) back until it has caught up, instead of piling chunks in memory.
 */
export function emitBodyChunks(
  endpoint: 'GET /files',
  ready?: () => Promise<void>,
): FileResponseHandler<Uint8Array> {
  return async (response, subscriber, reading) => {
    if (response.body === null) return subscriber.complete();
    if (!hasBodyStream(response)) {
      // A fetch polyfill that buffers: its one buffer is the only chunk there is.
      subscriber.next(new Uint8Array(await response.arrayBuffer()));
      return subscriber.complete();
    }
    const reader = response.body.getReader();
    reading.reader = reader;
    try {
      for (;;) {
        if (ready !== undefined) await ready();
        if (subscriber.closed) return;
        const { done, value } = await reader.read();
        if (subscriber.closed) return;
        if (done) break;
        subscriber.next(value);
      }
    } catch (error) {
      if (subscriber.closed) return;
      reader.cancel().catch(() => undefined);
      return subscriber.error(new ExecNetworkError('body', error, endpoint));
    }
    subscriber.complete();
  };
}
