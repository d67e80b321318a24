import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { type CliIo, runCli } from '../../src/cli/run-cli';
import { localSandboxes, type SandboxOptions } from '../helpers/local-sandbox';
import { waitFor } from '../helpers/processes';

const sandboxes = localSandboxes();
let dir: string;
let options: SandboxOptions;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'superserve-rx-cp-'));
  options = await sandboxes.start();
});
afterEach(async () => {
  await sandboxes.closeAll();
  await rm(dir, { recursive: true, force: true });
});

interface Captured {
  io: CliIo;
  stdout: () => Buffer;
  stderr: () => string;
  interrupt: AbortController;
}

function capture(overrides: Partial<CliIo> = {}): Captured {
  const out: Buffer[] = [];
  let err = '';
  const interrupt = new AbortController();
  const io: CliIo = {
    stdout: { write: (chunk) => out.push(Buffer.from(chunk)) },
    stderr: { write: (chunk) => (err += chunk.toString()) },
    stdin: Readable.from([]),
    env: { SUPERSERVE_SANDBOX_URL: options.baseUrl!, SUPERSERVE_ACCESS_TOKEN: options.accessToken },
    interrupt: interrupt.signal,
    handleCtrlC: () => () => undefined,
    ...overrides,
  };
  return { io, stdout: () => Buffer.concat(out), stderr: () => err, interrupt };
}

const cp = (args: string[], captured: Captured = capture()) =>
  runCli(['cp', ...args], captured.io).then((code) => ({ code, ...captured }));

