import { connect, type Socket } from 'node:net';

/** Sends raw bytes on a new connection; resolves with all it received once the server closed it. */
export function rawClient(port: number): { socket: Socket; received: Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  const received = new Promise<string>((resolve) => socket.on('close', () => resolve(text)));
  return { socket, received };
}
