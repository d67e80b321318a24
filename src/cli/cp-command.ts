import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix, resolve } from 'node:path';
import { once } from 'node:events';
import type { Observable } from 'rxjs';
import { emitBodyChunks } from '../client/emit-body-chunks.js';
import type { ExecOptions } from '../client/exec-options.js';
import { fileGet$ } from '../client/file-request.js';
import { writeFile$ } from '../client/write-file.js';
import { startLocalSandbox } from '../server/start-local-sandbox.js';
import { extractZip } from './extract-zip.js';
import { EXIT_CODES, exitCodeFor, isLocalFileError } from './exit-codes.js';
import { parseCliArgs, UsageError } from './parse-cli-args.js';
import type { CliIo } from './run-cli.js';
import { type TransferProgress, transferProgress } from './transfer-progress.js';

const CP_HELP = `Usage: superserve-rx cp [options] <local> :<remote>
       superserve-rx cp [options] :<remote> <local>

Copies a file between this machine and a sandbox, like docker cp. A sandbox path starts
with ':' and is absolute. Uploads stream the file (any size, in flat memory); downloads are
written to disk only as fast as the disk takes them, into a temporary file renamed at the end
(an interrupted copy leaves nothing). A sandbox directory ends with '/': it comes as a zip
(<local> a file, or a directory to put <name>.zip in), or extracted into <local> with -x.
'-' is stdin (upload) or stdout (download). A progress bar (bytes, rate, ETA) is drawn on
stderr when it is a terminal.

Options:
  -x, --extract  extract a directory's zip into <local> (a directory, created if missing)
  --url U        the sandbox's base URL (default: $SUPERSERVE_SANDBOX_URL; without either,
                 an embedded local sandbox, whose paths are this machine's)
  --token T      the access token (default: $SUPERSERVE_ACCESS_TOKEN)
  -h, --help     show this help

Exit codes: 0 copied, 2 bad usage, 64 invalid request, 65 undecodable answer, 66 a local file
could not be read or written, 69 HTTP error (404: no such file), 75 network error,
130 Ctrl-C (or SIGTERM, SIGHUP), 141 output closed.
`;

/** The disk writes a download may have queued before the body is read further. */
const WRITE_HIGH_WATER_MARK = 4 * 1024 * 1024;

/** How much of a local file is read at once for an upload. */
const READ_CHUNK_BYTES = 1024 * 1024;

/**
 * `superserve-rx cp`: uploads `<local> :<remote>`, downloads `:<remote> <local>`.
 *
 * @param args - The arguments after `cp`.
 * @param io - Streams, environment and the Ctrl-C signal.
 * @returns The exit code.
 */
