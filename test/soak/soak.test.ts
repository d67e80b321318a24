import { createHash } from 'node:crypto';
import { concatMap, from, lastValueFrom, map, mergeMap, range, reduce, toArray } from 'rxjs';
import { exec$, type ExecOptions, stdoutText } from 'superserve-rx';
import { startLocalSandbox } from 'superserve-rx/server';
import { runningChildren, waitFor } from '../helpers/processes';
import { runSession } from '../helpers/ws-session';
import { activeResources, beyond, expectBackToBaseline } from '../helpers/resources';

// Soak and load against the local sandbox: every run's output arrives whole and in order
// (SHA-256 of what arrived against what the command prints), and afterwards the server has no
// running child process and this process no socket, server, timer or pipe beyond its baseline.
// The same for interactive sessions on /exec/connect, each piping its own bytes through `cat`.
// `npm test` runs a small soak; `npm run soak` runs 1,000 sequential and 200 concurrent runs.

const SEQUENTIAL = Number(process.env.SOAK_SEQUENTIAL ?? 300);
const CONCURRENT = Number(process.env.SOAK_CONCURRENT ?? 100);
const SESSIONS_SEQUENTIAL = Number(process.env.SOAK_SESSIONS_SEQUENTIAL ?? 200);
const SESSIONS_CONCURRENT = Number(process.env.SOAK_SESSIONS_CONCURRENT ?? 50);
const REPORT = process.env.SOAK_REPORT === '1';
// A load test, not a timed one: on a busy machine it takes longer, never fails for it.
const SOAK_TIMEOUT_MS = 300_000;

/** Run `i` prints this many lines: from 1 to 3,000, so from a few bytes to several 32 KiB events. */
const linesOf = (i: number): number => 1 + ((i * 7919) % 3000);

function expectedOutput(i: number): string {
  let text = '';
  for (let n = 1; n <= linesOf(i); n++) text += `run-${i}-line-${n}\n`;
  return text;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** One run: `seq` with no shell, its stdout hashed as it streams in. */
function run(i: number, options: ExecOptions) {
  return exec$({ command: 'seq', args: ['-f', `run-${i}-line-%g`, '1', String(linesOf(i))] }, options).pipe(
    stdoutText(),
    reduce(
      (acc, text) => {
        acc.hash.update(text);
        acc.bytes += Buffer.byteLength(text);
        return acc;
      },
      { hash: createHash('sha256'), bytes: 0 },
    ),
    map(({ hash, bytes }) => ({ i, digest: hash.digest('hex'), bytes })),
  );
}

describe('soak against the local sandbox', () => {
  it(
    `${SEQUENTIAL} sequential runs, then ${CONCURRENT} concurrent runs merged: every byte, in order; nothing left`,
    async () => {
      const baseline = activeResources();
      const children = runningChildren();
      const sandbox = await startLocalSandbox({ maxConcurrent: CONCURRENT });
      const options = { baseUrl: sandbox.url, accessToken: sandbox.accessToken };
      const figures: string[] = [];
      try {
        for (const [name, count, results$] of [
          ['sequential', SEQUENTIAL, range(0, SEQUENTIAL).pipe(concatMap((i) => run(i, options)))],
          [
            'concurrent',
            CONCURRENT,
            from(Array.from({ length: CONCURRENT }, (_, k) => SEQUENTIAL + k)).pipe(
              mergeMap((i) => run(i, options)),
            ),
          ],
        ] as const) {
          const started = performance.now();
          const results = await lastValueFrom(results$.pipe(toArray()));
          const seconds = (performance.now() - started) / 1000;
          expect(results).toHaveLength(count);
          for (const { i, digest, bytes } of results) {
            const expected = expectedOutput(i);
            expect({ i, digest, bytes }).toEqual({
              i,
              digest: sha256(expected),
              bytes: Buffer.byteLength(expected),
            });
          }
          const bytes = results.reduce((sum, result) => sum + result.bytes, 0);
          figures.push(
            `${name}: ${count} runs, ${bytes} bytes in ${seconds.toFixed(1)} s (${(count / seconds).toFixed(0)} runs/s)`,
          );
        }
        // While the server is still up: every command has exited and its process group is gone.
        await waitFor(() => runningChildren().length <= children.length, 5000, 'every command to exit');
        expect(runningChildren()).toEqual(children);
        figures.push(
          `idle keep-alive sockets before close (both ends): ${beyond(baseline).join(', ') || 'none'}`,
        );
      } finally {
        await sandbox.close();
      }
      await expectBackToBaseline(baseline);
      if (REPORT) console.info(figures.join('\n'));
    },
    SOAK_TIMEOUT_MS,
  );
});

/** Session `i` pipes this many bytes through `cat`: from 1 byte to about 200 KB, all 256 values. */
function sessionInput(i: number): Buffer {
  const size = 1 + ((i * 104_729) % 200_000);
  const bytes = Buffer.allocUnsafe(size);
  let state = i + 1;
  for (let k = 0; k < size; k++) {
    state = (state * 1_103_515_245 + 12_345) >>> 0;
    bytes[k] = state >>> 24;
  }
  return bytes;
}

/** The input cut into stdin frames of at most 32 KiB, as clients send it. */
const framesOf = (bytes: Buffer): Buffer[] =>
  Array.from({ length: Math.ceil(bytes.length / 32_768) }, (_, k) =>
    bytes.subarray(k * 32_768, (k + 1) * 32_768),
  );

const digestOf = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

describe('soak of interactive sessions against the local sandbox', () => {
  it(
    `${SESSIONS_SEQUENTIAL} sequential sessions, then ${SESSIONS_CONCURRENT} concurrent: stdin through cat byte-exact; nothing left`,
    async () => {
      const baseline = activeResources();
      const children = runningChildren();
      const sandbox = await startLocalSandbox({ maxConcurrent: SESSIONS_CONCURRENT });
      const figures: string[] = [];
      const session = async (i: number) => {
        const input = sessionInput(i);
        const result = await runSession(sandbox, { command: 'cat' }, framesOf(input));
        return { i, digest: digestOf(result.stdout), terminal: result.terminal, close: result.close.code };
      };
      try {
        for (const [name, count, results$] of [
          [
            'sequential',
            SESSIONS_SEQUENTIAL,
            range(0, SESSIONS_SEQUENTIAL).pipe(concatMap((i) => session(i))),
          ],
          [
            'concurrent',
            SESSIONS_CONCURRENT,
            range(SESSIONS_SEQUENTIAL, SESSIONS_CONCURRENT).pipe(mergeMap((i) => session(i))),
          ],
        ] as const) {
          const started = performance.now();
          const results = await lastValueFrom(results$.pipe(toArray()));
          const seconds = (performance.now() - started) / 1000;
          expect(results).toHaveLength(count);
          for (const result of results) {
            expect(result).toEqual({
              i: result.i,
              digest: digestOf(sessionInput(result.i)),
              terminal: { exit_code: 0, finished: true },
              close: 1000,
            });
          }
          const bytes = results.reduce((sum, { i }) => sum + sessionInput(i).length, 0);
          figures.push(`sessions ${name}: ${count}, ${bytes} bytes through cat in ${seconds.toFixed(1)} s`);
        }
        await waitFor(() => runningChildren().length <= children.length, 5000, 'every command to exit');
        expect(runningChildren()).toEqual(children);
      } finally {
        await sandbox.close();
      }
      await expectBackToBaseline(baseline);
      if (REPORT) console.info(figures.join('\n'));
    },
    SOAK_TIMEOUT_MS,
  );
});
