import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localSandboxes } from '../helpers/local-sandbox';
import { isAlive, readPids, waitFor } from '../helpers/processes';
import { rawClient } from '../helpers/raw-client';
import { dialTerminal, screen, type, waitForScreen } from '../helpers/raw-terminal';
import type { Dialable, RawSession } from '../helpers/ws-session';

// GET /terminal over real sockets with a raw `ws` client: a real bash in a real
// pseudo-terminal, the wire checked byte by byte.
const sandboxes = localSandboxes();
const open: RawSession[] = [];
afterEach(async () => {
  for (const session of open.splice(0)) session.ws.terminate();
  await sandboxes.closeAll();
});

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'superserve-rx-terminal-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function start(options: Parameters<typeof sandboxes.start>[0] = {}): Promise<Dialable> {
  const { sandbox } = await sandboxes.start({ workingDir: dir, ...options });
  return sandbox;
}

async function terminal(
  sandbox: Dialable,
  options: Parameters<typeof dialTerminal>[1] = {},
): Promise<RawSession> {
  const session = dialTerminal(sandbox, options);
  open.push(session);
  const handshake = await session.handshake;
  if (!handshake.opened) throw new Error(`refused: ${handshake.status} ${handshake.body}`);
  return session;
}

/** Opens a terminal once a slot is free (a closed terminal gives its slot back once its shell is gone). */
async function terminalWhenFree(
  sandbox: Dialable,
  options: Parameters<typeof dialTerminal>[1] = {},
): Promise<RawSession> {
  let session: RawSession | undefined;
  await waitFor(async () => {
    session = dialTerminal(sandbox, options);
    open.push(session);
    return (await session.handshake).opened;
  });
  return session!;
}

describe('/terminal: the handshake', () => {
  it('selects and echoes only superserve.terminal.v1, with Referrer-Policy: no-referrer; the token is never echoed', async () => {
    const sandbox = await start();
    const session = dialTerminal(sandbox);
    open.push(session);
    const handshake = await session.handshake;
    expect(handshake).toMatchObject({ opened: true, protocol: 'superserve.terminal.v1' });
    expect(handshake.opened && handshake.headers['referrer-policy']).toBe('no-referrer');
    expect(JSON.stringify(handshake)).not.toContain(sandbox.accessToken);
  });

  it('refuses in the service order: 429, then 401 missing, 401 invalid, then the Origin (403)', async () => {
    const sandbox = await start({ maxConcurrent: 1, cors: ['http://app.test'] });
    const missing = { protocols: ['superserve.terminal.v1'] };
    const invalid = { protocols: ['superserve.terminal.v1', 'token.wrong'] };
    const foreign = { headers: { Origin: 'http://evil.test:8080' } };
    expect(await dialTerminal(sandbox, missing).handshake).toEqual({
      opened: false,
      status: 401,
      body: 'missing token (pass as Sec-WebSocket-Protocol: token.<value>)\n',
    });
    expect(await dialTerminal(sandbox, invalid).handshake).toEqual({
      opened: false,
      status: 401,
      body: 'invalid access token\n',
    });
    // A bad token from a foreign origin is 401; a good one 403.
    expect(await dialTerminal(sandbox, { ...invalid, ...foreign }).handshake).toMatchObject({ status: 401 });
    const { host } = new URL(sandbox.url);
    expect(await dialTerminal(sandbox, foreign).handshake).toEqual({
      opened: false,
      status: 403,
      body: `request Origin "evil.test:8080" is not authorized for Host "${host}"\n`,
    });
    // The page's own host, an allowed origin, and no Origin at all (Node) pass.
    for (const headers of [{ Origin: sandbox.url }, { Origin: 'http://app.test' }, {}]) {
      const session = await terminalWhenFree(sandbox, { headers });
      session.ws.close();
      await session.closed;
    }
    // With the one slot taken, everything is 429 first, even with no token.
    await terminalWhenFree(sandbox);
    expect(await dialTerminal(sandbox, missing).handshake).toEqual({
      opened: false,
      status: 429,
      body: 'too many connections to sandbox\n',
    });
  });

  it('words a refusal as plain HTTP with Referrer-Policy: no-referrer', async () => {
    const sandbox = await start();
    const { socket, received } = rawClient(Number(new URL(sandbox.url).port));
    socket.write(
      'GET /terminal HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
        'Sec-WebSocket-Protocol: superserve.terminal.v1, token.wrong\r\n\r\n',
    );
    expect((await received).split('\r\n')).toEqual([
      'HTTP/1.1 401 Unauthorized',
      'Connection: close',
      'Content-Type: text/plain; charset=utf-8',
      'Referrer-Policy: no-referrer',
      'Content-Length: 21',
      '',
      'invalid access token\n',
    ]);
  });

  it('answers a plain GET with 426', async () => {
    const sandbox = await start();
    const response = await fetch(`${sandbox.url}/terminal`);
    expect(response.status).toBe(426);
    expect(response.headers.get('upgrade')).toBe('websocket');
  });
});