export async function cpCommand(args: ReadonlyArray<string>, io: CliIo): Promise<number> {
  const { values, positionals } = parseCliArgs('cp', {
    args: [...args],
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      extract: { type: 'boolean', short: 'x' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.stdout.write(CP_HELP);
    return 0;
  }
  const [from, to, extra] = positionals;
  if (from === undefined || to === undefined || extra !== undefined) {
    throw new UsageError(
      "cp: expected two arguments, <local> :<remote> or :<remote> <local>. Run 'superserve-rx cp --help'.",
    );
  }
  const copy = planCopy(from, to, values.extract === true);
  const url = values.url ?? nonEmpty(io.env.SUPERSERVE_SANDBOX_URL);
  const token = values.token ?? nonEmpty(io.env.SUPERSERVE_ACCESS_TOKEN);
  if (url !== undefined)
    return copy({ baseUrl: url, ...(token !== undefined && { accessToken: token }) }, io);
  const embedded = await startLocalSandbox({ env: io.env });
  try {
    return await copy({ baseUrl: embedded.url, accessToken: embedded.accessToken }, io);
  } finally {
    await embedded.close();
  }
}

type Copy = (options: ExecOptions, io: CliIo) => Promise<number>;

function planCopy(from: string, to: string, extract: boolean): Copy {
  const fromRemote = from.startsWith(':');
  const toRemote = to.startsWith(':');
  if (fromRemote === toRemote) {
    throw new UsageError("cp: exactly one of the two paths must be a sandbox path (starting with ':').");
  }
  if (toRemote) {
    if (extract) throw new UsageError('cp: -x applies to downloads only.');
    const remote = to.slice(1);
    if (remote.endsWith('/') && from === '-') {
      throw new UsageError('cp: uploading stdin needs a file name, not a directory.');
    }
    return (options, io) =>
      upload(from, remote.endsWith('/') ? `${remote}${basename(from)}` : remote, options, io);
  }
  const remote = from.slice(1);
  const directory = remote.endsWith('/') && remote !== '/';
  if (extract && !directory) throw new UsageError('cp: -x needs a sandbox directory ending with /.');
  if (extract && to === '-') throw new UsageError('cp: -x extracts into a directory, not stdout.');
  const path = directory ? remote.replace(/\/+$/, '') : remote;
  return (options, io) => download(path, directory, extract, to, options, io);
}

async function upload(local: string, remote: string, options: ExecOptions, io: CliIo): Promise<number> {
  let totalBytes: number | undefined;
  if (local !== '-') {
    try {
      const stats = await stat(local);
      if (stats.isDirectory()) {
        io.stderr.write(`superserve-rx: cp: ${local} is a directory; upload a tar or zip of it instead\n`);
        return EXIT_CODES.localFile;
      }
      totalBytes = stats.size;
    } catch (error) {
      return fail(error, io);
    }
  }
  const source = local === '-' ? io.stdin : createReadStream(local, { highWaterMark: READ_CHUNK_BYTES });
  const progress = transferProgress(io.stderr);
  progress.start(totalBytes);
  return run(writeFile$(remote, source, options), io, progress, {
    next: (event) => {
      if (event.type === 'progress') progress.update(event.sentBytes);
    },
    done: async () => 0,
    cancel: async () => {
      if ('destroy' in source) source.destroy();
    },
  });
}

async function download(
  remote: string,
  directory: boolean,
  extract: boolean,
  local: string,
  options: ExecOptions,
  io: CliIo,
): Promise<number> {
  const progress = transferProgress(io.stderr);
  let target: { path: string; partial: string; stream: WriteStream } | undefined;
  let scratch: string | undefined;
  try {
    if (local !== '-') {
      const path = extract
        ? join((scratch = await mkdtemp(join(tmpdir(), 'superserve-rx-cp-'))), 'download.zip')
        : await targetPath(local, directory ? `${posix.basename(remote)}.zip` : posix.basename(remote));
      const partial = extract ? path : `${path}.superserve-rx-partial`;
      const stream = createWriteStream(partial, { highWaterMark: WRITE_HIGH_WATER_MARK });
      await once(stream, 'open');
      target = { path, partial, stream };
    }
  } catch (error) {
    return fail(error, io);
  }
  const sink = target?.stream;
  let received = 0;
  const chunks = fileGet$<Uint8Array>(
    remote,
    options,
    directory ? 'zip' : undefined,
    (response, subscriber, reading) => {
      const length = response.headers.get('content-length');
      progress.start(length === null ? undefined : Number(length));
      // Each read waits until the disk (or stdout's reader) has taken what came before.
      return emitBodyChunks('GET /files', () => drained(sink ?? io.stdout))(response, subscriber, reading);
    },
  );
  const cleanUp = async (): Promise<void> => {
    target?.stream.destroy();
    if (target !== undefined) await rm(target.partial, { force: true });
    if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
  };
  return run(chunks, io, progress, {
    next: (chunk) => {
      received += chunk.byteLength;
      progress.update(received);
      (sink ?? io.stdout).write(chunk);
    },
    done: async () => {
      try {
        if (target !== undefined) {
          target.stream.end();
          await once(target.stream, 'close');
          if (extract) await extractZip(target.path, resolve(local));
          else await rename(target.partial, target.path);
        }
      } catch (error) {
        await cleanUp();
        return fail(error, io);
      }
      if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
      return 0;
    },
    cancel: cleanUp,
    watch: (stop) => target?.stream.on('error', stop),
  });
}

/** Where a download goes: into `local` when it is an existing directory, else `local` itself. */
async function targetPath(local: string, name: string): Promise<string> {
  const stats = await stat(local).catch(() => undefined);
  if (stats?.isDirectory() === true) return join(local, name);
  await mkdir(dirname(resolve(local)), { recursive: true });
  return local;
}

/** Resolves once `stream` has room again (at once when it has). */
function drained(stream: object): Promise<void> {
  const writable = stream as { writableNeedDrain?: boolean; once?: (event: string, f: () => void) => void };
  if (writable.writableNeedDrain !== true || writable.once === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    writable.once!('drain', resolve);
    writable.once!('close', resolve);
  });
}

/** What a copy does with its values, its end and an interruption or error. */
interface Steps<T> {
  next(value: T): void;
  done(): Promise<number>;
  cancel(): Promise<void>;
  /** Called once with a function that stops the copy with an error (a disk that failed). */
  watch?(stop: (error: unknown) => void): void;
}

function run<T>(
  transfer: Observable<T>,
  io: CliIo,
  progress: TransferProgress,
  steps: Steps<T>,
): Promise<number> {
  return new Promise<number>((resolve) => {
    const finish = (code: Promise<number> | number): void => {
      progress.stop();
      io.interrupt.removeEventListener('abort', interrupt);
      void Promise.resolve(code).then(resolve);
    };
    let finished = false;
    // An error may come synchronously, inside subscribe(): the subscription is not assigned yet.
    const held: { subscription?: { unsubscribe(): void } } = {};
    const stop = (error: unknown): void => {
      if (finished) return;
      finished = true;
      held.subscription?.unsubscribe();
      finish(steps.cancel().then(() => fail(error, io)));
    };
    held.subscription = transfer.subscribe({
      next: (value) => steps.next(value),
      error: stop,
      complete: () => {
        finished = true;
        finish(steps.done());
      },
    });
    steps.watch?.(stop);
    function interrupt(): void {
      if (finished) return;
      finished = true;
      // Unsubscribing aborts the request: the sandbox removes a partial upload.
      held.subscription?.unsubscribe();
      const outputClosed = io.interrupt.reason === 'output closed';
      if (!outputClosed) io.stderr.write('superserve-rx: interrupted; the copy was stopped\n');
      finish(steps.cancel().then(() => (outputClosed ? EXIT_CODES.outputClosed : EXIT_CODES.interrupted)));
    }
    if (io.interrupt.aborted) interrupt();
    else io.interrupt.addEventListener('abort', interrupt, { once: true });
  });
}

function fail(error: unknown, io: CliIo): number {
  const text =
    typeof (error as { message?: unknown })?.message === 'string' ? (error as Error).message : String(error);
  // Node's "ENOENT: no such file or directory, open '/x'" said as "/x: no such file or directory".
  const message = isLocalFileError(error)
    ? `${error.path ?? ''}: ${text.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/s, '')}`
    : text;
  io.stderr.write(`superserve-rx: cp: ${message.replace(/\s*[\r\n]+\s*/g, ' ')}\n`);
  return exitCodeFor(error);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
