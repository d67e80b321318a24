// `npm start`: several commands at once, their output live and line by line, typed failures,
// then a summary table. Runs on an embedded local sandbox, or on a real Superserve sandbox when
// SUPERSERVE_SANDBOX_URL and SUPERSERVE_ACCESS_TOKEN are set.
import {
  catchError,
  concat,
  defer,
  filter,
  forkJoin,
  identity,
  ignoreElements,
  last,
  lastValueFrom,
  map,
  merge,
  type Observable,
  of,
  share,
  shareReplay,
  tap,
} from 'rxjs';
import {
  exec$,
  type ExecOptions,
  type ExecRequest,
  type FinishedEvent,
  isExecFailedError,
  isExecStreamError,
  isExecTimeoutError,
  lines,
  outputText,
  retryOnExecFailed,
  withTimeout,
} from 'superserve-rx';
import { startLocalSandbox } from 'superserve-rx/server';

interface Run {
  readonly name: string;
  readonly request: ExecRequest;
  /** The client's own deadline in ms (`withTimeout`), beside the service's `timeout_s`. */
  readonly deadlineMs?: number;
}

interface Summary {
  readonly name: string;
  readonly outcome: string;
  readonly lines: number;
  readonly ms: number;
}

const RUNS: ReadonlyArray<Run> = [
  { name: 'system', request: { command: 'uname -sr; echo "shell: $0"' } },
  { name: 'count', request: { command: 'for i in 1 2 3 4 5; do echo "tick $i"; sleep 0.2; done' } },
  { name: 'sort', request: { command: 'printf "gamma\\nalpha\\nbeta\\n" | sort' } },
  { name: 'exit-3', request: { command: 'echo "about to fail" >&2; exit 3' } },
  { name: 'bad-dir', request: { command: 'ls', working_dir: '/no/such/dir' } },
  { name: 'timeout_s', request: { command: 'echo "sleeping past timeout_s"; sleep 10', timeout_s: 1 } },
  { name: 'deadline', request: { command: 'echo "sleeping past the deadline"; sleep 30' }, deadlineMs: 1500 },
];

const CONCURRENCY = 3;
const WIDTH = Math.max(...RUNS.map((run) => run.name.length));

/** One run: its lines printed live, prefixed with its name, then one summary, errors included. */
function summarise(run: Run, options: ExecOptions): Observable<Summary> {
  return defer(() => {
    const started = performance.now();
    let lineCount = 0;
    const summary = (outcome: string): Summary => ({
      name: run.name,
      outcome,
      lines: lineCount,
      ms: Math.round(performance.now() - started),
    });
    // One request, shared by the stdout and stderr line splitters and the exit code.
    const events$ = exec$(run.request, options).pipe(
      // exec_failed is the service's "try again": once, quickly, then the typed error.
      retryOnExecFailed({ count: 1, delay: 200 }),
      run.deadlineMs === undefined ? identity : withTimeout({ total: run.deadlineMs }),
      share(),
    );
    const print = (stream: 'stdout' | 'stderr') =>
      events$.pipe(
        outputText(stream),
        lines(),
        tap((line) => {
          lineCount++;
          console.log(`[${run.name.padEnd(WIDTH)}]${stream === 'stderr' ? ' !' : ''} ${line}`);
        }),
        ignoreElements(),
      );
    const finished$ = events$.pipe(filter((event): event is FinishedEvent => event.type === 'finished'));
    return merge(print('stdout'), print('stderr'), finished$).pipe(
      last(),
      map((finished) => summary(`exit ${finished.exitCode}`)),
      catchError((error: unknown) => of(summary(describe(error)))),
    );
  });
}

function describe(error: unknown): string {
  if (isExecTimeoutError(error)) return `ExecTimeoutError (${error.timeout}, ${error.ms} ms)`;
  if (isExecFailedError(error)) return `ExecFailedError (${error.code ?? 'no code'})`;
  if (isExecStreamError(error)) return `${error.name}: ${error.message}`;
  throw error;
}

function table(summaries: ReadonlyArray<Summary>): string {
  const rows = [
    ['run', 'outcome', 'lines', 'time'],
    ...summaries.map((s) => [s.name, s.outcome, `${s.lines}`, `${s.ms} ms`]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function main(): Promise<void> {
  const remote = process.env.SUPERSERVE_SANDBOX_URL;
  const sandbox = remote ? undefined : await startLocalSandbox();
  const options: ExecOptions = sandbox ? { baseUrl: sandbox.url, accessToken: sandbox.accessToken } : {};
  console.log(
    `superserve-rx demo: ${RUNS.length} runs, ${CONCURRENCY} at a time, on ${sandbox ? `a local sandbox at ${sandbox.url}` : remote}\n`,
  );
  try {
    // shareReplay: each run executes once; merge drives them with a concurrency limit, then
    // forkJoin collects the replayed summaries in the order of RUNS, however they finished.
    const runs = RUNS.map((run) => summarise(run, options).pipe(shareReplay(1)));
    const summaries = await lastValueFrom(
      concat(merge(...runs, CONCURRENCY).pipe(ignoreElements()), forkJoin(runs)),
    );
    console.log(`\n${table(summaries)}`);
  } finally {
    await sandbox?.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