describe('/terminal: the shell', () => {
  it('runs bash in a pseudo-terminal of 80 x 24, TERM=xterm-256color, in the sandbox directory and environment', async () => {
    const sandbox = await start({ env: { ...process.env, GREETING: 'hello-from-env' } });
    const session = await terminal(sandbox);
    // Typed right after the open, before the shell may exist: queued, never lost.
    type(session, 'echo "<$((6*7))|$(stty size)|$TERM|$PWD|$GREETING|$BASH_VERSION>"\n');
    await waitForScreen(session, /<42\|24 80\|xterm-256color\|[^|]*\|hello-from-env\|\d/);
    expect(screen(session)).toContain(`|${dir}|`);
    expect(session.frames.every((frame) => frame.binary)).toBe(true);
  });

  it('sends output in binary frames of 1 to 16,384 bytes, all of it before close 1000 "shell exited", even a large last burst', async () => {
    const sandbox = await start();
    const session = await terminal(sandbox);
    type(session, 'stty -echo; head -c 3000000 /dev/zero | base64 -w 0; echo; echo TAIL-$((1+1)); exit\n');
    const close = await session.closed;
    expect(close).toEqual({ code: 1000, reason: 'shell exited' });
    const text = screen(session);
    expect(Math.max(...(text.match(/A+/g) ?? []).map((run) => run.length))).toBe(4_000_000);
    expect(text).toMatch(/TAIL-2\r\n(exit\r\n)?$/);
    for (const frame of session.frames) {
      expect(frame.binary).toBe(true);
      expect(frame.data.length).toBeGreaterThanOrEqual(1);
      expect(frame.data.length).toBeLessThanOrEqual(16_384);
    }
  });

  it('resizes on {"type":"resize"} and ignores a zero, negative, fractional, too large or missing size', async () => {
    const sandbox = await start();
    const session = await terminal(sandbox);
    for (const size of [
      { cols: 0, rows: 10 },
      { cols: -1, rows: 10 },
      { cols: 10.5, rows: 10 },
      { cols: 70_000, rows: 10 },
      { cols: 10 },
      { cols: '10', rows: '10' },
    ]) {
      session.ws.send(JSON.stringify({ type: 'resize', ...size }));
    }
    type(session, 'echo "<$(stty size)>"\n');
    await waitForScreen(session, '<24 80>');
    session.ws.send(JSON.stringify({ type: 'resize', cols: 132, rows: 43 }));
    type(session, 'echo "<$(stty size)>"\n');
    await waitForScreen(session, '<43 132>');
  });

  it('interrupts the running program on the byte 0x03, and the prompt comes back', async () => {
    const sandbox = await start();
    const session = await terminal(sandbox);
    const pidFile = join(dir, 'sleep.pid');
    type(session, `sh -c 'echo $$ > ${pidFile}; exec sleep 30'; echo "after $((1+1))"\n`);
    await waitFor(async () => (await readPids(pidFile)).length === 1, 5000, 'the pid file');
    const started = Date.now();
    type(session, '\x03');
    type(session, 'echo "back $((2+2))"\n');
    await waitForScreen(session, 'back 4');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(screen(session)).not.toContain('after 2');
    expect(isAlive((await readPids(pidFile))[0]!)).toBe(false);
  });

  it('delivers the four signals to bash itself: SIGTERM and SIGQUIT are ignored, SIGINT does not reach the program, SIGHUP ends the shell', async () => {
    const sandbox = await start();
    const session = await terminal(sandbox);
    type(session, `echo $$ > ${join(dir, 'bash.pid')}; sleep 1; echo "slept $((3+3))"\n`);
    await waitFor(async () => (await readPids(join(dir, 'bash.pid'))).length === 1, 5000, 'the pid file');
    for (const name of ['SIGTERM', 'SIGQUIT', 'SIGKILL', 'SIGSTOP', 'BOGUS']) {
      session.ws.send(JSON.stringify({ type: 'signal', name }));
    }
    await waitForScreen(session, 'slept 6');
    session.ws.send(JSON.stringify({ type: 'signal', name: 'SIGINT' }));
    // Readline drops the line being typed when SIGINT lands: type until one line gets through.
    const typing = setInterval(() => type(session, 'echo "alive $((4+4))"\n'), 300);
    try {
      await waitForScreen(session, 'alive 8');
    } finally {
      clearInterval(typing);
    }
    session.ws.send(JSON.stringify({ type: 'signal', name: 'SIGHUP' }));
    expect(await session.closed).toEqual({ code: 1000, reason: 'shell exited' });
  });

  it('ignores invalid and unknown text frames', async () => {
    const sandbox = await start();
    const session = await terminal(sandbox);
    for (const frame of [
      'null',
      '{not json',
      '"resize"',
      '{"type":"stdin_close"}',
      '{"type":"nope"}',
      'echo typed-as-text\n',
    ]) {
      session.ws.send(frame);
    }
    type(session, 'echo "still $((5+5))"\n');
    await waitForScreen(session, 'still 10');
    expect(screen(session)).not.toContain('typed-as-text');
  });

  it('takes a message of 65,536 bytes; closes 1009 "read limited at 65537 bytes" past it and kills the shell', async () => {
    const sandbox = await start();
    const session = await terminal(sandbox);
    const pidFile = join(dir, 'big.pid');
    type(session, `stty -echo; echo $$ > ${pidFile}; cat > /dev/null\n`);
    await waitFor(async () => (await readPids(pidFile)).length === 1, 5000, 'the pid file');
    session.ws.send(Buffer.alloc(65_536, 0x61));
    session.ws.send(JSON.stringify({ type: 'resize', cols: 80, rows: 24 }).padEnd(65_536, ' '));
    session.ws.send(Buffer.alloc(65_537, 0x61));
    expect(await session.closed).toEqual({ code: 1009, reason: 'read limited at 65537 bytes' });
    const [pid] = await readPids(pidFile);
    await waitFor(() => !isAlive(pid!), 5000, 'the shell to be killed');
  });

  it('kills the shell and hangs up its foreground job when the client disconnects', async () => {
    const sandbox = await start();
    const session = await terminal(sandbox);
    const pidFile = join(dir, 'job.pid');
    type(session, `echo $$ > ${pidFile}; sh -c 'echo $$ >> ${pidFile}; exec sleep 300'\n`);
    await waitFor(async () => (await readPids(pidFile)).length === 2, 5000, 'both pids');
    session.ws.terminate();
    for (const pid of await readPids(pidFile)) await waitFor(() => !isAlive(pid), 5000, `${pid} to be gone`);
  });

  it('counts in maxConcurrent, and gives the slot back when the terminal ends', async () => {
    const sandbox = await start({ maxConcurrent: 1 });
    const first = await terminal(sandbox);
    expect(await dialTerminal(sandbox).handshake).toMatchObject({ status: 429 });
    type(first, 'exit\n');
    expect((await first.closed).code).toBe(1000);
    await terminalWhenFree(sandbox);
  });

  it('closes 1011 "shell did not start" when the shell cannot start', async () => {
    const notExecutable = join(dir, 'not-a-shell');
    await writeFile(notExecutable, 'x');
    for (const terminalShell of [join(dir, 'missing-shell'), notExecutable]) {
      const sandbox = await start({ terminalShell });
      const session = await terminal(sandbox);
      expect(await session.closed).toEqual({ code: 1011, reason: 'shell did not start' });
    }
  });

  it('runs another shell when told to (a test shell)', async () => {
    const sandbox = await start({ terminalShell: '/bin/sh' });
    const session = await terminal(sandbox);
    type(session, 'echo "sh $((7*6))"; exit\n');
    expect((await session.closed).code).toBe(1000);
    expect(screen(session)).toContain('sh 42');
  });
});

