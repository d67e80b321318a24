import {
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
  mkdirSync,
  createReadStream,
  existsSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { concat, firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { fromBuffer } from 'yauzl';
import {
  createExecClient,
  downloadDir$,
  exec$,
  ExecHttpError,
  ExecRequestError,
  type FileWriteEvent,
  lines,
  listFiles$,
  readFile$,
  readTextFile$,
  writeFile$,
} from 'superserve-rx';
import { localSandboxes, type SandboxOptions } from '../helpers/local-sandbox';
import { outcome } from '../helpers/outcome';
import { waitFor } from '../helpers/processes';

const sandboxes = localSandboxes();
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'client-files-'));
});
afterEach(async () => {
  await sandboxes.closeAll();
  rmSync(dir, { recursive: true, force: true });
});

const bytesOf = async (source: ReturnType<typeof readFile$>): Promise<Buffer> =>
  Buffer.concat(await lastValueFrom(source.pipe(toArray())));

describe('files against the local sandbox', () => {
  it('writeFile$ of text: progress with totalBytes, a last one with every byte, then written', async () => {
    const options = await sandboxes.start();
    const path = join(dir, 'sub/hello.txt');
    const events = await lastValueFrom(writeFile$(path, 'héllo\n', options).pipe(toArray()));
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress.at(-1)).toEqual({ type: 'progress', sentBytes: 7, totalBytes: 7 });
    expect(events.at(-1)).toEqual({ type: 'written', path, size: 7 });
    expect(events.filter((e) => e.type === 'written')).toHaveLength(1);
    expect(readFileSync(path, 'utf8')).toBe('héllo\n');
  });

  it('writes bytes, a Blob, a ReadableStream and an AsyncIterable, each read back identical', async () => {
    const options = await sandboxes.start();
    const bytes = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => (i * 31) % 256);
    const contents = {
      bytes,
      blob: new Blob([bytes]),
      stream: new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(bytes.subarray(0, 1000));
          controller.enqueue(bytes.subarray(1000));
          controller.close();
        },
      }),
      iterable: Readable.from([Buffer.from(bytes.subarray(0, 5)), Buffer.from(bytes.subarray(5))]),
    };
    for (const [name, content] of Object.entries(contents)) {
      const path = join(dir, name);
      const events = await lastValueFrom(writeFile$(path, content, options).pipe(toArray()));
      expect(events.at(-1)).toEqual({ type: 'written', path, size: bytes.length });
      const last = events.filter((e) => e.type === 'progress').at(-1);
      expect(last).toMatchObject({ sentBytes: bytes.length });
      expect(last && 'totalBytes' in last).toBe(name === 'bytes' || name === 'blob');
      expect((await bytesOf(readFile$(path, options))).equals(Buffer.from(bytes))).toBe(true);
    }
  });

  it('uploads a file stream in flat memory: it is read only as the request sends it', async () => {
    const options = await sandboxes.start();
    const source = join(dir, 'source');
    writeFileSync(source, Buffer.alloc(64 * 1024 * 1024, 7));
    const events = await lastValueFrom(
      writeFile$(join(dir, 'copy'), createReadStream(source, { highWaterMark: 1024 * 1024 }), options).pipe(
        toArray(),
      ),
    );
    expect(events.at(-1)).toEqual({ type: 'written', path: join(dir, 'copy'), size: 64 * 1024 * 1024 });
    const sent = events.flatMap((e) => (e.type === 'progress' ? [e.sentBytes] : []));
    expect(sent).toEqual([...sent].sort((a, b) => a - b));
    expect(new Set(sent).size).toBe(sent.length);
  });

  it('readFile$ streams the bytes as they arrive, readTextFile$ decodes them whole, with lines()', async () => {
    const options = await sandboxes.start();
    const path = join(dir, 'text');
    const text = `${'€'.repeat(400_000)}\nsecond line\n`;
    writeFileSync(path, text);
    const chunks = await lastValueFrom(readFile$(path, options).pipe(toArray()));
    expect(chunks.length).toBeGreaterThan(1);
    expect((await lastValueFrom(readTextFile$(path, options).pipe(toArray()))).join('')).toBe(text);
    expect(await lastValueFrom(readTextFile$(path, options).pipe(lines(), toArray()))).toEqual([
      '€'.repeat(400_000),
      'second line',
    ]);
  });

  it('a pipeline: writeFile$ -> exec$ -> readFile$', async () => {
    const options = await sandboxes.start();
    const input = join(dir, 'in.txt');
    const output = join(dir, 'out.txt');
    const events = await lastValueFrom(
      concat(
        writeFile$(input, 'b\na\nc\n', options),
        exec$({ command: `sort ${input} > ${output}` }, options),
        readTextFile$(output, options),
      ).pipe(toArray()),
    );
    expect(events.at(-1)).toBe('a\nb\nc\n');
  });

  it('listFiles$ decodes the listing into camelCase entries', async () => {
    const options = await sandboxes.start();
    writeFileSync(join(dir, 'a.txt'), 'abc');
    mkdirSync(join(dir, 'sub'));
    const listing = await firstValueFrom(listFiles$(dir, options));
    expect(listing.truncated).toBe(false);
    expect([...listing.entries].sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: 'a.txt', isDir: false, size: 3, modifiedUnix: expect.any(Number) },
      { name: 'sub', isDir: true, size: expect.any(Number), modifiedUnix: expect.any(Number) },
    ]);
  });

  it('downloadDir$ gives a zip whose entries are the directory', async () => {
    const options = await sandboxes.start();
    mkdirSync(join(dir, 'proj/empty'), { recursive: true });
    writeFileSync(join(dir, 'proj/a.txt'), 'a');
    const zip = await bytesOf(downloadDir$(join(dir, 'proj'), options));
    const names = await new Promise<string[]>((resolve, reject) =>
      fromBuffer(zip, (error, file) => {
        if (error) return reject(error);
        const found: string[] = [];
        file.on('entry', (entry: { fileName: string }) => found.push(entry.fileName));
        file.on('end', () => resolve(found.sort()));
      }),
    );
    expect(names).toEqual(['proj/a.txt', 'proj/empty/']);
  });

  it('errors: 404 says file not found; a directory read; a bad path never reaches the server', async () => {
    const options = await sandboxes.start();
    const missing = await outcome(readFile$(join(dir, 'nope'), options));
    expect(missing.error).toBeInstanceOf(ExecHttpError);
    expect(missing.error).toMatchObject({
      status: 404,
      message: 'GET /files failed with 404: file not found',
      body: '{"error":"file not found"}',
    });
    const directory = await outcome(readFile$(dir, options));
    expect((directory.error as Error).message).toBe(
      'GET /files failed with 400: use FilesystemService.ListDir for directories',
    );
    const asDir = await outcome(writeFile$(dir, 'x', options));
    expect((asDir.error as Error).message).toBe(
      `POST /files failed with 500: create file: open ${dir}: is a directory`,
    );
    for (const bad of ['relative/path', '/a/../b', '/a\0b']) {
      const refused = await outcome(readFile$(bad, options));
      expect(refused.error).toBeInstanceOf(ExecRequestError);
    }
  });

  it('unsubscribing aborts a download; the sandbox is free again', async () => {
    const options = await sandboxes.start({ maxConcurrent: 1 });
    const path = join(dir, 'big');
    writeFileSync(path, Buffer.alloc(64 * 1024 * 1024));
    await lastValueFrom(readFile$(path, options).pipe(take(1)));
    // The one slot is held while the download runs: a second request is 429 until it is aborted.
    const status = async (): Promise<number | undefined> =>
      ((await outcome(readTextFile$(join(dir, 'missing'), options))).error as ExecHttpError | undefined)
        ?.status;
    await waitFor(async () => (await status()) === 404, 5000, 'the slot to be given back');
  });

  it('unsubscribing aborts an upload from a stream: the source is cancelled and no file is left', async () => {
    const options = await sandboxes.start();
    const path = join(dir, 'aborted');
    let cancelled = false;
    let pulls = 0;
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++;
        controller.enqueue(new Uint8Array(64 * 1024));
      },
      cancel() {
        cancelled = true;
      },
    });
    const events: FileWriteEvent[] = [];
    const subscription = writeFile$(path, source, options).subscribe((e) => events.push(e));
    await waitFor(() => events.length > 0 && existsSync(path), 5000, 'the upload to start');
    subscription.unsubscribe();
    await waitFor(() => cancelled, 5000, 'the source to be cancelled');
    await waitFor(() => !existsSync(path), 5000, 'the partial file to be removed');
    const after = pulls;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(pulls).toBe(after);
  });

  it('createExecClient binds the five file functions', async () => {
    const options = await sandboxes.start();
    const client = createExecClient(options);
    const path = join(dir, 'c/x.txt');
    expect((await lastValueFrom(client.writeFile$(path, 'xyz'))).type).toBe('written');
    expect(Buffer.concat(await lastValueFrom(client.readFile$(path).pipe(toArray()))).toString()).toBe('xyz');
    expect(await lastValueFrom(client.readTextFile$(path))).toBe('xyz');
    expect((await firstValueFrom(client.listFiles$(join(dir, 'c')))).entries.map((e) => e.name)).toEqual([
      'x.txt',
    ]);
    expect((await bytesOf(client.downloadDir$(join(dir, 'c')))).subarray(0, 2).toString()).toBe('PK');
  });

  it('property: any bytes written come back identical', async () => {
    const options: SandboxOptions = await sandboxes.start();
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200_000 }), fc.boolean(), async (bytes, asStream) => {
        const path = join(dir, 'prop.bin');
        const content = asStream ? Readable.from([Buffer.from(bytes)]) : bytes;
        const written = await lastValueFrom(writeFile$(path, content, options));
        expect(written).toEqual({ type: 'written', path, size: bytes.length });
        expect((await bytesOf(readFile$(path, options))).equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 30 },
    );
  });
});
