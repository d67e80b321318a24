import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';

/** One request the test server received. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** Resolves when the exchange is over: the response ended, or the connection closed. */
  closed: Promise<void>;
  /**
   * Who ended the exchange, once `closed` has resolved: `server` when the response was ended or
   * the server cut the connection (see {@link markServerClosed}), `client` when the client
   * closed the connection before the response was over.
   */
  closedBy: 'client' | 'server' | undefined;
  /** When the exchange ended (`performance.now()`), once `closed` has resolved. */
  closedAt: number | undefined;
  /** Body bytes the server wrote (accepted by the socket) on this response. */
  bytesWritten: number;
}

/** A small SSE server on 127.0.0.1, port 0, answering each request with `handler`. */
export interface TestSseServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * Starts an HTTP server whose handler writes whatever the test wants and records requests
 * and when each connection closed. Always `close()` it.
 */
export async function startTestSseServer(
  handler: (request: RecordedRequest, response: ServerResponse) => void,
): Promise<TestSseServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let markClosed: () => void = () => undefined;
    const closed = new Promise<void>((resolve) => {
      markClosed = resolve;
    });
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: '',
      closed,
      closedBy: undefined,
      closedAt: undefined,
      bytesWritten: 0,
    };
    res.on('close', () => {
      recorded.closedBy ??= res.writableFinished ? 'server' : 'client';
      recorded.closedAt = performance.now();
      markClosed();
    });
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      recorded.body = Buffer.concat(chunks).toString('utf8');
      requests.push(recorded);
      handler(recorded, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Records that the server, not the client, is about to cut the connection of `request`. */
export function markServerClosed(request: RecordedRequest): void {
  request.closedBy ??= 'server';
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export function unusedPort(): Promise<number> {
  return new Promise<number>((resolve) => {
    const probe = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