describe('/terminal: limits and backpressure', () => {
  it('cuts an idle terminal with no close frame (1006) and kills its shell', async () => {
    // Long enough for a loaded machine's bash to start and write its pid before going idle.
    const sandbox = await start({ terminalIdleMs: 2000 });
    const session = await terminal(sandbox);
    const pidFile = join(dir, 'idle.pid');
    type(session, `echo $$ > ${pidFile}\n`);
    await waitFor(async () => (await readPids(pidFile)).length === 1, 10_000, 'the pid file');
    expect((await session.closed).code).toBe(1006);
    const [pid] = await readPids(pidFile);
    await waitFor(() => !isAlive(pid!), 5000, 'the shell to be killed');
  });

  it('keeps a terminal with traffic past the idle limit, and cuts it at the session limit', async () => {
    const sandbox = await start({ terminalIdleMs: 600, terminalMaxMs: 2500 });
    const session = await terminal(sandbox);
    const started = Date.now();
    const typing = setInterval(() => type(session, 'true\n'), 150);
    try {
      expect((await session.closed).code).toBe(1006);
    } finally {
      clearInterval(typing);
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
  });

  it('pauses the shell while the client does not read, then sends all of it and closes 1000', async () => {
    const sandbox = await start();
    const session = await terminal(sandbox);
    const progress = join(dir, 'progress');
    type(
      session,
      `stty -echo; for i in $(seq 1 400); do head -c 100000 /dev/zero | tr '\\0' a; echo $i > ${progress}; done; echo; echo DONE-$((1+1)); exit\n`,
    );
    await waitFor(() => screen(session).includes('a'), 5000, 'output');
    session.ws.pause();
    // 40 MB of output: with the client not reading, the loop stalls long before its end.
    let last = '';
    await waitFor(
      async () => {
        const now = await readFile(progress, 'utf8').catch(() => '');
        const stalled = now !== '' && now === last;
        last = now;
        return stalled;
      },
      10_000,
      'the loop to stall',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(Number(last)).toBeLessThan(300);
    session.ws.resume();
    expect(await session.closed).toEqual({ code: 1000, reason: 'shell exited' });
    expect(Math.max(...(screen(session).match(/a+/g) ?? []).map((run) => run.length))).toBe(40_000_000);
    expect(screen(session)).toContain('DONE-2');
  }, 60_000);
});
