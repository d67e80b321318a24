// The interactive-session paths of `npm run bench` and their baselines: output read from a
// command and stdin written to one, through `execSession$` and a local sandbox, or directly
// through a `child_process` pipe. Each resolves with what it counted, so that every path is
// checked to have moved every byte.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { execSession$, type WebSocketConstructor } from 'superserve-rx';
import WebSocket from 'ws';
import type { Target } from './contenders.js';

/** The bytes of each stdin chunk: what a pipe hands `process.stdin` at a time. */
const STDIN_CHUNK_BYTES = 64 * 1024;

/** A command printing exactly `bytes` bytes of text on stdout. */
export const outputCommand = (bytes: number): string =>
  `yes 'the quick brown fox jumps over the lazy dog, again and again and again' | head -c ${bytes}`;

/**
 * `bytes` of stdin as an async generator of 64 KiB chunks, as `cat big | ...` gives them; one
 * buffer reused, since every consumer here copies or writes it before asking for the next.
 */
export async function* stdinChunks(bytes: number): AsyncGenerator<Uint8Array> {
  const chunk = Buffer.alloc(STDIN_CHUNK_BYTES, 'stdin bytes\n');
  for (let left = bytes; left > 0; left -= chunk.length) {
    yield left >= chunk.length ? chunk : chunk.subarray(0, left);
  }
}

/** Runs `command` through a session with no stdin and counts its stdout bytes. */
export const sessionOutput = (
  target: Target,
  command: string,
  webSocket: WebSocketConstructor = WebSocket,
): Promise<number> =>
  new Promise((resolve, reject) => {
    let bytes = 0;
    execSession$({ command }, {}, { ...target, webSocket }).subscribe({
      next: (event) => {
        if (event.type === 'stdout') bytes += event.data.length;
      },
      error: reject,
      complete: () => resolve(bytes),
    });
  });

/** Pipes `bytes` of stdin through a session into `wc -c` and resolves with its count. */
export const sessionStdin = (
  target: Target,
  bytes: number,
  webSocket: WebSocketConstructor = WebSocket,
): Promise<number> =>
  new Promise((resolve, reject) => {
    let printed = '';
    const text = new TextDecoder();
    execSession$({ command: 'wc -c' }, { stdin: stdinChunks(bytes) }, { ...target, webSocket }).subscribe({
      next: (event) => {
        if (event.type === 'stdout') printed += text.decode(event.data, { stream: true });
      },
      error: reject,
      complete: () => resolve(Number(printed.trim())),
    });
  });

/** Runs `command` as a child process and counts the bytes read from its stdout pipe. */
export const directOutput = (command: string): Promise<number> =>
  new Promise((resolve, reject) => {
    let bytes = 0;
    const child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (chunk: Buffer) => (bytes += chunk.length));
    child.on('error', reject);
    child.on('close', () => resolve(bytes));
  });

/** Writes `bytes` from the same generator into a child `wc -c`'s stdin pipe, with backpressure. */
export async function directStdin(bytes: number): Promise<number> {
  const child = spawn('wc', ['-c'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let printed = '';
  child.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  const closed = once(child, 'close');
  for await (const chunk of stdinChunks(bytes)) {
    if (!child.stdin.write(chunk)) await once(child.stdin, 'drain');
  }
  child.stdin.end();
  await closed;
  return Number(printed.trim());
}
