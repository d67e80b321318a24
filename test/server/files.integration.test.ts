import { execFileSync } from 'node:child_process';
import {
  mkdtempSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  existsSync,
} from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromBuffer, type Entry } from 'yauzl';
import { localSandboxes, type SandboxOptions } from '../helpers/local-sandbox';
import { waitFor } from '../helpers/processes';

const sandboxes = localSandboxes();
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'files-'));
});
afterEach(async () => {
  await sandboxes.closeAll();
  rmSync(dir, { recursive: true, force: true });
});

function filesUrl(options: SandboxOptions, query: Record<string, string>): string {
  return `${options.baseUrl}/files?${new URLSearchParams(query).toString()}`;
}

function files(
  options: SandboxOptions,
  query: Record<string, string>,
  init: RequestInit & { token?: string | null } = {},
): Promise<Response> {
  const token = init.token === undefined ? options.accessToken : init.token;
  return fetch(filesUrl(options, query), {
    ...init,
    headers: {
      ...(token !== null && { 'x-access-token': token }),
      ...(init.headers as Record<string, string>),
    },
  });
}

async function zipEntries(bytes: Buffer): Promise<Array<{ name: string; data: string }>> {
  return new Promise((resolve, reject) => {
    fromBuffer(bytes, { lazyEntries: true }, (error, zip) => {
      if (error) return reject(error);
      const entries: Array<{ name: string; data: string }> = [];
      zip.on('entry', (entry: Entry) => {
        if (entry.fileName.endsWith('/')) {
          entries.push({ name: entry.fileName, data: '' });
          return zip.readEntry();
        }
        zip.openReadStream(entry, (err, stream) => {
          if (err) return reject(err);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            entries.push({ name: entry.fileName, data: Buffer.concat(chunks).toString() });
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(entries.sort((a, b) => a.name.localeCompare(b.name))));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

describe('/files: checks in the service order, with its texts', () => {
  it('405 for other methods, with Allow, before anything else', async () => {
    const options = await sandboxes.start();
    const response = await files(options, {}, { method: 'PUT', token: null });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, POST, OPTIONS');
    expect(await response.text()).toBe('method not allowed\n');
  });

  it.each([
    [{}, 'missing path query parameter'],
    [{ path: '' }, 'missing path query parameter'],
    [{ path: '/tmp/a\0b' }, 'path contains null byte'],
    [{ path: '/tmp/../etc/passwd' }, 'path traversal not allowed'],
    [{ path: '..' }, 'path traversal not allowed'],
  ])('400 before the token: %j', async (query, text) => {
    const options = await sandboxes.start();
    const response = await files(options, query, { token: null });
    expect(response.status).toBe(400);
    expect(await response.text()).toBe(`${text}\n`);
  });

  it('then 401 for a missing or wrong token; a name holding ".." is not a traversal', async () => {
    const options = await sandboxes.start();
    const missing = await files(options, { path: `${dir}/a..b` }, { token: null });
    expect([missing.status, await missing.text()]).toEqual([401, 'missing X-Access-Token header\n']);
    const wrong = await files(options, { path: `${dir}/a..b` }, { token: 'nope' });
    expect([wrong.status, await wrong.text()]).toEqual([401, 'invalid access token\n']);
  });

  it.each([
    ['/', 'cannot operate on root directory'],
    ['//./', 'cannot operate on root directory'],
    ['/proc', 'access denied: /proc'],
    ['/proc/self/environ', 'access denied: /proc'],
    ['/sys/kernel', 'access denied: /sys'],
    ['//dev/./null', 'access denied: /dev'],
  ])('%s is refused with a JSON error', async (path, error) => {
    const options = await sandboxes.start();
    for (const method of ['GET', 'POST']) {
      const response = await files(options, { path }, { method, ...(method === 'POST' && { body: 'x' }) });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error });
    }
  });

  it('refuses /proc, /dev and / through symlinks too, and writes nothing there', async () => {
    const options = await sandboxes.start();
    symlinkSync('/proc', join(dir, 'p'));
    symlinkSync('/dev', join(dir, 'd'));
    symlinkSync('/', join(dir, 'root'));
    const proc = await files(options, { path: `${dir}/p/self/status` });
    expect([proc.status, await proc.json()]).toEqual([400, { error: 'access denied: /proc' }]);
    const dev = await files(options, { path: `${dir}/d/new-file` }, { method: 'POST', body: 'x' });
    expect([dev.status, await dev.json()]).toEqual([400, { error: 'access denied: /dev' }]);
    const root = await files(options, { path: `${dir}/root`, format: 'zip' });
    expect([root.status, await root.json()]).toEqual([400, { error: 'cannot operate on root directory' }]);
  });
});

describe('POST /files', () => {
  it('writes the raw bytes, creates the parents, answers the cleaned path and size', async () => {
    const options = await sandboxes.start();
    const bytes = Buffer.from([0, 1, 2, 255, 254, 10, 13]);
    const response = await files(
      options,
      { path: `/${dir}/./new/deep//file.bin/` },
      { method: 'POST', body: bytes },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ path: `${dir}/new/deep/file.bin`, size: 7 });
    expect(readFileSync(join(dir, 'new/deep/file.bin'))).toEqual(bytes);
    expect(statSync(join(dir, 'new/deep')).mode & 0o777).toBe(0o755 & ~process.umask());
    expect(statSync(join(dir, 'new/deep/file.bin')).mode & 0o777).toBe(0o644 & ~process.umask());
  });

  it('truncates an existing file, takes a chunked body, and writes an empty one', async () => {
    const options = await sandboxes.start();
    const path = join(dir, 'f.txt');
    writeFileSync(path, 'a much longer old content');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('new '));
        controller.enqueue(new TextEncoder().encode('text'));
        controller.close();
      },
    });
    const response = await files(options, { path }, { method: 'POST', body, duplex: 'half' } as RequestInit);
    expect(await response.json()).toEqual({ path, size: 8 });
    expect(readFileSync(path, 'utf8')).toBe('new text');
    const empty = await files(options, { path }, { method: 'POST', body: '' });
    expect(await empty.json()).toEqual({ path, size: 0 });
    expect(readFileSync(path, 'utf8')).toBe('');
  });

  it('413 past the upload limit (declared or streamed), and the file is removed', async () => {
    const options = await sandboxes.start({ maxUploadBytes: 10 });
    const path = join(dir, 'big');
    const declared = await files(options, { path }, { method: 'POST', body: 'x'.repeat(11) });
    expect([declared.status, await declared.text()]).toEqual([413, 'request body too large\n']);
    expect(existsSync(path)).toBe(false);
    writeFileSync(path, 'existed before');
    const chunks = ['x'.repeat(6), 'y'.repeat(6)];
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(new TextEncoder().encode(next));
      },
    });
    const streamed = await files(options, { path }, { method: 'POST', body, duplex: 'half' } as RequestInit);
    expect([streamed.status, await streamed.text()]).toEqual([413, 'request body too large\n']);
    expect(existsSync(path)).toBe(false);
    const exact = await files(options, { path }, { method: 'POST', body: '0123456789' });
    expect(await exact.json()).toEqual({ path, size: 10 });
  });

  it('an upload cut off mid-way leaves no file, even where one existed', async () => {
    const options = await sandboxes.start();
    const path = join(dir, 'cut');
    writeFileSync(path, 'old');
    const request = httpRequest(filesUrl(options, { path }), {
      method: 'POST',
      headers: { 'x-access-token': options.accessToken, 'content-length': '1000' },
    });
    request.on('error', () => undefined);
    request.write('x'.repeat(500));
    await waitFor(() => existsSync(path) && statSync(path).size === 0, 5000, 'the file to be truncated');
    await new Promise((resolve) => setTimeout(resolve, 100));
    request.destroy();
    await waitFor(() => !existsSync(path), 5000, 'the partial file to be removed');
  });

  it('an upload that pauses past the idle timeout is dropped and leaves no file', async () => {
    const options = await sandboxes.start({ headersTimeoutMs: 200, requestTimeoutMs: 300 });
    const path = join(dir, 'idle');
    const request = httpRequest(filesUrl(options, { path }), {
      method: 'POST',
      headers: { 'x-access-token': options.accessToken, 'content-length': '1000' },
    });
    const closed = new Promise((resolve) => request.on('error', resolve).on('close', resolve));
    request.write('x'.repeat(10));
    await closed;
    await waitFor(() => !existsSync(path), 5000, 'the partial file to be removed');
  });

  it('500 with the prefixed JSON error for a path that cannot be a file', async () => {
    const options = await sandboxes.start();
    writeFileSync(join(dir, 'plain'), 'x');
    const asDir = await files(options, { path: dir }, { method: 'POST', body: 'x' });
    expect([asDir.status, await asDir.json()]).toEqual([
      500,
      { error: `create file: open ${dir}: is a directory` },
    ]);
    const under = await files(options, { path: `${dir}/plain/child` }, { method: 'POST', body: 'x' });
    expect(under.status).toBe(500);
    expect(((await under.json()) as { error: string }).error).toMatch(
      /^parent dir: mkdir .*: not a directory$/,
    );
  });
});

