import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type WebSocket from 'ws';
import { localSandboxes, post } from '../helpers/local-sandbox';
import { isAlive, readPids, waitFor } from '../helpers/processes';
import { rawClient } from '../helpers/raw-client';
import { type SandboxProcess, startSandboxProcess } from '../helpers/sandbox-process';
import { dial, type Dialable, resultOf, runSession, stdinFrame } from '../helpers/ws-session';

// GET /exec/connect over real sockets with a raw `ws` client, so that the wire itself is
// checked: the handshake, close codes and reasons, frames byte by byte.
const sandboxes = localSandboxes();
afterEach(() => sandboxes.closeAll());

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'superserve-rx-connect-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function start(options: Parameters<typeof sandboxes.start>[0] = {}): Promise<Dialable> {
  const { sandbox } = await sandboxes.start(options);
  return sandbox;
}

describe('/exec/connect: the handshake', () => {
  it('selects and echoes only superserve.exec.v1; the token is never echoed', async () => {
    const sandbox = await start();
    const session = dial(sandbox);
    const handshake = await session.handshake;
    expect(handshake).toMatchObject({ opened: true, protocol: 'superserve.exec.v1' });
    expect(JSON.stringify(handshake)).not.toContain(sandbox.accessToken);
    session.ws.close();
    await session.closed;
  });

  it('refuses a missing or wrong token with 401 in plain text, before the upgrade', async () => {
    const sandbox = await start();
    expect(await dial(sandbox, { protocols: ['superserve.exec.v1'] }).handshake).toEqual({
      opened: false,
      status: 401,
      body: 'missing token (pass as Sec-WebSocket-Protocol: token.<value>)\n',
    });
    expect(await dial(sandbox, { protocols: ['superserve.exec.v1', 'token.wrong'] }).handshake).toEqual({
      opened: false,
      status: 401,
      body: 'invalid access token\n',
    });
  });

  it('words a refusal as plain HTTP: status line, text/plain, Connection: close, the body', async () => {
    const sandbox = await start();
    const { port } = new URL(sandbox.url);
    const { socket, received } = rawClient(Number(port));
    socket.write(
      'GET /exec/connect HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
        'Sec-WebSocket-Protocol: superserve.exec.v1, token.wrong\r\n\r\n',
    );
    const answer = await received;
    expect(answer.split('\r\n')).toEqual([
      'HTTP/1.1 401 Unauthorized',
      'Connection: close',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Length: 21',
      '',
      'invalid access token\n',
    ]);
  });

  it('ignores the query string: a token there never authenticates, and a good one works with a query', async () => {
    const sandbox = await start();
    const inQuery = dial(sandbox, {
      protocols: ['superserve.exec.v1'],
      path: `/exec/connect?token=${sandbox.accessToken}&access_token=${sandbox.accessToken}`,
    });
    expect(await inQuery.handshake).toMatchObject({ opened: false, status: 401 });
    const withQuery = dial(sandbox, { path: '/exec/connect?x=1' });
    expect(await withQuery.handshake).toMatchObject({ opened: true });
    withQuery.ws.close();
    await withQuery.closed;
  });

  it('refuses a foreign Origin with 403 before the upgrade; no Origin and an allowed one are fine', async () => {
    const closed = await start();
    expect(await dial(closed, { headers: { Origin: 'http://evil.example' } }).handshake).toEqual({
      opened: false,
      status: 403,
      body: 'origin not allowed\n',
    });
    const allowing = await start({ cors: ['http://app.example'] });
    expect(await dial(allowing, { headers: { Origin: 'http://evil.example' } }).handshake).toMatchObject({
      status: 403,
    });
    const allowed = dial(allowing, { headers: { Origin: 'http://app.example' } });
    expect(await allowed.handshake).toMatchObject({ opened: true });
    allowed.ws.close();
    await allowed.closed;
  });

  it('shares maxConcurrent with streams for the whole session: 429 for both until it ends', async () => {
    const options = await sandboxes.start({ maxConcurrent: 1 });
    const session = dial(options.sandbox);
    await session.handshake;
    // Before its start frame, the session already holds the slot.
    expect(await dial(options.sandbox).handshake).toEqual({
      opened: false,
      status: 429,
      body: 'too many connections to sandbox\n',
    });
    expect((await post(options, { body: JSON.stringify({ command: 'true' }) })).status).toBe(429);
    session.ws.send(JSON.stringify({ command: 'true' }));
    expect(await session.closed).toEqual({ code: 1000, reason: 'command exited' });
    await waitFor(async () => (await post(options, { body: '{"command":"true"}' })).status === 200);
  });

  it('answers an upgrade to another path with 404, and a plain GET /exec/connect with 426', async () => {
    const sandbox = await start();
    expect(await dial(sandbox, { path: '/exec/stream' }).handshake).toMatchObject({
      opened: false,
      status: 404,
    });
    const plain = await fetch(`${sandbox.url}/exec/connect`);
    expect(plain.status).toBe(426);
  });
});

