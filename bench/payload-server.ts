// The benchmark's loopback server, run as its own process so that the contenders' figures are
// the client's cost, not the server's. Serves pre-generated SSE payloads on POST /exec/stream,
// chosen by the request body's `command`: a scenario name, or `mem:<bytes>` for a generated
// stream of that much stdout. Prints its port on stdout when ready.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildScenario, SCENARIOS, streamOf } from './scenarios.js';

const scale = Number(process.env.BENCH_SCALE ?? '1');
const payloads = new Map(SCENARIOS.map((name) => [name, buildScenario(name, scale)]));
const WRITE_SIZE = 64 * 1024;

/** Writes `chunks()` to the response as fast as the client reads, never buffering ahead. */
async function pump(response: ServerResponse, chunks: Iterable<Buffer>): Promise<void> {
  for (const chunk of chunks) {
    if (!response.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          response.off('drain', done);
          response.off('close', done);
          resolve();
        };
        response.on('drain', done);
        response.on('close', done);
      });
      if (response.destroyed) return;
    }
  }
  response.end();
}

function* slices(buffer: Buffer): Iterable<Buffer> {
  for (let start = 0; start < buffer.length; start += WRITE_SIZE)
    yield buffer.subarray(start, start + WRITE_SIZE);
}

const server = createServer((request, response) => {
  const body: Buffer[] = [];
  request.on('data', (chunk: Buffer) => body.push(chunk));
  request.on('end', () => {
    const { command } = JSON.parse(Buffer.concat(body).toString('utf8')) as { command: string };
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    const memory = /^mem:(\d+)$/.exec(command);
    const payload = payloads.get(command as (typeof SCENARIOS)[number]);
    if (memory) void pump(response, streamOf(Number(memory[1])));
    else if (payload) void pump(response, slices(payload.body));
    else response.end('data: {"error":"unknown scenario","code":"bad_request","finished":true}\n\n');
  });
});
server.listen(0, '127.0.0.1', () => {
  const stats = Object.fromEntries(
    [...payloads].map(([name, { body, events, lines, stdoutBytes }]) => [
      name,
      { bytes: body.length, events, lines, stdoutBytes },
    ]),
  );
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port, stats })}\n`);
});
process.on('disconnect', () => server.close());
process.on('SIGTERM', () => process.exit(0));
