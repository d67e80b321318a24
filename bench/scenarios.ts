// The benchmark's SSE payloads, exactly as the service frames them.

/** The scenarios of `npm run bench`. */
export const SCENARIOS = ['big', 'tiny', 'lines'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** A pre-generated response body and what it holds. */
export interface Payload {
  readonly body: Buffer;
  /** Output events in the body (not counting the terminal event). */
  readonly events: number;
  /** Lines of stdout in the body. */
  readonly lines: number;
  /** Bytes of stdout in the body. */
  readonly stdoutBytes: number;
}

const TIMESTAMP = '2026-11-07T05:31:56.123456789Z';
const MiB = 1024 * 1024;

const frame = (stdout: string): string => `data: ${JSON.stringify({ stdout, timestamp: TIMESTAMP })}\n\n`;
const TERMINAL = `data: ${JSON.stringify({ exit_code: 0, finished: true, timestamp: TIMESTAMP })}\n\n`;

/** Text of `size` characters made of lines of `lineLength` characters plus LF. */
function linesText(size: number, lineLength: number): string {
  const line = `${'0123456789abcdefghijklmnopqrstuvwxyz'.repeat(Math.ceil(lineLength / 36)).slice(0, lineLength)}\n`;
  return line.repeat(Math.ceil(size / line.length)).slice(0, size);
}

function payloadOf(chunks: ReadonlyArray<string>): Payload {
  const body = Buffer.from(chunks.map(frame).join('') + TERMINAL, 'utf8');
  let lines = 0;
  for (const chunk of chunks)
    for (let i = chunk.indexOf('\n'); i !== -1; i = chunk.indexOf('\n', i + 1)) lines++;
  // Lines run across events; an unterminated last line still counts.
  if (!(chunks.at(-1) ?? '\n').endsWith('\n')) lines++;
  return {
    body,
    events: chunks.length,
    lines,
    stdoutBytes: chunks.reduce((sum, chunk) => sum + chunk.length, 0),
  };
}

/**
 * - `big`: 256 MB of stdout in 32 KiB events (lines of 100 characters);
 * - `tiny`: 1,000,000 events of a few bytes (one short line each);
 * - `lines`: 64 MB of short lines (40 characters) in 4 KiB events.
 * `scale` shrinks or grows each (1 is the size above).
 */
export function buildScenario(name: Scenario, scale = 1): Payload {
  switch (name) {
    case 'big': {
      const event = linesText(32 * 1024, 99);
      return payloadOf(Array.from({ length: Math.round((256 * MiB * scale) / event.length) }, () => event));
    }
    case 'tiny':
      return payloadOf(Array.from({ length: Math.round(1_000_000 * scale) }, (_, i) => `ok ${i % 1000}\n`));
    case 'lines': {
      const event = linesText(4 * 1024, 39);
      return payloadOf(Array.from({ length: Math.round((64 * MiB * scale) / event.length) }, () => event));
    }
  }
}

/** A generated body of `bytes` of stdout in 32 KiB events, for the memory measurement. */
export function* streamOf(bytes: number): Iterable<Buffer> {
  const event = linesText(32 * 1024, 99);
  const encoded = Buffer.from(frame(event).repeat(32), 'utf8');
  const perBatch = event.length * 32;
  for (let sent = 0; sent < bytes; sent += perBatch) yield encoded;
  yield Buffer.from(TERMINAL);
}
