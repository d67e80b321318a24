import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { lastValueFrom, NEVER, of, Subject, toArray } from 'rxjs';
import WebSocket from 'ws';
import {
  collectOutput,
  createExecClient,
  type ExecOptions,
  type ExecSessionEvent,
  execSession$,
  isExecFailedError,
  isExecHttpError,
  lines,
  stdoutText,
} from 'superserve-rx';
import { localSandboxes } from '../helpers/local-sandbox';
import { outcome } from '../helpers/outcome';
import { isAlive, readPids, waitFor } from '../helpers/processes';

// execSession$ against the real local sandbox over real sockets.
const sandboxes = localSandboxes();
afterEach(() => sandboxes.closeAll());

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'superserve-rx-session-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function start(): Promise<ExecOptions> {
  const { sandbox: _sandbox, ...options } = await sandboxes.start();
  return { ...options, webSocket: WebSocket };
}

const stdoutOf = (events: ExecSessionEvent[]): Buffer =>
  Buffer.concat(events.flatMap((event) => (event.type === 'stdout' ? [event.data] : [])));

describe('execSession$ against the local sandbox', () => {
  it('pipes stdin through cat and reads the lines back, then finished', async () => {
    const options = await start();
    const read = await lastValueFrom(
      execSession$({ command: 'cat; echo done' }, { stdin: of('one\n', 'twö\n') }, options).pipe(
        stdoutText(),
        lines(),
        toArray(),
      ),
    );
    expect(read).toEqual(['one', 'twö', 'done']);
  });

  it('delivers output byte-exact, and collectOutput decodes a character split across frames whole', async () => {
    const options = await start();
    const events = await lastValueFrom(
      execSession$({ command: "printf '\\000\\377\\376\\200\\001'" }, {}, options).pipe(toArray()),
    );
    expect([...stdoutOf(events)]).toEqual([0x00, 0xff, 0xfe, 0x80, 0x01]);
    expect(events.at(-1)).toEqual({ type: 'finished', exitCode: 0 });
    const split = await lastValueFrom(
      execSession$(
        { command: "printf '\\360\\237'; sleep 0.2; printf '\\230\\200'; echo e >&2; exit 4" },
        {},
        options,
      ).pipe(collectOutput()),
    );
    expect(split).toEqual({ stdout: '😀', stderr: 'e\n', exitCode: 4, truncated: false });
  });

  it('with no stdin, a command that reads stdin sees EOF at once', async () => {
    const options = await start();
    const result = await lastValueFrom(execSession$({ command: 'wc -c' }, {}, options).pipe(collectOutput()));
    expect(result.stdout.trim()).toBe('0');
  });

  it('interrupts with SIGINT: `sleep 30` ends with 130, and the process is gone', async () => {
    const options = await start();
    const pidFile = join(dir, 'int.pid');
    const signals = new Subject<'SIGINT'>();
    const run = lastValueFrom(
      execSession$(
        { command: `echo $$ > ${pidFile}; echo ready; exec sleep 30` },
        { stdin: NEVER, signals },
        options,
      ).pipe(toArray()),
    );
    await waitFor(async () => (await readPids(pidFile)).length === 1, 5000, 'the pid file');
    signals.next('SIGINT');
    const events = await run;
    expect(events.at(-1)).toEqual({ type: 'finished', exitCode: 130 });
    const [pid] = await readPids(pidFile);
    expect(isAlive(pid!)).toBe(false);
  });

  it('unsubscribing closes the socket and the sandbox kills the command', async () => {
    const options = await start();
    const pidFile = join(dir, 'unsubscribe.pid');
    const subscription = execSession$(
      { command: `echo $$ > ${pidFile}; sleep 30` },
      { stdin: NEVER },
      options,
    ).subscribe();
    await waitFor(async () => (await readPids(pidFile)).length === 1, 5000, 'the pid file');
    const [pid] = await readPids(pidFile);
    subscription.unsubscribe();
    await waitFor(() => !isAlive(pid!), 5000, 'the command to be killed');
  });

  it('stdin that errors ends the session with that error, and the command is killed', async () => {
    const options = await start();
    const pidFile = join(dir, 'stdin-error.pid');
    const boom = new Error('the source broke');
    const stdin = new Subject<string>();
    const result = outcome(
      execSession$({ command: `echo $$ > ${pidFile}; cat > /dev/null` }, { stdin }, options),
    );
    stdin.next('partial');
    await waitFor(async () => (await readPids(pidFile)).length === 1, 5000, 'the pid file');
    const [pid] = await readPids(pidFile);
    stdin.error(boom);
    expect((await result).error).toBe(boom);
    await waitFor(() => !isAlive(pid!), 5000, 'the command to be killed');
  });

  it('a Node stream (AsyncIterable) and a ReadableStream are piped whole', async () => {
    const options = await start();
    const data = Buffer.alloc(3 * 1024 * 1024 + 7, 'z');
    const digest = createHash('sha256').update(data).digest('hex');
    const viaNode = await lastValueFrom(
      execSession$(
        { command: 'sha256sum' },
        { stdin: Readable.from([data.subarray(0, 100), data.subarray(100)]) },
        options,
      ).pipe(collectOutput()),
    );
    expect(viaNode.stdout.split(' ')[0]).toBe(digest);
    const viaWeb = await lastValueFrom(
      execSession$(
        { command: 'sha256sum' },
        { stdin: Readable.toWeb(Readable.from([data])) as ReadableStream<Uint8Array> },
        options,
      ).pipe(collectOutput()),
    );
    expect(viaWeb.stdout.split(' ')[0]).toBe(digest);
  });

  it('any chunking of stdin arrives byte-exact through cat', async () => {
    const options = await start();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 5000 }), { maxLength: 8 }), async (chunks) => {
        const events = await lastValueFrom(
          execSession$({ command: 'cat' }, { stdin: of(...chunks) }, options).pipe(toArray()),
        );
        expect(stdoutOf(events)).toEqual(Buffer.concat(chunks));
      }),
      { numRuns: 25 },
    );
  });

  it('could not run: ExecFailedError with the service code; a wrong token: ExecHttpError 401 without the token', async () => {
    const options = await start();
    const missing = await outcome(execSession$({ command: 'no-such-binary-xyz', args: [] }, {}, options));
    expect(isExecFailedError(missing.error) && missing.error.code).toBe('bad_request');
    const refused = await outcome(
      execSession$({ command: 'true' }, {}, { ...options, accessToken: 'wrong-token' }),
    );
    expect(isExecHttpError(refused.error) && refused.error.status).toBe(401);
    expect(String(refused.error)).toBe(
      'ExecHttpError: GET /exec/connect failed with 401: invalid access token',
    );
  });

  it('createExecClient binds execSession$ to its options', async () => {
    const options = await start();
    const client = createExecClient(options);
    const result = await lastValueFrom(
      client.execSession$({ command: 'cat' }, { stdin: of('bound') }).pipe(collectOutput()),
    );
    expect(result.stdout).toBe('bound');
  });
});