describe('superserve-rx cp', () => {
  it('uploads a file, into a directory too, and prints nothing on a stderr that is not a terminal', async () => {
    const local = join(dir, 'local.bin');
    const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 256));
    writeFileSync(local, bytes);
    const into = await cp([local, `:${dir}/remote/copy.bin`]);
    expect([into.code, into.stderr(), into.stdout().length]).toEqual([0, '', 0]);
    expect(readFileSync(join(dir, 'remote/copy.bin')).equals(bytes)).toBe(true);
    const dirUpload = await cp([local, `:${dir}/remote/`]);
    expect(dirUpload.code).toBe(0);
    expect(readFileSync(join(dir, 'remote/local.bin')).equals(bytes)).toBe(true);
  });

  it("uploads stdin with '-' and downloads to stdout with '-'", async () => {
    const up = await cp(
      ['-', `:${dir}/from-stdin.txt`],
      capture({ stdin: Readable.from([Buffer.from('piped in\n')]) }),
    );
    expect(up.code).toBe(0);
    expect(readFileSync(join(dir, 'from-stdin.txt'), 'utf8')).toBe('piped in\n');
    const down = await cp([`:${dir}/from-stdin.txt`, '-']);
    expect([down.code, down.stdout().toString()]).toEqual([0, 'piped in\n']);
  });

  it('downloads a file to a path or into a directory, leaving no partial file', async () => {
    writeFileSync(join(dir, 'remote.txt'), 'remote text');
    const toPath = await cp([`:${dir}/remote.txt`, join(dir, 'out/named.txt')]);
    expect(toPath.code).toBe(0);
    expect(readFileSync(join(dir, 'out/named.txt'), 'utf8')).toBe('remote text');
    mkdirSync(join(dir, 'into'));
    expect((await cp([`:${dir}/remote.txt`, join(dir, 'into')])).code).toBe(0);
    expect(readdirSync(join(dir, 'into'))).toEqual(['remote.txt']);
  });

  it('downloads a directory as a zip, or extracted with -x', async () => {
    mkdirSync(join(dir, 'proj/src/empty'), { recursive: true });
    writeFileSync(join(dir, 'proj/src/a.ts'), 'a');
    writeFileSync(join(dir, 'proj/README'), 'readme');
    mkdirSync(join(dir, 'zips'));
    expect((await cp([`:${dir}/proj/`, join(dir, 'zips')])).code).toBe(0);
    expect(readFileSync(join(dir, 'zips/proj.zip')).subarray(0, 2).toString()).toBe('PK');
    const extracted = await cp(['-x', `:${dir}/proj/`, join(dir, 'out')]);
    expect(extracted.code).toBe(0);
    expect(readFileSync(join(dir, 'out/proj/src/a.ts'), 'utf8')).toBe('a');
    expect(readFileSync(join(dir, 'out/proj/README'), 'utf8')).toBe('readme');
    expect(readdirSync(join(dir, 'out/proj/src/empty'))).toEqual([]);
  });

  it('exit codes: a local file error 66, a missing remote file 69 with the message, bad usage 2', async () => {
    const missingLocal = await cp([join(dir, 'nope'), `:${dir}/x`]);
    expect(missingLocal.code).toBe(66);
    expect(missingLocal.stderr()).toBe(
      `superserve-rx: cp: ${join(dir, 'nope')}: no such file or directory\n`,
    );
    const missingRemote = await cp([`:${dir}/nope`, join(dir, 'local')]);
    expect([missingRemote.code, missingRemote.stderr()]).toEqual([
      69,
      'superserve-rx: cp: GET /files failed with 404: file not found\n',
    ]);
    expect(readdirSync(dir)).toEqual([]);
    for (const args of [
      [`:${dir}/a`, `:${dir}/b`],
      ['a', 'b'],
      ['-x', `:${dir}/file`, 'out'],
      ['only-one'],
      ['-x', 'local', `:${dir}/x`],
    ]) {
      const usage = await cp(args);
      expect(usage.code).toBe(2);
      expect(usage.stderr()).toMatch(/^superserve-rx: cp: /);
    }
    const relative = await cp([join(dir, 'x'), ':relative/path']);
    expect(relative.code).toBe(66);
    writeFileSync(join(dir, 'x'), 'x');
    expect((await cp([join(dir, 'x'), ':relative/path'])).code).toBe(64);
  });

  it('draws a progress bar with bytes, rate and ETA on a terminal', async () => {
    writeFileSync(join(dir, 'big'), Buffer.alloc(2 * 1024 * 1024, 1));
    let drawn = '';
    const tty = {
      isTTY: true,
      columns: 120,
      write: (chunk: string | Uint8Array) => {
        drawn += chunk.toString();
        return true;
      },
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
      clearScreenDown: () => true,
      on: () => tty,
      removeListener: () => tty,
    };
    const up = await cp([join(dir, 'big'), `:${dir}/copy`], capture({ stderr: tty }));
    expect(up.code).toBe(0);
    expect(drawn).toContain('100% | 2.0 MiB / 2.0 MiB');
    expect(drawn).toMatch(/MiB\/s \| ETA/);
  });

  it('writes a download with backpressure: a slow reader never lets memory pile up', async () => {
    const size = 16 * 1024 * 1024;
    writeFileSync(join(dir, 'big'), Buffer.alloc(size, 2));
    let written = 0;
    let consumed = 0;
    let mostPending = 0;
    const slow = new Writable({
      highWaterMark: 256 * 1024,
      write(chunk: Buffer, _encoding, done) {
        setTimeout(() => {
          consumed += chunk.length;
          done();
        }, 2);
      },
    });
    const stdout = {
      write: (chunk: Uint8Array) => {
        written += chunk.byteLength;
        mostPending = Math.max(mostPending, written - consumed);
        return slow.write(chunk);
      },
      get writableNeedDrain() {
        return slow.writableNeedDrain;
      },
      once: (event: string, f: () => void) => slow.once(event, f),
    };
    const down = await cp([`:${dir}/big`, '-'], capture({ stdout }));
    expect(down.code).toBe(0);
    await waitFor(() => consumed === size, 10_000, 'the slow reader to take everything');
    expect(mostPending).toBeLessThan(4 * 1024 * 1024);
  });

  it('Ctrl-C stops a download: exit 130 and no partial file', async () => {
    writeFileSync(join(dir, 'big'), Buffer.alloc(64 * 1024 * 1024, 3));
    const captured = capture();
    const target = join(dir, 'out.bin');
    const running = cp([`:${dir}/big`, target], captured);
    await waitFor(() => existsSync(`${target}.superserve-rx-partial`), 5000, 'the download to start');
    captured.interrupt.abort('SIGINT');
    const { code, stderr } = await running;
    expect(code).toBe(130);
    expect(stderr()).toBe('superserve-rx: interrupted; the copy was stopped\n');
    expect(readdirSync(dir)).toEqual(['big']);
  });

  it('--help describes cp, and the main help lists it', async () => {
    const help = await cp(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout().toString()).toMatch(/^Usage: superserve-rx cp/);
    const main = capture();
    await runCli(['--help'], main.io);
    expect(main.stdout().toString()).toMatch(/\n {2}cp {6}Copy files/);
  });
});