describe('GET /files', () => {
  it('streams a file with Content-Length, Content-Disposition and a content type', async () => {
    const options = await sandboxes.start();
    writeFileSync(join(dir, 'data.json'), '{"a":1}');
    writeFileSync(join(dir, 'noext'), 'plain text\n');
    writeFileSync(join(dir, 'blob'), Buffer.from([0, 1, 2, 3]));
    const json = await files(options, { path: join(dir, 'data.json') });
    expect(json.status).toBe(200);
    expect(json.headers.get('content-length')).toBe('7');
    expect(json.headers.get('content-disposition')).toBe('inline; filename="data.json"');
    expect(json.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await json.text()).toBe('{"a":1}');
    const text = await files(options, { path: join(dir, 'noext') });
    expect(text.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    await text.text();
    const blob = await files(options, { path: join(dir, 'blob') });
    expect(blob.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await blob.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 3]));
  });

  it.each([
    ['bytes=2-5', 206, 'bytes 2-5/10', '2345'],
    ['bytes=7-', 206, 'bytes 7-9/10', '789'],
    ['bytes=-3', 206, 'bytes 7-9/10', '789'],
    ['bytes=8-100', 206, 'bytes 8-9/10', '89'],
    ['bytes=0-1,4-5', 200, null, '0123456789'],
    ['lines=1-2', 200, null, '0123456789'],
  ])('Range %s: %d', async (range, status, contentRange, body) => {
    const options = await sandboxes.start();
    writeFileSync(join(dir, 'digits'), '0123456789');
    const response = await files(options, { path: join(dir, 'digits') }, { headers: { range } });
    expect(response.status).toBe(status);
    expect(response.headers.get('content-range')).toBe(contentRange);
    expect(response.headers.get('content-length')).toBe(String(body.length));
    expect(await response.text()).toBe(body);
  });

  it('416 for a range past the end', async () => {
    const options = await sandboxes.start();
    writeFileSync(join(dir, 'digits'), '0123456789');
    const response = await files(options, { path: join(dir, 'digits') }, { headers: { range: 'bytes=10-' } });
    expect(response.status).toBe(416);
    expect(response.headers.get('content-range')).toBe('bytes */10');
    await response.text();
  });

  it('404, directory and special-file errors in the JSON shape', async () => {
    const options = await sandboxes.start();
    const missing = await files(options, { path: join(dir, 'nope') });
    expect([missing.status, await missing.json()]).toEqual([404, { error: 'file not found' }]);
    const directory = await files(options, { path: dir });
    expect([directory.status, await directory.json()]).toEqual([
      400,
      { error: 'use FilesystemService.ListDir for directories' },
    ]);
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    const fifo = await files(options, { path: join(dir, 'fifo') });
    expect([fifo.status, await fifo.json()]).toEqual([400, { error: 'not a regular file' }]);
  });

  it('format=json lists one level with the wire names; a symlink to a directory is not a directory', async () => {
    const options = await sandboxes.start();
    writeFileSync(join(dir, 'a.txt'), 'abc');
    mkdirSync(join(dir, 'sub'));
    symlinkSync(join(dir, 'sub'), join(dir, 'link'));
    const response = await files(options, { path: dir, format: 'json' });
    expect(response.status).toBe(200);
    const listing = (await response.json()) as {
      entries: Array<{ name: string; is_dir: boolean; size: number; modified_unix: number }>;
      truncated: boolean;
    };
    expect(listing.truncated).toBe(false);
    const byName = Object.fromEntries(listing.entries.map((e) => [e.name, e]));
    expect(Object.keys(byName).sort()).toEqual(['a.txt', 'link', 'sub']);
    expect(byName['a.txt']).toEqual({
      name: 'a.txt',
      is_dir: false,
      size: 3,
      modified_unix: Math.floor(statSync(join(dir, 'a.txt')).mtimeMs / 1000),
    });
    expect(byName.sub!.is_dir).toBe(true);
    expect(byName.link!.is_dir).toBe(false);
  });

  it('format=json stops at 10,000 entries with truncated: true', async () => {
    const options = await sandboxes.start();
    for (let i = 0; i <= 10_000; i++) writeFileSync(join(dir, `f${i}`), '');
    const listing = (await (await files(options, { path: dir, format: 'json' })).json()) as {
      entries: unknown[];
      truncated: boolean;
    };
    expect(listing.entries).toHaveLength(10_000);
    expect(listing.truncated).toBe(true);
  });

  it('format=zip streams the directory as <base>/..., empty directories kept, symlinks and FIFOs skipped', async () => {
    const options = await sandboxes.start();
    const root = join(dir, 'proj');
    mkdirSync(join(root, 'src/empty'), { recursive: true });
    writeFileSync(join(root, 'README'), 'readme');
    writeFileSync(join(root, 'src/main.ts'), 'x'.repeat(100_000));
    symlinkSync(join(root, 'README'), join(root, 'link'));
    execFileSync('mkfifo', [join(root, 'fifo')]);
    const response = await files(options, { path: root, format: 'zip' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="proj.zip"');
    expect(response.headers.get('content-length')).toBeNull();
    const entries = await zipEntries(Buffer.from(await response.arrayBuffer()));
    expect(entries).toEqual([
      { name: 'proj/README', data: 'readme' },
      { name: 'proj/src/', data: '' },
      { name: 'proj/src/empty/', data: '' },
      { name: 'proj/src/main.ts', data: 'x'.repeat(100_000) },
    ]);
  });

  it('format=zip ends, still valid, at the entry and byte limits; on a file it sends the file', async () => {
    const options = await sandboxes.start({ maxZipEntries: 2, maxZipBytes: 10 });
    const root = join(dir, 'many');
    mkdirSync(root);
    for (const name of ['a', 'b', 'c']) writeFileSync(join(root, name), name);
    const byCount = await zipEntries(
      Buffer.from(await (await files(options, { path: root, format: 'zip' })).arrayBuffer()),
    );
    expect(byCount).toHaveLength(2);
    writeFileSync(join(root, 'a'), 'a'.repeat(8));
    writeFileSync(join(root, 'b'), 'b'.repeat(8));
    rmSync(join(root, 'c'));
    const bySize = await zipEntries(
      Buffer.from(await (await files(options, { path: root, format: 'zip' })).arrayBuffer()),
    );
    expect(bySize).toHaveLength(1);
    const file = await files(options, { path: join(root, 'a'), format: 'zip' });
    expect(await file.text()).toBe('a'.repeat(8));
  });
});

describe('/files and the rest of the sandbox', () => {
  it('CORS as the service: the files headers on every answer, OPTIONS 204 without a token', async () => {
    const app = 'http://localhost:5173';
    const options = await sandboxes.start({ cors: [app] });
    const preflight = await fetch(filesUrl(options, { path: '/tmp/x' }), {
      method: 'OPTIONS',
      headers: { origin: app, 'access-control-request-method': 'GET' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET, POST, OPTIONS');
    expect(preflight.headers.get('access-control-allow-headers')).toBe(
      'X-Access-Token, X-Superserve-Routing-Hint, Content-Type',
    );
    expect(preflight.headers.get('access-control-max-age')).toBe('3600');
    writeFileSync(join(dir, 'f'), 'f');
    const read = await files(options, { path: join(dir, 'f') }, { headers: { origin: app } });
    expect(read.headers.get('access-control-allow-origin')).toBe(app);
    expect(read.headers.get('access-control-expose-headers')).toBe('Content-Disposition');
    await read.text();
    const foreign = await files(
      options,
      { path: join(dir, 'f') },
      { headers: { origin: 'http://evil.test' } },
    );
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    await foreign.text();
  });

  it('a transfer counts in maxConcurrent for its whole life', async () => {
    const options = await sandboxes.start({ maxConcurrent: 1 });
    const path = join(dir, 'slow');
    const request = httpRequest(filesUrl(options, { path }), {
      method: 'POST',
      headers: { 'x-access-token': options.accessToken, 'content-length': '10' },
    });
    request.on('error', () => undefined);
    request.write('12345');
    await waitFor(() => existsSync(path), 5000, 'the upload to start');
    const refused = await files(options, { path: join(dir, 'other') });
    expect([refused.status, await refused.text()]).toEqual([429, 'too many connections to sandbox\n']);
    const answer = new Promise<string>((resolve) =>
      request.on('response', (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(text));
      }),
    );
    request.end('67890');
    expect(JSON.parse(await answer)).toEqual({ path, size: 10 });
    await waitFor(async () => (await files(options, { path })).status === 200, 5000, 'the slot to be free');
  });

  it('close() ends a download in flight', async () => {
    const options = await sandboxes.start();
    writeFileSync(join(dir, 'big'), Buffer.alloc(64 * 1024 * 1024));
    const response = await files(options, { path: join(dir, 'big') });
    const reader = response.body!.getReader();
    await reader.read();
    await options.sandbox.close();
    await expect(
      (async () => {
        for (;;) if ((await reader.read()).done) break;
      })(),
    ).rejects.toThrow();
  });
});
