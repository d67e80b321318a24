// Files through the local sandbox next to a local file copy, all in one run: upload (writeFile$)
// and download (readFile$) of one file (BENCH_FILE_BYTES, default 1 GiB) as ratios to `cp` of
// the same file from the page cache, the peak RSS growth of the client doing each, and the
// vendor SDK's files.write/read of the same file. Each measurement runs in its own process
// (bench/files-child.ts); the sandbox runs as `superserve-rx serve` in another.
//   TSX_TSCONFIG_PATH=bench/tsconfig.json npx tsx bench/files.ts
import { execFile, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const MiB = 1024 * 1024;
const FILE_BYTES = Number(process.env.BENCH_FILE_BYTES ?? String(1024 * MiB));
const ROUNDS = Math.max(1, Number(process.env.BENCH_FILE_ROUNDS ?? '3'));

/** A figure of one contender: the median time, and the largest RSS growth seen. */
export interface FileFigure {
  readonly ms: number;
  readonly growth: number;
  readonly failure?: string;
}

/** What {@link fileFigures} measured, by contender. */
export type FileFigures = Record<string, FileFigure>;

async function measure(contender: string, url: string, from: string, to: string): Promise<FileFigure> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      join(__dirname, 'files-child.ts'),
      contender,
      url,
      'bench-token',
      from,
      to,
    ],
    { maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout) as FileFigure;
}

/** `superserve-rx serve` in its own process. */
async function serve(): Promise<{ url: string; close: () => void }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(__dirname, '../src/cli/main.ts'), 'serve', '--token', 'bench-token'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(text);
      if (match) resolve(match[1]!);
    });
    child.once('exit', () => reject(new Error('serve exited')));
  });
  return { url, close: () => void child.kill('SIGTERM') };
}

function makeFile(path: string, bytes: number): void {
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(4 * MiB);
  for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((i * 2654435761) >>> 0, i);
  for (let written = 0; written < bytes; written += block.length) {
    writeSync(fd, block, 0, Math.min(block.length, bytes - written));
  }
  closeSync(fd);
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * Runs every contender `ROUNDS` times, interleaved, and returns the median times and the
 * largest RSS growth of each.
 */
export async function fileFigures(): Promise<FileFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'superserve-rx-bench-files-'));
  const sandbox = await serve();
  try {
    const source = join(dir, 'source.bin');
    makeFile(source, FILE_BYTES);
    // Into the page cache, as for every contender after it.
    await promisify(execFile)('sh', ['-c', 'cat "$0" > /dev/null', source]);
    const contenders: Array<[string, string, string]> = [
      ['cp', source, join(dir, 'cp.bin')],
      ['cat (user-space copy)', source, join(dir, 'cat.bin')],
      ['writeFile$ (fs stream)', source, join(dir, 'uploaded.bin')],
      ['readFile$ (to disk)', source, join(dir, 'downloaded.bin')],
      ['@superserve/sdk files.write (file Blob)', source, join(dir, 'sdk-uploaded.bin')],
      ['@superserve/sdk files.read (to disk)', source, join(dir, 'sdk-downloaded.bin')],
    ];
    const runs = new Map<string, FileFigure[]>(contenders.map(([name]) => [name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, from, to] of contenders) {
        const figure = await measure(name, sandbox.url, from, to);
        if (figure.failure === undefined && statSync(to).size !== FILE_BYTES) {
          runs.get(name)!.push({ ...figure, failure: `wrote ${statSync(to).size} bytes` });
        } else {
          runs.get(name)!.push(figure);
        }
        rmSync(to, { force: true });
      }
    }
    return Object.fromEntries(
      [...runs].map(([name, figures]) => [
        name,
        {
          ms: median(figures.map((f) => f.ms)),
          growth: Math.max(...figures.map((f) => f.growth)),
          ...(figures.some((f) => f.failure) && { failure: figures.find((f) => f.failure)!.failure }),
        },
      ]),
    );
  } finally {
    sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The summary of {@link fileFigures}: our ratios to cp and RSS growth, beside the vendor SDK's. */
export function fileSummary(figures: FileFigures): string {
  const cp = figures.cp!.ms;
  const part = (name: string): string =>
    `${(cp / figures[name]!.ms).toFixed(2)}x cp, +${(figures[name]!.growth / MiB).toFixed(1)} MiB`;
  return (
    `files (${(FILE_BYTES / MiB).toFixed(0)} MiB): upload ${part('writeFile$ (fs stream)')}, download ${part('readFile$ (to disk)')}; ` +
    `@superserve/sdk write ${part('@superserve/sdk files.write (file Blob)')}, read ${part('@superserve/sdk files.read (to disk)')}`
  );
}

/** The table of {@link fileFigures}. */
export function fileTable(figures: FileFigures): string {
  const cp = figures.cp!.ms;
  const rows = [['path', 'median ms', 'MB/s', 'vs cp', 'RSS growth MiB', 'outcome']];
  for (const [name, figure] of Object.entries(figures)) {
    rows.push([
      name,
      figure.ms.toFixed(0),
      (FILE_BYTES / MiB / (figure.ms / 1000)).toFixed(0),
      `${(cp / figure.ms).toFixed(2)}x`,
      (figure.growth / MiB).toFixed(1),
      figure.failure ?? 'ok',
    ]);
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ')).join('\n');
}

if (require.main === module) {
  void fileFigures().then((figures) => {
    console.log(
      `## files: ${(FILE_BYTES / MiB).toFixed(0)} MiB through the local sandbox, median of ${ROUNDS}`,
    );
    console.log(fileTable(figures));
    console.log(`\n${fileSummary(figures)}`);
  });
}
