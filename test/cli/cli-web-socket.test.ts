import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { CliWebSocket, isLoopbackUrl } from '../../src/cli/cli-web-socket';

describe('isLoopbackUrl', () => {
  it.each([
    ['ws://127.0.0.1:8080/exec/connect', true],
    ['ws://127.1.2.3/exec/connect', true],
    ['ws://localhost:1234/exec/connect', true],
    ['ws://[::1]:1234/exec/connect', true],
    ['wss://boxd-abc.sandbox.superserve.ai/exec/connect', false],
    ['ws://10.0.0.5:8080/exec/connect', false],
    ['ws://127.0.0.1.example.com/exec/connect', false],
    ['ws://localhost.example.com/exec/connect', false],
    ['ws://[::2]/exec/connect', false],
  ])('%s: %s', (url, loopback) => {
    expect(isLoopbackUrl(url)).toBe(loopback);
  });
});

describe('CliWebSocket', () => {
  it('masks what it sends on loopback with a zero key, so the bytes go as they are', async () => {
    // A bare TCP server that accepts the handshake and keeps the first frame's raw bytes: `ws`
    // would unmask them before anyone could look.
    const sockets = new Set<Socket>();
    let resolveFrame: (frame: Buffer) => void = () => undefined;
    const firstFrame = new Promise<Buffer>((resolve) => (resolveFrame = resolve));
    const server = createServer((socket) => {
      sockets.add(socket);
      let received = Buffer.alloc(0);
      let upgraded = false;
      socket.on('error', () => undefined);
      socket.on('data', (chunk) => {
        received = Buffer.concat([received, chunk]);
        const end = received.indexOf('\r\n\r\n');
        if (!upgraded && end !== -1) {
          const key = /sec-websocket-key: *(\S+)/i.exec(received.subarray(0, end).toString())![1]!;
          const accept = createHash('sha1')
            .update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
            .digest('base64');
          socket.write(
            'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
              `Sec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: superserve.exec.v1\r\n\r\n`,
          );
          received = received.subarray(end + 4);
          upgraded = true;
        }
        if (upgraded && received.length >= 2 + 4 + 5) resolveFrame(received);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const ws = new CliWebSocket(`ws://127.0.0.1:${port}/exec/connect`, ['superserve.exec.v1']);
    ws.on('error', () => undefined);
    try {
      await once(ws, 'open');
      ws.send('hello');
      const frame = await firstFrame;
      expect(frame[0]).toBe(0x81); // FIN, text
      expect(frame[1]).toBe(0x80 | 5); // masked, 5 bytes
      expect([...frame.subarray(2, 6)]).toEqual([0, 0, 0, 0]);
      expect(frame.subarray(6, 11).toString()).toBe('hello');
    } finally {
      ws.terminate();
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    }
  });
});