describe('/exec/connect: the start frame', () => {
  it('closes 1003 for a binary start frame, 1008 for bad JSON or no command', async () => {
    const sandbox = await start();
    const cases: Array<[string | Buffer, { code: number; reason: string }]> = [
      [Buffer.from('{"command":"true"}'), { code: 1003, reason: 'the start frame must be a text frame' }],
      ['{"command":', { code: 1008, reason: 'invalid JSON start frame' }],
      ['{"args":["x"]}', { code: 1008, reason: 'command is required' }],
      ['{"command":""}', { code: 1008, reason: 'command is required' }],
      // No command and a bad field: the missing command is what is said.
      ['{"args":"x"}', { code: 1008, reason: 'command is required' }],
      // A command of the wrong type is named as such, not as missing.
      [
        '{"command":5}',
        { code: 1008, reason: 'command: expected a non-empty string without NUL bytes, got 5' },
      ],
      ['null', { code: 1008, reason: 'expected an exec request object, got null' }],
      ['5', { code: 1008, reason: 'expected an exec request object, got 5' }],
    ];
    for (const [frame, close] of cases) {
      const session = dial(sandbox);
      await session.handshake;
      session.ws.send(frame);
      expect(await session.closed).toEqual(close);
      expect(session.frames).toEqual([]);
    }
  });

  it('closes 1008 naming the issue for a request of the wrong shape, cut to what a close reason holds', async () => {
    const sandbox = await start();
    const session = dial(sandbox);
    await session.handshake;
    session.ws.send(JSON.stringify({ command: 'true', args: 'not-an-array', env: { ['x'.repeat(200)]: 1 } }));
    const close = await session.closed;
    expect(close.code).toBe(1008);
    expect(close.reason).toMatch(/^args: /);
    expect(Buffer.byteLength(close.reason)).toBeLessThanOrEqual(123);
  });

  it('ignores unknown fields and reads timeout_s 0 or less as no timeout', async () => {
    const sandbox = await start();
    for (const timeout_s of [0, -5]) {
      const result = await runSession(sandbox, { command: 'echo ran', timeout_s, colour: 'blue' });
      expect(result.stdout.toString()).toBe('ran\n');
      expect(result.terminal).toEqual({ exit_code: 0, finished: true });
    }
  });

  it('drops a client that sends no start frame within sessionStartTimeoutMs (no close frame)', async () => {
    const sandbox = await start({ sessionStartTimeoutMs: 200 });
    const session = dial(sandbox);
    await session.handshake;
    const started = Date.now();
    expect(await session.closed).toEqual({ code: 1006, reason: '' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });
});

describe('/exec/connect: running the command', () => {
  it('runs command through /bin/sh -c, or with args as a binary from PATH, in its own process group', async () => {
    const sandbox = await start();
    const shell = await runSession(sandbox, {
      command: 'echo "$0 $GREETING"; pwd',
      env: { GREETING: 'hi' },
      working_dir: dir,
    });
    expect(shell.stdout.toString()).toBe(`/bin/sh hi\n${dir}\n`);
    const binary = await runSession(sandbox, { command: 'printf', args: ['%s|', 'a b', '$HOME'] });
    expect(binary.stdout.toString()).toBe('a b|$HOME|');
    const group = await runSession(sandbox, { command: 'echo $$; ps -o pgid= -p $$' });
    const [pid, pgid] = group.stdout.toString().trim().split(/\s+/);
    expect(pgid).toBe(pid);
  });

  it('writes output byte-exact, with no UTF-8 decoding, and leaves a character split across frames split', async () => {
    const sandbox = await start();
    const bytes = await runSession(sandbox, { command: "printf '\\000\\377\\376\\200\\001'" });
    expect([...bytes.stdout]).toEqual([0x00, 0xff, 0xfe, 0x80, 0x01]);
    // 😀 is F0 9F 98 80: two writes a moment apart arrive as two frames, each with half of it.
    const session = dial(sandbox);
    await session.handshake;
    session.ws.send(JSON.stringify({ command: "printf '\\360\\237'; sleep 0.2; printf '\\230\\200'" }));
    await session.closed;
    expect(session.frames.filter((f) => f.binary).map((f) => [...f.data])).toEqual([
      [0x01, 0xf0, 0x9f],
      [0x01, 0x98, 0x80],
    ]);
  });

  it('sends at most 32 KiB of output per frame, stdout and stderr on their channels, none lost', async () => {
    const sandbox = await start();
    const session = dial(sandbox);
    await session.handshake;
    session.ws.send(JSON.stringify({ command: 'head -c 1000000 /dev/zero | tr "\\0" a; echo err >&2' }));
    const result = resultOf(session, await session.closed);
    expect(result.stdout).toEqual(Buffer.alloc(1_000_000, 'a'));
    expect(result.stderr.toString()).toBe('err\n');
    const binary = session.frames.filter((f) => f.binary);
    expect(Math.max(...binary.map((f) => f.data.length))).toBeLessThanOrEqual(32 * 1024 + 1);
    expect(binary.length).toBeGreaterThanOrEqual(Math.ceil(1_000_000 / (32 * 1024)));
  });

  it('ends with {"exit_code":N,"finished":true} and close 1000 "command exited"; 128+N for signal N', async () => {
    const sandbox = await start();
    const exit = await runSession(sandbox, { command: 'exit 7' });
    expect(exit.texts).toEqual([{ exit_code: 7, finished: true }]);
    expect(exit.close).toEqual({ code: 1000, reason: 'command exited' });
    const killed = await runSession(sandbox, { command: 'kill -TERM $$' });
    expect(killed.terminal).toEqual({ exit_code: 143, finished: true });
  });

  it('kills the whole group at timeout_s and reports 124', async () => {
    const sandbox = await start();
    const pidFile = join(dir, 'timeout.pid');
    const started = Date.now();
    const result = await runSession(
      sandbox,
      { command: `sleep 30 & echo $! > ${pidFile}; wait`, timeout_s: 1 },
      [],
      false,
    );
    expect(result.terminal).toEqual({ exit_code: 124, finished: true });
    // timeout_s is seconds: not a moment sooner.
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeLessThan(10_000);
    const [child] = await readPids(pidFile);
    await waitFor(() => !isAlive(child!), 5000, 'the background child to be killed');
  });

  it('survives a command that exits without reading stdin while stdin keeps coming (EPIPE)', async () => {
    const sandbox = await start();
    const chunks = Array.from({ length: 64 }, () => Buffer.alloc(32 * 1024, 1));
    for (let round = 0; round < 3; round++) {
      const result = await runSession(sandbox, { command: 'exit 3' }, chunks);
      expect(result.terminal).toEqual({ exit_code: 3, finished: true });
    }
    expect((await runSession(sandbox, { command: 'cat' }, ['alive'])).stdout.toString()).toBe('alive');
  });

  it('reports a command that could not run with an error frame and close 1011, worded as the service', async () => {
    const sandbox = await start();
    const missing = await runSession(sandbox, { command: 'no-such-binary-xyz', args: [] });
    expect(missing.texts).toEqual([
      {
        finished: true,
        error: 'resolve "no-such-binary-xyz": executable file not found in PATH',
        code: 'bad_request',
      },
    ]);
    expect(missing.close).toEqual({ code: 1011, reason: 'command did not start' });
    const noDir = await runSession(sandbox, { command: 'true', working_dir: join(dir, 'missing') });
    expect(noDir.texts).toEqual([
      { finished: true, error: 'the command failed to run', code: 'exec_failed' },
    ]);
    expect(noDir.close).toEqual({ code: 1011, reason: 'command did not start' });
  });
});

describe('/exec/connect: client frames', () => {
  it('writes stdin frames in order, ends stdin on stdin_close, and output keeps flowing until exit', async () => {
    const sandbox = await start();
    const result = await runSession(sandbox, { command: 'cat; sleep 0.1; echo after' }, [
      'one\n',
      Buffer.from([0xff, 0x00, 0x0a]),
      'three',
    ]);
    expect(result.stdout).toEqual(
      Buffer.concat([
        Buffer.from('one\n'),
        Buffer.from([0xff, 0, 0x0a]),
        Buffer.from('three'),
        Buffer.from('after\n'),
      ]),
    );
    expect(result.terminal).toEqual({ exit_code: 0, finished: true });
  });

  it('takes stdin frames sent right after the start frame, before the process has started', async () => {
    const sandbox = await start();
    const chunks = Array.from({ length: 50 }, (_, i) => `line ${i}\n`);
    const result = await runSession(sandbox, { command: 'cat', working_dir: dir }, chunks);
    expect(result.stdout.toString()).toBe(chunks.join(''));
  });

  it('signals the whole group for SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGKILL, SIGUSR1 and SIGUSR2', async () => {
    const sandbox = await start();
    for (const [name, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
      ['SIGHUP', 129],
      ['SIGQUIT', 131],
      ['SIGKILL', 137],
      ['SIGUSR1', 138],
      ['SIGUSR2', 140],
    ] as const) {
      const pidFile = join(dir, `${name}.pid`);
      const session = dial(sandbox);
      await session.handshake;
      // The shell waits on a child that holds the output open: only a signal to the whole group
      // reaches both (the child alone surviving would hold the run open).
      session.ws.send(JSON.stringify({ command: `echo ready; sh -c 'echo $$ > ${pidFile}; exec sleep 30'` }));
      await waitFor(async () => (await readPids(pidFile)).length === 1, 5000, 'the pid file');
      session.ws.send(JSON.stringify({ type: 'signal', name }));
      const result = resultOf(session, await session.closed);
      expect(result.terminal).toEqual({ exit_code: code, finished: true });
      // The run could only end once the child had closed the output, so it is exiting; under
      // load it may not have finished exiting yet when the close arrives.
      const [child] = await readPids(pidFile);
      await waitFor(() => !isAlive(child!), 5000, `the group's child to be gone after ${name}`);
    }
  });

  it('delivers a signal sent right after the start frame, before the process has spawned', async () => {
    const sandbox = await start();
    const session = dial(sandbox);
    await session.handshake;
    session.ws.send(JSON.stringify({ command: 'sleep 30', working_dir: dir }));
    session.ws.send(JSON.stringify({ type: 'signal', name: 'SIGTERM' }));
    expect(resultOf(session, await session.closed).terminal).toEqual({ exit_code: 143, finished: true });
  });

  it('a command may trap SIGUSR1 and SIGUSR2 and go on', async () => {
    const sandbox = await start();
    const session = dial(sandbox);
    await session.handshake;
    session.ws.send(
      JSON.stringify({
        command:
          "trap 'echo usr1' USR1; trap 'echo usr2' USR2; echo ready; " +
          // A trapped signal interrupts `read`: read again until a line comes.
          'while :; do read line && break; done; echo "got $line"',
      }),
    );
    await waitFor(() => session.frames.some((f) => f.data.includes('ready')), 5000, 'ready');
    session.ws.send(JSON.stringify({ type: 'signal', name: 'SIGUSR1' }));
    await waitFor(() => session.frames.some((f) => f.data.includes('usr1')), 5000, 'the USR1 trap');
    session.ws.send(JSON.stringify({ type: 'signal', name: 'SIGUSR2' }));
    await waitFor(() => session.frames.some((f) => f.data.includes('usr2')), 5000, 'the USR2 trap');
    session.ws.send(stdinFrame('on\n'));
    const result = resultOf(session, await session.closed);
    expect(result.stdout.toString()).toBe('ready\nusr1\nusr2\ngot on\n');
    expect(result.terminal).toEqual({ exit_code: 0, finished: true });
  });

  it('ignores unknown signals (SIGSTOP too), unknown types, bad JSON and unknown binary channels', async () => {
    const sandbox = await start();
    const session = dial(sandbox);
    await session.handshake;
    session.ws.send(JSON.stringify({ command: 'cat' }));
    for (const frame of [
      JSON.stringify({ type: 'signal', name: 'SIGSTOP' }),
      JSON.stringify({ type: 'signal', name: 'SIGCONT' }),
      JSON.stringify({ type: 'signal', name: 'sigkill' }),
      JSON.stringify({ type: 'signal' }),
      JSON.stringify({ type: 'resize', cols: 80 }),
      // A signal's name under another type is not a signal.
      JSON.stringify({ type: 'resize', name: 'SIGTERM' }),
      'null',
      '{not json',
      '"stdin_close"',
      Buffer.from([0x07, 0x41]),
      Buffer.from([0x00]),
    ]) {
      session.ws.send(frame);
    }
    session.ws.send(stdinFrame('still here\n'));
    session.ws.send(JSON.stringify({ type: 'stdin_close' }));
    const result = resultOf(session, await session.closed);
    expect(result.stdout.toString()).toBe('still here\n');
    expect(result.terminal).toEqual({ exit_code: 0, finished: true });
  });

  it('closes 1009 for a frame over maxFrameBytes, start frame or stdin, and kills the command', async () => {
    const sandbox = await start({ maxFrameBytes: 1024 });
    const big = dial(sandbox);
    await big.handshake;
    big.ws.send(JSON.stringify({ command: `echo ${'x'.repeat(2000)}` }));
    expect((await big.closed).code).toBe(1009);

    const pidFile = join(dir, 'frame.pid');
    const session = dial(sandbox);
    await session.handshake;
    session.ws.send(JSON.stringify({ command: `echo $$ > ${pidFile}; cat > /dev/null` }));
    session.ws.send(stdinFrame('fits\n'));
    await waitFor(async () => (await readPids(pidFile)).length === 1, 5000, 'the pid file');
    session.ws.send(stdinFrame(Buffer.alloc(1024)));
    expect((await session.closed).code).toBe(1009);
    const [pid] = await readPids(pidFile);
    await waitFor(() => !isAlive(pid!), 5000, 'the command to be killed');
  });
});

describe('/exec/connect: the connection', () => {
  it('SIGKILLs the group, children included, when the client disconnects at any point', async () => {
    const sandbox = await start();
    for (const [name, leave] of [
      ['close', (ws: WebSocket) => ws.close()],
      ['drop', (ws: WebSocket) => ws.terminate()],
    ] as const) {
      const pidFile = join(dir, `disconnect-${name}.pid`);
      const session = dial(sandbox);
      await session.handshake;
      session.ws.send(
        JSON.stringify({ command: `sleep 30 & echo $! > ${pidFile}; echo $$ >> ${pidFile}; wait` }),
      );
      await waitFor(async () => (await readPids(pidFile)).length === 2, 5000, 'the pid file');
      const pids = await readPids(pidFile);
      expect(pids.every(isAlive)).toBe(true);
      leave(session.ws);
      await waitFor(() => !pids.some(isAlive), 5000, `every process to be killed after ${name}`);
    }
  });

  it('pings every pingIntervalMs: keeps a client that answers, drops one that does not and kills its command', async () => {
    const sandbox = await start({ pingIntervalMs: 100 });
    const answering = await runSession(sandbox, { command: 'sleep 0.5; echo alive' });
    expect(answering.stdout.toString()).toBe('alive\n');

    const pidFile = join(dir, 'ping.pid');
    const silent = dial(sandbox, { autoPong: false });
    await silent.handshake;
    silent.ws.send(JSON.stringify({ command: `echo $$ > ${pidFile}; sleep 30` }));
    await waitFor(async () => (await readPids(pidFile)).length === 1, 5000, 'the pid file');
    expect(await silent.closed).toEqual({ code: 1006, reason: '' });
    const [pid] = await readPids(pidFile);
    await waitFor(() => !isAlive(pid!), 5000, 'the command to be killed');
  });

  it('close() ends every session (1001) and kills its command', async () => {
    const options = await sandboxes.start();
    const pidFile = join(dir, 'close.pid');
    const session = dial(options.sandbox);
    await session.handshake;
    session.ws.send(JSON.stringify({ command: `echo $$ > ${pidFile}; sleep 30` }));
    await waitFor(async () => (await readPids(pidFile)).length === 1, 5000, 'the pid file');
    await options.sandbox.close();
    expect(await session.closed).toEqual({ code: 1001, reason: 'sandbox is shutting down' });
    const [pid] = await readPids(pidFile);
    expect(isAlive(pid!)).toBe(false);
  });
});

describe('/exec/connect: backpressure, in this process', () => {
  it('does not read the socket while the command does not read stdin: the client keeps what it sent', async () => {
    const sandbox = await start();
    const session = dial(sandbox);
    await session.handshake;
    session.ws.send(JSON.stringify({ command: 'sleep 30' }));
    const chunk = stdinFrame(Buffer.alloc(1024 * 1024, 'x'));
    for (let i = 0; i < 64; i++) session.ws.send(chunk);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // Had the server kept reading into memory, the client's buffer would have drained.
    expect(session.ws.bufferedAmount).toBeGreaterThan(32 * 1024 * 1024);
    session.ws.terminate();
    await session.closed;
  });

  it('pauses the pipes while the client does not read: the command stays blocked on its output', async () => {
    const sandbox = await start();
    const pidFile = join(dir, 'blocked.pid');
    const session = dial(sandbox);
    await session.handshake;
    session.ws.send(JSON.stringify({ command: `echo $$ > ${pidFile}; exec head -c 200000000 /dev/zero` }));
    await waitFor(() => session.frames.length > 0, 5000, 'the first output');
    session.ws.pause();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const [pid] = await readPids(pidFile);
    // Had the server kept reading the pipe, head would have written its 200 MB and exited.
    expect(isAlive(pid!)).toBe(true);
    session.ws.resume();
    const result = resultOf(session, await session.closed);
    expect(result.stdout.length).toBe(200_000_000);
  });
});

describe('/exec/connect: backpressure, with the sandbox in a process of its own', () => {
  let server: SandboxProcess | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('stops reading the socket while the command does not read stdin: 64 MiB sent, memory bounded', async () => {
    server = await startSandboxProcess();
    const session = dial(server);
    await session.handshake;
    // `sleep` never reads its stdin: once the pipe is full, the server must stop reading.
    session.ws.send(JSON.stringify({ command: 'sleep 30' }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = server.rss();
    const chunk = stdinFrame(Buffer.alloc(1024 * 1024, 'x'));
    for (let i = 0; i < 64; i++) session.ws.send(chunk);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const growth = server.rss() - before;
    // Most of the 64 MiB must still be on this side: in the client's buffer, not the server's.
    expect(session.ws.bufferedAmount).toBeGreaterThan(32 * 1024 * 1024);
    expect(growth).toBeLessThan(24 * 1024 * 1024);
    session.ws.terminate();
    await session.closed;
  });

  it('pauses the pipes while the client does not read output: the command blocks, memory bounded', async () => {
    server = await startSandboxProcess();
    const session = dial(server);
    await session.handshake;
    session.ws.send(JSON.stringify({ command: 'head -c 200000000 /dev/zero; echo done >&2' }));
    await waitFor(() => session.frames.length > 0, 5000, 'the first output');
    const before = server.rss();
    session.ws.pause();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(server.rss() - before).toBeLessThan(24 * 1024 * 1024);
    // Not finished: with the client not reading, the 200 MB could not all have been sent.
    expect(session.frames.some((f) => !f.binary)).toBe(false);
    session.ws.resume();
    const result = resultOf(session, await session.closed);
    expect(result.stdout.length).toBe(200_000_000);
    expect(result.terminal).toEqual({ exit_code: 0, finished: true });
  });
});
