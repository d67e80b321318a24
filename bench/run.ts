// `npm run bench`: the contenders side by side in one process, interleaved over several rounds,
// medians reported; then memory, lines() scaling and the local sandbox (exec$ and execSession$
// output, execSession$ stdin, each against a direct child_process pipe), and files (bench/files.ts:
// upload and download against cp, beside the vendor SDK), and the terminal (bench/terminal.ts: cat
// through terminal$ against a local pseudo-terminal, and the keystroke round trip). Environment:
// BENCH_ROUNDS (default 5), BENCH_SCALE (payload size factor, default 1), BENCH_MEMORY_BYTES
// (default 1 GiB), BENCH_FILE_BYTES (default 1 GiB), BENCH_FILE_ROUNDS (default 3).
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
import { CliWebSocket } from '../src/cli/cli-web-socket.js';
import { fileFigures, fileSummary, fileTable } from './files.js';
import { terminalFigures, terminalSummary, terminalTable } from './terminal.js';
import { SCENARIOS } from './scenarios.js';
import { directOutput, directStdin, outputCommand, sessionOutput, sessionStdin } from './sessions.js';

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
/** How fast `path` ran next to the direct pipe: the pipe's time over its own. */
const ratio = (figures: Record<string, number>, path: string): string =>
  `${fixed(figures['child_process pipe']! / figures[path]!)}x`;
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
  accessToken = 'bench',
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
      accessToken,
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

/** A path through the local sandbox or around it: resolves with the bytes it moved. */
type LocalPath = () => Promise<number>;

/** The local sandbox's figures: median ms per path, for output and for stdin. */
interface LocalFigures {
  readonly output: Record<string, number>;
  readonly stdin: Record<string, number>;
}

const LOCAL_BYTES = 512 * MiB;
const PIPE = 'child_process pipe';

async function localSandbox(): Promise<LocalFigures> {
  const command = outputCommand(LOCAL_BYTES);
  const execBytes =
    (target: Target): LocalPath =>
    () =>
      new Promise((resolve, reject) => {
        let seen = 0;
        exec$({ command, timeout_s: 600 }, target).subscribe({
          next: (event) => {
            if (event.type === 'stdout') seen += event.data.length; // ASCII: characters are bytes
          },
          error: reject,
          complete: () => resolve(seen),
        });
      });
  const embedded = await startLocalSandbox();
  const separate = await serveInChildProcess();
  const here = { baseUrl: embedded.url, accessToken: embedded.accessToken };
  const apart = { baseUrl: separate.url, accessToken: 'bench-token' };
  try {
    const output = await timed({
      [PIPE]: () => directOutput(command),
      'exec$, sandbox in this process': execBytes(here),
      'exec$, `serve` in its own process': execBytes(apart),
      'execSession$, sandbox in this process': () => sessionOutput(here, command),
      'execSession$, `serve` in its own process': () => sessionOutput(apart, command),
    });
    const stdin = await timed({
      [PIPE]: () => directStdin(LOCAL_BYTES),
      'execSession$, sandbox in this process': () => sessionStdin(here, LOCAL_BYTES),
      'execSession$, `serve` in its own process': () => sessionStdin(apart, LOCAL_BYTES),
      // What `superserve-rx exec -i` dials with: ws with a zero masking key on loopback.
      'execSession$ + CliWebSocket, sandbox in this process': () =>
        sessionStdin(here, LOCAL_BYTES, CliWebSocket),
      'execSession$ + CliWebSocket, `serve` in its own process': () =>
        sessionStdin(apart, LOCAL_BYTES, CliWebSocket),
    });
    return { output, stdin };
  } finally {
    separate.close();
    await embedded.close();
  }
}

/**
 * Runs every path once to warm up, then in rounds, each round in the same order, checking that
 * each moved all {@link LOCAL_BYTES}; resolves with each path's median in ms.
 */
async function timed(paths: Record<string, LocalPath>): Promise<Record<string, number>> {
  const times = new Map(Object.keys(paths).map((name) => [name, [] as number[]]));
  for (const path of Object.values(paths)) await path();
  for (let round = 0; round < Math.max(3, Math.min(ROUNDS, 5)); round++) {
    for (const [name, path] of Object.entries(paths)) {
      const started = performance.now();
      const moved = await path();
      times.get(name)!.push(performance.now() - started);
      if (moved !== LOCAL_BYTES) throw new Error(`${name} moved ${moved} bytes, expected ${LOCAL_BYTES}`);
    }
  }
  return Object.fromEntries([...times].map(([name, values]) => [name, median(values)]));
}

