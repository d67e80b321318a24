import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { SYNC_OUTPUT_BUDGET_BYTES, SYNC_TRUNCATION_MARKER } from '../../src/server/protocol-constants';
import { jsonStringBytes, longestPrefixWithin } from '../../src/server/exec-endpoint';
import { localSandboxes, post } from '../helpers/local-sandbox';
import { isAlive, readPids, waitFor } from '../helpers/processes';

// POST /exec, the sync endpoint, over real HTTP against the local sandbox.
const sandboxes = localSandboxes();
afterEach(() => sandboxes.closeAll());

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'superserve-rx-sync-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const run = async (options: Parameters<typeof post>[0], request: object) =>
  post(options, { path: '/exec', body: JSON.stringify(request) });

interface SyncAnswer {
  stdout: string;
  stderr: string;
  exit_code: number;
  truncated?: true;
}

describe('POST /exec', () => {
  it('answers 200 JSON {stdout, stderr, exit_code} with spawn and run times, a non-zero exit included', async () => {
    const options = await sandboxes.start();
    const response = await run(options, { command: 'echo out; echo err >&2; sleep 0.1; exit 3' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    const spawnMs = Number(response.headers.get('x-boxd-spawn-ms'));
    const runMs = Number(response.headers.get('x-boxd-run-ms'));
    expect(Number.isInteger(spawnMs) && spawnMs >= 0 && spawnMs < 60_000).toBe(true);
    expect(Number.isInteger(runMs) && runMs >= 100 && runMs < 60_000).toBe(true);
    expect(await response.text()).toBe('{"stdout":"out\\n","stderr":"err\\n","exit_code":3}');
  });

  it('runs as /exec/stream does: sh -c or args, env, working_dir, stdin /dev/null, 124 at timeout_s', async () => {
    const options = await sandboxes.start();
    const shell = (await (
      await run(options, { command: 'echo $WHO; pwd; cat', env: { WHO: 'sync' }, working_dir: dir })
    ).json()) as SyncAnswer;
    expect(shell).toEqual({ stdout: `sync\n${dir}\n`, stderr: '', exit_code: 0 });
    const args = (await (await run(options, { command: 'printf', args: ['%s', '$x'] })).json()) as SyncAnswer;
    expect(args.stdout).toBe('$x');
    const timedOut = (await (
      await run(options, { command: 'echo before; sleep 30', timeout_s: 1 })
    ).json()) as SyncAnswer;
    expect(timedOut).toEqual({ stdout: 'before\n', stderr: '', exit_code: 124 });
  });

  it('answers 400 in text for a missing binary with args, 500 for a missing working_dir', async () => {
    const options = await sandboxes.start();
    const missing = await run(options, { command: 'no-such-binary-xyz', args: [] });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toBe('resolve "no-such-binary-xyz": executable file not found in PATH\n');
    const noDir = await run(options, { command: 'true', working_dir: join(dir, 'missing') });
    expect(noDir.status).toBe(500);
    expect(await noDir.text()).toBe(`chdir ${join(dir, 'missing')}: no such file or directory\n`);
  });

  it('refuses as /exec/stream does: 401, 405 with Allow, 400, and 429 shared with the other endpoints', async () => {
    const options = await sandboxes.start({ maxConcurrent: 1 });
    expect(
      (await post({ ...options, accessToken: 'wrong' }, { path: '/exec', body: '{"command":"true"}' }))
        .status,
    ).toBe(401);
    const get = await fetch(`${options.baseUrl}/exec`, {
      headers: { 'x-access-token': options.accessToken! },
    });
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
    const bad = await post(options, { path: '/exec', body: '{"args":[]}' });
    expect([bad.status, await bad.text()]).toEqual([400, 'command is required\n']);
    const busy = run(options, { command: 'sleep 0.5' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await run(options, { command: 'true' })).status).toBe(429);
    expect((await post(options, { body: '{"command":"true"}' })).status).toBe(429);
    expect((await busy).status).toBe(200);
  });

  it('kills the command when the client goes away before the answer', async () => {
    const options = await sandboxes.start();
    const pidFile = join(dir, 'gone.pid');
    const abort = new AbortController();
    const request = post(options, {
      path: '/exec',
      body: JSON.stringify({ command: `echo $$ > ${pidFile}; sleep 30` }),
      signal: abort.signal,
    });
    void request.catch(() => undefined);
    await waitFor(async () => (await readPids(pidFile)).length === 1, 5000, 'the pid file');
    const [pid] = await readPids(pidFile);
    expect(isAlive(pid!)).toBe(true);
    abort.abort();
    await waitFor(() => !isAlive(pid!), 5000, 'the command to be killed');
  });
});

describe('POST /exec: the shared 8 MiB output budget', () => {
  const answer = async (command: string): Promise<SyncAnswer> => {
    const options = await sandboxes.start();
    const response = await run(options, { command, timeout_s: 60 });
    expect(response.status).toBe(200);
    return (await response.json()) as SyncAnswer;
  };

  it('keeps output of exactly the budget whole, with no truncated field', async () => {
    const result = await answer(`head -c ${SYNC_OUTPUT_BUDGET_BYTES} /dev/zero | tr '\\0' a`);
    expect(result.stdout.length).toBe(SYNC_OUTPUT_BUDGET_BYTES);
    expect(result).not.toHaveProperty('truncated');
    expect(result.stderr).toBe('');
  });

  it('one byte over: the longest prefix that fits, truncated, and the marker line ending stderr', async () => {
    const result = await answer(
      `head -c ${SYNC_OUTPUT_BUDGET_BYTES + 1} /dev/zero | tr '\\0' a; echo late >&2`,
    );
    expect(result.truncated).toBe(true);
    expect(result.stdout).toBe('a'.repeat(SYNC_OUTPUT_BUDGET_BYTES));
    // stderr came after the budget was spent: nothing of it fits, the marker still ends it.
    expect(result.stderr).toBe(SYNC_TRUNCATION_MARKER);
    expect(result.exit_code).toBe(0);
  });

  it('counts JSON-encoded bytes: newlines cost two, so half as many fit', async () => {
    const half = SYNC_OUTPUT_BUDGET_BYTES / 2;
    const fits = await answer(`head -c ${half} /dev/zero | tr '\\0' '\\n'`);
    expect([fits.stdout.length, fits.truncated]).toEqual([half, undefined]);
    const over = await answer(`head -c ${half + 1} /dev/zero | tr '\\0' '\\n'`);
    expect([over.stdout.length, over.truncated]).toEqual([half, true]);
  });

  it('is shared by stdout and stderr: together they keep exactly the budget, each a prefix of its own', async () => {
    const each = SYNC_OUTPUT_BUDGET_BYTES / 2;
    const result = await answer(
      `head -c ${each} /dev/zero | tr '\\0' o; head -c ${each + 100} /dev/zero | tr '\\0' e >&2`,
    );
    expect(result.truncated).toBe(true);
    expect(result.stderr.endsWith(SYNC_TRUNCATION_MARKER)).toBe(true);
    const stderr = result.stderr.slice(0, -SYNC_TRUNCATION_MARKER.length);
    expect(result.stdout.length + stderr.length).toBe(SYNC_OUTPUT_BUDGET_BYTES);
    expect(result.stdout).toBe('o'.repeat(result.stdout.length));
    expect(stderr).toBe('e'.repeat(stderr.length));
  });

  it('keeps nothing of a stream after its first dropped character, even what would still fit', async () => {
    // 'é' costs two bytes where one is left; the 'b' after it would fit but is dropped too.
    const result = await answer(
      `head -c ${SYNC_OUTPUT_BUDGET_BYTES - 1} /dev/zero | tr '\\0' a; printf '\\303\\251'; sleep 0.1; printf b`,
    );
    expect(result.truncated).toBe(true);
    expect(result.stdout).toBe('a'.repeat(SYNC_OUTPUT_BUDGET_BYTES - 1));
    expect(result.stderr).toBe(SYNC_TRUNCATION_MARKER);
  });

  it('drains output past the budget: a command printing 64 MB is never blocked', async () => {
    const result = await answer('head -c 64000000 /dev/zero | tr "\\0" x; echo done');
    expect(result.truncated).toBe(true);
    expect(result.exit_code).toBe(0);
    expect(result.stdout.length).toBe(SYNC_OUTPUT_BUDGET_BYTES);
  });
});

describe('the JSON byte count of the sync budget', () => {
  it('counts as JSON.stringify writes: escapes, multi-byte characters, lone surrogates', () => {
    expect(jsonStringBytes('a"\\\n\u0001é€😀\ud800')).toBe(1 + 2 + 2 + 2 + 6 + 2 + 3 + 4 + 6);
  });

  it('the longest prefix within a budget: whole characters, fits, and one more would not', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-composite', maxLength: 40 }), fc.nat(120), (text, max) => {
        const prefix = longestPrefixWithin(text, max);
        expect(text.startsWith(prefix)).toBe(true);
        expect(jsonStringBytes(prefix)).toBeLessThanOrEqual(max);
        if (prefix.length < text.length) {
          const next = String.fromCodePoint(text.codePointAt(prefix.length)!);
          expect(jsonStringBytes(prefix + next)).toBeGreaterThan(max);
        }
        // Never half of a surrogate pair.
        expect(/[\ud800-\udbff]$/.test(prefix) && /^[\udc00-\udfff]/.test(text.slice(prefix.length))).toBe(
          false,
        );
      }),
    );
  });

  it('prices every code point as JSON.stringify does, lone surrogates included', () => {
    const mismatches: number[] = [];
    for (let code = 0; code <= 0x10ffff; code += 1) {
      const char = String.fromCodePoint(code);
      const cost = jsonStringBytes(char);
      if (longestPrefixWithin(char, cost) !== char || longestPrefixWithin(char, cost - 1) !== '') {
        mismatches.push(code);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('handles every kind of character the same as JSON.stringify', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (text) => {
        expect(jsonStringBytes(longestPrefixWithin(text, Number.MAX_SAFE_INTEGER))).toBe(
          jsonStringBytes(text),
        );
        expect(longestPrefixWithin(text, jsonStringBytes(text))).toBe(text);
      }),
    );
  });
});
