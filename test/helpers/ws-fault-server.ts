import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';

/** One frame a client sent, as the server saw it. */
export interface ReceivedFrame {
  readonly binary: boolean;
  readonly data: Buffer;
}

/** One connection to the fault server: what came in, and the socket to script. */
export interface FaultConnection {
  /** The raw socket, to send any frame sequence, close with any code, or drop. */
  readonly ws: WebSocket;
  /** The handshake request (its headers and URL). */
  readonly request: IncomingMessage;
  /** Every frame the client sent, in order. */
  readonly received: ReceivedFrame[];
  /** Resolves with the next frame the client sends (or the first not yet taken). */
  nextFrame(): Promise<ReceivedFrame>;
  /** Resolves when the client's socket closed, with the code it closed with (1006 when dropped). */
  readonly closed: Promise<number>;
}

/** How the fault server answers a handshake. */
export type FaultHandshake =
  | { readonly accept: true; readonly protocol?: string }
  | {
      readonly accept: false;
      readonly status: number;
      readonly body: string;
      readonly headers?: Record<string, string>;
    };

/** A scripted `/exec/connect` peer for the session client's failure paths. */
export interface WsFaultServer {
  /** `http://127.0.0.1:<port>`: pass it as `baseUrl`. */
  readonly url: string;
  /** Every connection so far. */
  readonly connections: FaultConnection[];
  /** Resolves with the next connection (or the first not yet taken). */
  nextConnection(): Promise<FaultConnection>;
  /** Closes every connection and the server. */
  close(): Promise<void>;
}

/**
 * Starts a WebSocket server on 127.0.0.1, port 0, whose handshake answer is `handshake` (by
 * default: accept, echoing `superserve.exec.v1`) and whose connections the test scripts.
 *
 * @param handshake - How to answer each handshake.
 */
export async function startWsFaultServer(
  handshake: (request: IncomingMessage) => FaultHandshake = () => ({ accept: true }),
): Promise<WsFaultServer> {
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (protocols) =>
      ['superserve.exec.v1', 'superserve.terminal.v1'].find((name) => protocols.has(name)) ?? false,
  });
  const connections: FaultConnection[] = [];
  let taken = 0;
  const waiting: Array<(connection: FaultConnection) => void> = [];
  const server: Server = createServer((_request, response) => response.writeHead(426).end());
  const sockets = new Set<Duplex>();
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const answer = handshake(request);
    if (!answer.accept) {
      const headers = Object.entries(answer.headers ?? {})
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('');
      socket.end(
        `HTTP/1.1 ${answer.status} Refused\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(answer.body)}\r\n${headers}\r\n${answer.body}`,
      );
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const received: ReceivedFrame[] = [];
      let read = 0;
      const frameWaiters: Array<(frame: ReceivedFrame) => void> = [];
      ws.on('message', (data: RawData, binary: boolean) => {
        const frame = { binary, data: data as Buffer };
        received.push(frame);
        const waiter = frameWaiters.shift();
        if (waiter !== undefined) {
          read++;
          waiter(frame);
        }
      });
      ws.on('error', () => undefined);
      const connection: FaultConnection = {
        ws,
        request,
        received,
        nextFrame: () =>
          read < received.length
            ? Promise.resolve(received[read++]!)
            : new Promise<ReceivedFrame>((resolve) => frameWaiters.push(resolve)),
        closed: new Promise<number>((resolve) => ws.once('close', (code) => resolve(code))),
      };
      connections.push(connection);
      const waiter = waiting.shift();
      if (waiter !== undefined) {
        taken++;
        waiter(connection);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections,
    nextConnection: () =>
      taken < connections.length
        ? Promise.resolve(connections[taken++]!)
        : new Promise<FaultConnection>((resolve) => waiting.push(resolve)),
    close: async () => {
      for (const { ws } of connections) ws.terminate();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