/** One table of a local-sandbox section: each path's time, MB/s and ratio to the pipe. */
function localTable(figures: Record<string, number>): string {
  const pipe = figures[PIPE]!;
  return pad([
    ['path', 'ms', 'MB/s', 'vs pipe'],
    ...Object.entries(figures).map(([name, ms]) => [
      name,
      fixed(ms, 0),
      fixed(LOCAL_BYTES / MiB / (ms / 1000), 0),
      `${fixed(pipe / ms)}x`,
    ]),
  ]);
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

    console.log(
      `\n## session memory: ${fixed(MEMORY_BYTES / MiB, 0)} MiB of stdin through execSession$ into wc -c, peak RSS minus baseline`,
    );
    const serve = await serveInChildProcess();
    let sessionMemory: Record<string, Awaited<ReturnType<typeof memory>>>;
    try {
      sessionMemory = {
        'client (`serve` in its own process)': await memory(serve.url, 'execSession$ stdin', 'bench-token'),
        'client and sandbox in one process': await memory('embedded', 'execSession$ stdin'),
        'the same with CliWebSocket (`exec -i`)': await memory(
          'embedded',
          'execSession$ + CliWebSocket stdin',
        ),
      };
    } finally {
      serve.close();
    }
    console.log(
      pad([
        ['process', 'growth MiB', 'ms', 'outcome'],
        ...Object.entries(sessionMemory).map(([name, figure]) => [
          name,
          fixed(figure.growth / MiB, 1),
          fixed(figure.ms, 0),
          figure.failure ?? 'ok',
        ]),
      ]),
    );

    const local = await localSandbox();
    const rounds = Math.max(3, Math.min(ROUNDS, 5));
    console.log(`\n## local sandbox: 512 MiB of stdout (yes | head), median of ${rounds}`);
    console.log(localTable(local.output));
    console.log(
      `\n## local sandbox: 512 MiB of stdin into wc -c, from an async generator of 64 KiB chunks, median of ${rounds}`,
    );
    console.log(localTable(local.stdin));

    const files = await fileFigures();
    console.log(
      `\n## files: ${fixed(Number(process.env.BENCH_FILE_BYTES ?? 1024 ** 3) / MiB, 0)} MiB through the local sandbox (\`serve\` in its own process), each path in its own process`,
    );
    console.log(fileTable(files));

    const terminal = await terminalFigures();
    console.log(
      `\n## terminal: cat of ${fixed(Number(process.env.BENCH_TERMINAL_BYTES ?? 256 * MiB) / MiB, 0)} MiB in the shell, terminal$ against a local pseudo-terminal; ${process.env.BENCH_TERMINAL_KEYS ?? 1000} keystrokes`,
    );
    console.log(terminalTable(terminal));

    const m = (scenario: string) => medians[scenario]!;
    const sdkMin = Math.min(...SCENARIOS.map((s) => m(s)['@superserve/sdk']! / m(s)['exec$ lines']!));
    console.log(
      `\nsummary: exec$->stdoutText->lines vs floor: big ${fixed(m('big').floor! / m('big')['exec$ lines']!)}x, ` +
        `lines ${fixed(m('lines').floor! / m('lines')['exec$ lines']!)}x, tiny ${fixed(m('tiny').floor! / m('tiny')['exec$ lines']!)}x; ` +
        `vs @superserve/sdk at least ${fixed(sdkMin)}x; memory +${fixed(ours.growth / MiB, 1)} MiB for ${fixed(MEMORY_BYTES / MiB, 0)} MiB ` +
        `(sdk: ${theirs.failure ? `failed: ${theirs.failure}` : `+${fixed(theirs.growth / MiB, 1)} MiB`}); ` +
        `lines() 100MB/1MB per-MB time ${fixed(oneChunk)}x one chunk, ${fixed(oneChar)}x 1-char; ` +
        `local sandbox vs the direct pipe (in-process, separate serve): exec$ output ` +
        `${ratio(local.output, 'exec$, sandbox in this process')}, ${ratio(local.output, 'exec$, `serve` in its own process')}; ` +
        `execSession$ output ${ratio(local.output, 'execSession$, sandbox in this process')}, ${ratio(local.output, 'execSession$, `serve` in its own process')}; ` +
        `execSession$ stdin ${ratio(local.stdin, 'execSession$, sandbox in this process')}, ${ratio(local.stdin, 'execSession$, `serve` in its own process')} ` +
        `(CliWebSocket ${ratio(local.stdin, 'execSession$ + CliWebSocket, sandbox in this process')}, ${ratio(local.stdin, 'execSession$ + CliWebSocket, `serve` in its own process')}); ` +
        `session memory +${Object.values(sessionMemory)
          .map((figure) => fixed(figure.growth / MiB, 1))
          .join(
            ', +',
          )} MiB for ${fixed(MEMORY_BYTES / MiB, 0)} MiB of stdin; ${fileSummary(files)}; ${terminalSummary(terminal)}`,
    );
  } finally {
    server.close();
  }
}

void main();
