// `npm run bench`: the contenders side by side in one process, interleaved over several rounds,
// medians reported; then memory, lines() scaling and the local sandbox. Environment:
// BENCH_ROUNDS (default 5), BENCH_SCALE (payload size factor, default 1), BENCH_MEMORY_BYTES
// (default 1 GiB).
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { exec$ } from 'superserve-rx';
import { startLocalSandbox } from 'superserve-rx/server';
import {
  type Contender,
  execEvents,
  execLines,
  fetchEventSourcePeer,
  floor,
  raw,
  type Target,
  vendorSdk,
} from './contenders.js';
import { startPayloadServer, type ScenarioStats } from './payload-process.js';
import { SCENARIOS } from './scenarios.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? '5');
const MEMORY_BYTES = Number(process.env.BENCH_MEMORY_BYTES ?? String(1024 ** 3));
const MiB = 1024 * 1024;

const CONTENDERS: ReadonlyArray<[name: string, run: Contender, counts: keyof ScenarioStats]> = [
  ['raw', raw, 'bytes'],
  ['floor', floor, 'events'],
  ['exec$ events', execEvents, 'events'],
  ['exec$ lines', execLines, 'lines'],
  ['@superserve/sdk', vendorSdk, 'events'],
  ['fetch-event-source', fetchEventSourcePeer, 'events'],
];

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
const fixed = (value: number, digits = 2): string => value.toFixed(digits);
const pad = (rows: string[][]): string => {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ')).join('\n');
};

async function throughput(
  target: Target,
  stats: Record<string, ScenarioStats>,
): Promise<Record<string, Record<string, number>>> {
  const medians: Record<string, Record<string, number>> = {};
  for (const scenario of SCENARIOS) {
    const expected = stats[scenario]!;
    const times = new Map<string, number[]>(CONTENDERS.map(([name]) => [name, []]));
    for (const [, run] of CONTENDERS) await run(target, scenario); // warm-up round
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate the order each round, so no contender always runs first or after the same one.
      for (let i = 0; i < CONTENDERS.length; i++) {
        const [name, run, counts] = CONTENDERS[(i + round) % CONTENDERS.length]!;
        const started = performance.now();
        const counted = await run(target, scenario);
        times.get(name)!.push(performance.now() - started);
        if (counted !== expected[counts])
          throw new Error(`${name} counted ${counted} ${counts}, expected ${expected[counts]}`);
      }
    }
    medians[scenario] = Object.fromEntries([...times].map(([name, values]) => [name, median(values)]));
    const rows = [['contender', 'median ms', 'MB/s', 'events/s', 'vs floor']];
    for (const [name] of CONTENDERS) {
      const ms = medians[scenario]![name]!;
      rows.push([
        name,
        fixed(ms, 1),
        fixed(expected.bytes / MiB / (ms / 1000), 1),
        Math.round(expected.events / (ms / 1000)).toLocaleString('en-US'),
        `${fixed(medians[scenario]!.floor! / ms)}x`,
      ]);
    }
    console.log(
      `\n## ${scenario}: ${fixed(expected.bytes / MiB, 1)} MiB body, ${expected.events.toLocaleString('en-US')} events, ${expected.lines.toLocaleString('en-US')} lines (median of ${ROUNDS})\n${pad(rows)}`,
    );
  }
  return medians;
}

async function memory(
  baseUrl: string,
  contender: string,
): Promise<{ growth: number; ms: number; failure?: string }> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      join(__dirname, 'memory-child.ts'),
      baseUrl,
      contender,
      String(MEMORY_BYTES),
    ],
    { maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout) as { growth: number; ms: number; failure?: string };
}

async function linesScaling(): Promise<Record<string, number>> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', join(__dirname, 'lines-scaling.ts')],
    {
      maxBuffer: 1 << 20,
    },
  );
  return JSON.parse(stdout) as Record<string, number>;
}

/** `superserve-rx serve` in its own process, as a developer runs it beside an app. */
async function serveInChildProcess(): Promise<{ url: string; close: () => void }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(__dirname, '../src/cli/main.ts'), 'serve', '--token', 'bench-token'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  process.once('exit', () => child.kill('SIGTERM'));
  let printed = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
      const match = /listening on (\S+)/.exec(printed);
      if (match) resolve(match[1]!);
    });
  });
  return { url, close: () => child.kill('SIGINT') };
}

async function localSandbox(): Promise<{ direct: number; inProcess: number; separate: number }> {
  const bytes = 512 * MiB;
  const command = `yes 'the quick brown fox jumps over the lazy dog, again and again and again' | head -c ${bytes}`;
  const direct = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      let seen = 0;
      const child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'pipe', 'inherit'] });
      child.stdout.on('data', (chunk: Buffer) => (seen += chunk.length));
      child.on('error', reject);
      child.on('close', () =>
        seen === bytes ? resolve(performance.now() - started) : reject(new Error(`read ${seen}`)),
      );
    });
  const viaSandbox = (baseUrl: string, accessToken: string) => (): Promise<number> =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      let seen = 0;
      exec$({ command, timeout_s: 600 }, { baseUrl, accessToken }).subscribe({
        next: (event) => {
          if (event.type === 'stdout') seen += event.data.length;
        },
        error: reject,
        complete: () =>
          seen === bytes ? resolve(performance.now() - started) : reject(new Error(`read ${seen}`)),
      });
    });
  const embedded = await startLocalSandbox();
  const separate = await serveInChildProcess();
  const paths = {
    direct,
    inProcess: viaSandbox(embedded.url, embedded.accessToken),
    separate: viaSandbox(separate.url, 'bench-token'),
  };
  try {
    const times = { direct: [] as number[], inProcess: [] as number[], separate: [] as number[] };
    for (const path of Object.values(paths)) await path(); // warm-up
    for (let round = 0; round < Math.max(3, Math.min(ROUNDS, 5)); round++) {
      for (const [name, path] of Object.entries(paths)) times[name as keyof typeof times].push(await path());
    }
    return {
      direct: median(times.direct),
      inProcess: median(times.inProcess),
      separate: median(times.separate),
    };
  } finally {
    separate.close();
    await embedded.close();
  }
}

