import { Sandbox } from '@superserve/sdk';
import WebSocket from 'ws';
import { type LocalSandbox, startLocalSandbox } from 'superserve-rx/server';

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
