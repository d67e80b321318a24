import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sandbox } from '@superserve/sdk';
import WebSocket from 'ws';
import { type LocalSandbox, startLocalSandbox } from 'superserve-rx/server';
import { describeWithExternal, unzipRequirement } from '../helpers/external';

// The vendor's own SDK against the local sandbox, on all three exec endpoints it uses:
// commands.run() without callbacks (POST /exec), with callbacks (POST /exec/stream), and
// commands.spawn() (GET /exec/connect). The SDK dials fixed https/wss hosts; here its fetch and
// its WebSocket (Node 20 has no global one: the `ws` package's, as the SDK's docs suggest) are
// pointed at the local sandbox, and nothing else about it is changed.

let sandbox: LocalSandbox;
let vendor: Sandbox;
const realFetch = globalThis.fetch;
const global = globalThis as { WebSocket?: unknown };
const realWebSocket = global.WebSocket;
const seen: string[] = [];

beforeAll(async () => {
  sandbox = await startLocalSandbox();
  const httpBase = sandbox.url;
  const wsBase = sandbox.url.replace(/^http/, 'ws');
  globalThis.fetch = (input, init) => {
    const url = String(input).replace(/^https:\/\/[^/]+/, httpBase);
    seen.push(`${init?.method ?? 'GET'} ${new URL(url).pathname}`);
    return realFetch(url, init);
  };
  global.WebSocket = class extends WebSocket {
    constructor(url: string, protocols: string[]) {
      const local = url.replace(/^wss:\/\/[^/]+/, wsBase);
      seen.push(`WS ${new URL(local).pathname}`);
      super(local, protocols);
    }
  };
  vendor = new (Sandbox as unknown as new (...args: unknown[]) => Sandbox)(
    { id: 'local', name: 'local', status: 'active', metadata: {} },
    sandbox.accessToken,
    { apiKey: 'unused', baseUrl: 'https://api.local.test', sandboxHost: 'local.test' },
  );
});

afterAll(async () => {
  globalThis.fetch = realFetch;
  global.WebSocket = realWebSocket;
  await sandbox.close();
});

beforeEach(() => seen.splice(0));

describe('@superserve/sdk against the local sandbox', () => {
  it('commands.run() without callbacks: POST /exec', async () => {
    const result = await vendor.commands.run('echo out; echo err >&2; exit 4');
    expect(result).toEqual({ stdout: 'out\n', stderr: 'err\n', exitCode: 4 });
    expect(seen).toEqual(['POST /exec']);
  });

  it('commands.run() with onStdout: POST /exec/stream, output delivered as it comes', async () => {
    const chunks: string[] = [];
    const result = await vendor.commands.run('echo one; sleep 0.1; echo two', {
      onStdout: (text) => chunks.push(text),
    });
    expect(chunks).toEqual(['one\n', 'two\n']);
    expect(result).toEqual({ stdout: 'one\ntwo\n', stderr: '', exitCode: 0 });
    expect(seen).toEqual(['POST /exec/stream']);
  });

  it('commands.spawn() with stdin, then kill(): GET /exec/connect', async () => {
    const chunks: string[] = [];
    const session = await vendor.commands.spawn('cat; echo "after EOF"', {
      onStdout: (text) => chunks.push(text),
    });
    session.stdin.write('hello from the vendor sdk\n');
    session.stdin.write(new Uint8Array([0xe2, 0x82]));
    session.stdin.write(new Uint8Array([0xac, 0x0a]));
    session.stdin.close();
    expect(await session.wait()).toEqual({
      stdout: 'hello from the vendor sdk\n€\nafter EOF\n',
      stderr: '',
      exitCode: 0,
    });
    expect(seen).toEqual(['WS /exec/connect']);

    const sleeper = await vendor.commands.spawn('sleep 30');
    sleeper.kill('SIGTERM');
    expect((await sleeper.wait()).exitCode).toBe(143);
  });
});

// The vendor SDK's files API, judged on the local sandbox: it works, and here is what it costs.
describe('@superserve/sdk files against the local sandbox', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vendor-files-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('files.write and files.readText: text, as POST and GET /files', async () => {
    await vendor.files.write(`${dir}/sub/hello.txt`, 'héllo from the vendor sdk\n');
    expect(readFileSync(join(dir, 'sub/hello.txt'), 'utf8')).toBe('héllo from the vendor sdk\n');
    expect(await vendor.files.readText(`${dir}/sub/hello.txt`)).toBe('héllo from the vendor sdk\n');
    expect(seen).toEqual(['POST /files', 'GET /files']);
  });

  it('files.write and files.read: binary and 10 MB, byte for byte', async () => {
    const binary = new Uint8Array(256).map((_, i) => i);
    await vendor.files.write(`${dir}/binary.dat`, binary);
    expect(await vendor.files.read(`${dir}/binary.dat`)).toEqual(binary);
    const big = randomBytes(10 * 1024 * 1024);
    await vendor.files.write(`${dir}/big.dat`, big);
    expect(Buffer.from(await vendor.files.read(`${dir}/big.dat`)).equals(big)).toBe(true);
  });

  it("a missing file's error: the SDK's NotFoundError, without the service's message", async () => {
    const error = await vendor.files.read(`${dir}/missing.txt`).catch((e: unknown) => e);
    // The body is {"error":"file not found"}: a string where the SDK reads error.message.
    expect(error).toMatchObject({ name: 'NotFoundError' });
    expect((error as Error).message).not.toContain('file not found');
  });
});

describeWithExternal(
  unzipRequirement(),
  '@superserve/sdk files.downloadDir against the local sandbox',
  (unzip) => {
    it('gives a zip whose entries unzip -l lists as <dir>/...', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'vendor-zip-'));
      try {
        mkdirSync(join(dir, 'out/empty'), { recursive: true });
        writeFileSync(join(dir, 'out/a.txt'), 'a');
        writeFileSync(join(dir, 'out/b.bin'), randomBytes(1000));
        const zip = await vendor.files.downloadDir(`${dir}/out`);
        writeFileSync(join(dir, 'out.zip'), zip);
        const listing = execFileSync(unzip, ['-l', join(dir, 'out.zip')], { encoding: 'utf8' });
        const names = listing
          .split('\n')
          .map((line) => /\s(out\/\S*)$/.exec(line)?.[1])
          .filter((name): name is string => name !== undefined)
          .sort();
        expect(names).toEqual(['out/a.txt', 'out/b.bin', 'out/empty/']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