async function main(): Promise<void> {
  console.log(`# superserve-rx benchmark (node ${process.version}, ${ROUNDS} rounds)`);
  const server = await startPayloadServer();
  const target = { baseUrl: server.baseUrl, accessToken: 'bench' };
  try {
    const medians = await throughput(target, server.stats);

    console.log('\n## ratios (time of the other / time of exec$; above 1 means exec$ is faster)');
    const ratioRows = [['scenario', 'lines/floor', 'events/floor', 'lines/raw', 'lines/sdk', 'lines/fes']];
    for (const scenario of SCENARIOS) {
      const m = medians[scenario]!;
      ratioRows.push([
        scenario,
        `${fixed(m.floor! / m['exec$ lines']!)}x`,
        `${fixed(m.floor! / m['exec$ events']!)}x`,
        `${fixed(m.raw! / m['exec$ lines']!)}x`,
        `${fixed(m['@superserve/sdk']! / m['exec$ lines']!)}x`,
        `${fixed(m['fetch-event-source']! / m['exec$ lines']!)}x`,
      ]);
    }
    console.log(pad(ratioRows));

    console.log(
      `\n## memory: ${fixed(MEMORY_BYTES / MiB, 0)} MiB of stdout, peak RSS minus baseline (sampled every 100 ms)`,
    );
    const ours = await memory(server.baseUrl, 'exec$ lines');
    const theirs = await memory(server.baseUrl, '@superserve/sdk');
    const memoryRows = [['contender', 'growth MiB', 'ms', 'outcome']];
    for (const [name, figure] of [
      ['exec$ lines', ours],
      ['@superserve/sdk', theirs],
    ] as const) {
      memoryRows.push([name, fixed(figure.growth / MiB, 1), fixed(figure.ms, 0), figure.failure ?? 'ok']);
    }
    console.log(pad(memoryRows));

    console.log('\n## lines() scaling: ms per MB of text');
    const scaling = await linesScaling();
    console.log(
      pad([['case', 'ms/MB'], ...Object.entries(scaling).map(([name, ms]) => [name, fixed(ms, 3)])]),
    );
    const oneChunk = scaling['one chunk 100 MB']! / scaling['one chunk 1 MB']!;
    const oneChar = scaling['1-char 100 MB']! / scaling['1-char 1 MB']!;

    console.log('\n## local sandbox: 512 MiB of stdout (yes | head), median');
    const local = await localSandbox();
    const mbps = (ms: number): string => fixed(512 / (ms / 1000), 0);
    console.log(
      pad([
        ['path', 'ms', 'MB/s', 'vs pipe'],
        ['child_process pipe', fixed(local.direct, 0), mbps(local.direct), '1.00x'],
        [
          'exec$, sandbox in this process',
          fixed(local.inProcess, 0),
          mbps(local.inProcess),
          `${fixed(local.direct / local.inProcess)}x`,
        ],
        [
          'exec$, `serve` in its own process',
          fixed(local.separate, 0),
          mbps(local.separate),
          `${fixed(local.direct / local.separate)}x`,
        ],
      ]),
    );

    const m = (scenario: string) => medians[scenario]!;
    const sdkMin = Math.min(...SCENARIOS.map((s) => m(s)['@superserve/sdk']! / m(s)['exec$ lines']!));
    console.log(
      `\nsummary: exec$->stdoutText->lines vs floor: big ${fixed(m('big').floor! / m('big')['exec$ lines']!)}x, ` +
        `lines ${fixed(m('lines').floor! / m('lines')['exec$ lines']!)}x, tiny ${fixed(m('tiny').floor! / m('tiny')['exec$ lines']!)}x; ` +
        `vs @superserve/sdk at least ${fixed(sdkMin)}x; memory +${fixed(ours.growth / MiB, 1)} MiB for ${fixed(MEMORY_BYTES / MiB, 0)} MiB ` +
        `(sdk: ${theirs.failure ? `failed: ${theirs.failure}` : `+${fixed(theirs.growth / MiB, 1)} MiB`}); ` +
        `lines() 100MB/1MB per-MB time ${fixed(oneChunk)}x one chunk, ${fixed(oneChar)}x 1-char; ` +
        `local sandbox ${fixed(local.direct / local.inProcess)}x the direct pipe in-process, ${fixed(local.direct / local.separate)}x as a separate serve process`,
    );
  } finally {
    server.close();
  }
}

void main();
