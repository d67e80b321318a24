import { createHash } from 'node:crypto';
import { concatMap, from, lastValueFrom, map, mergeMap, range, reduce, toArray } from 'rxjs';
import { exec$, type ExecOptions, stdoutText } from 'superserve-rx';
import { startLocalSandbox } from 'superserve-rx/server';
import { runningChildren, waitFor } from '../helpers/processes';
import { activeResources, beyond, expectBackToBaseline } from '../helpers/resources';

// Soak and load against the local sandbox: every run's output arrives whole and in order
// (SHA-256 of what arrived against what the command prints), and afterwards the server has no
// running child process and this process no socket, server, timer or pipe beyond its baseline.
// `npm test` runs a small soak; `npm run soak` runs 1,000 sequential and 200 concurrent runs.

const SEQUENTIAL = Number(process.env.SOAK_SEQUENTIAL ?? 300);
const CONCURRENT = Number(process.env.SOAK_CONCURRENT ?? 100);
const REPORT = process.env.SOAK_REPORT === '1';

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
  it(`${SEQUENTIAL} sequential runs, then ${CONCURRENT} concurrent runs merged: every byte, in order; nothing left`, async () => {
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
  });
});
