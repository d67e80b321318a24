import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { lastValueFrom } from 'rxjs';
import { collectOutput, exec$ } from 'superserve-rx';
import { activateTokenProvider } from 'superserve-rx/server';
import { waitFor } from '../helpers/processes';

const root = resolve(__dirname, '../..');
const API_KEY = 'cli-api-key-3b9e71d2c8f0';
const children = new Set<ChildProcess>();
afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
});

/** `superserve-rx serve ...` from source, as a user runs the binary; everything it printed. */
function serve(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', ...args], {
    cwd: root,
    env: { ...process.env, SUPERSERVE_SANDBOX_URL: '', SUPERSERVE_ACCESS_TOKEN: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const printed = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (printed.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (printed.stderr += chunk.toString()));
  const exited = new Promise<number | null>((done) =>
    child.on('close', (code) => {
      children.delete(child);
      done(code);
    }),
  );
  return { child, printed, exited };
}

describe('superserve-rx serve --token-ttl --api-key', () => {
  it('serves tokens that expire and an activate endpoint, and never prints the API key', async () => {
    const { child, printed, exited } = serve(['--token-ttl', '60s', '--api-key', API_KEY]);
    await waitFor(() => printed.stdout.includes('Ctrl-C'), 10_000, 'serve to start');
    const url = /export SUPERSERVE_SANDBOX_URL=(\S+)/.exec(printed.stdout)?.[1];
    const sandboxId = /Sandbox id: (\S+)/.exec(printed.stdout)?.[1];
    const token = /export SUPERSERVE_ACCESS_TOKEN=(\S+)/.exec(printed.stdout)?.[1];
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(printed.stdout).toContain(
      'Tokens expire: a new one every 1 min, each accepted for 1 min to 2 min\n',
    );
    expect(printed.stdout).toContain(
      `Fresh tokens: POST ${url}/sandboxes/${sandboxId}/activate with the header X-API-Key (the key given)\n`,
    );
    const accessToken = activateTokenProvider({ apiKey: API_KEY, sandboxId: sandboxId!, apiUrl: url! });
    const output = await lastValueFrom(
      exec$({ command: 'echo activated' }, { baseUrl: url!, accessToken }).pipe(collectOutput()),
    );
    expect(output.stdout).toBe('activated\n');
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(`${printed.stdout}${printed.stderr}`).not.toContain(API_KEY);
  });

  it('reads a bare number as seconds', async () => {
    const { child, printed, exited } = serve(['--token-ttl', '90']);
    await waitFor(() => printed.stdout.includes('Ctrl-C'), 10_000, 'serve to start');
    expect(printed.stdout).toContain(
      'Tokens expire: a new one every 90 s, each accepted for 90 s to 3 min\n',
    );
    expect(printed.stdout).not.toContain('Fresh tokens');
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it.each([
    [
      ['--token-ttl', 'soon'],
      "superserve-rx: serve: --token-ttl expects a duration such as 60s, 90m or 1h, got 'soon'.\n",
    ],
    [
      ['--token-ttl', '0s'],
      "superserve-rx: serve: --token-ttl expects a duration such as 60s, 90m or 1h, got '0s'.\n",
    ],
    [
      ['--token', 'fixed-token', '--token-ttl', '1h'],
      'superserve-rx: serve: startLocalSandbox: accessToken and tokenTtlMs exclude each other: with tokenTtlMs, tokens are minted\n',
    ],
    [
      ['--api-key', 'secret key'],
      'superserve-rx: serve: startLocalSandbox: apiKey must be non-empty printable ASCII with no spaces\n',
    ],
  ])('refuses %j with a usage error', async (args, stderr) => {
    const { printed, exited } = serve(args);
    expect(await exited).toBe(2);
    expect(printed).toEqual({ stdout: '', stderr });
  });
});
