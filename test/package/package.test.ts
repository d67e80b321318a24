import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

// The package as users get it: built, packed, installed from the tarball into a fresh project.
const root = resolve(__dirname, '../..');
const tsc = require.resolve('typescript/bin/tsc');
let work: string;
let consumer: string;
let tarball: string;

function run(command: string, args: string[], cwd = consumer): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
const node = (args: string[]): string => run(process.execPath, args);
const versionOf = (name: string): string =>
  (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
    .version;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'superserve-rx-package-'));
  consumer = join(work, 'consumer');
  run(process.execPath, ['scripts/build.mjs'], root);
  const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], root)) as Array<{
    filename: string;
  }>;
  tarball = join(work, packed!.filename);
  run('mkdir', ['-p', consumer], work);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  // The peers at the versions this repo locks, so that npm's cache from `npm ci` serves them.
  const peers = ['rxjs', 'io-ts', 'fp-ts', '@types/node'].map((name) => `${name}@${versionOf(name)}`);
  run('npm', [
    'install',
    tarball,
    ...peers,
    '--prefer-offline',
    '--no-audit',
    '--no-fund',
    '--ignore-scripts',
  ]);
}, 180_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('holds only what users need', () => {
    const listed = run('tar', ['-tzf', tarball], work).trim().split('\n');
    expect(listed.some((file) => file.startsWith('package/src/') || file.startsWith('package/test/'))).toBe(
      false,
    );
    expect(listed).toEqual(
      expect.arrayContaining([
        'package/package.json',
        'package/README.md',
        'package/LICENSE',
        'package/server/package.json',
        'package/dist/esm/index.js',
        'package/dist/esm/index.d.ts',
        'package/dist/cjs/index.js',
        'package/dist/cjs/index.d.ts',
        'package/dist/esm/server/index.js',
        'package/dist/cjs/server/index.d.ts',
        'package/dist/cjs/cli/main.js',
      ]),
    );
  });

  it('passes publint and Are The Types Wrong with no problems', () => {
    const bin = (name: string): string => join(root, 'node_modules/.bin', name);
    expect(run(bin('publint'), ['--strict'], root)).toMatch(/All good!/);
    const attw = JSON.parse(run(bin('attw'), [tarball, '--format', 'json'], root)) as {
      analysis: { problems: unknown[] };
    };
    expect(attw.analysis.problems).toEqual([]);
  });

  const script = (api: string, server: string, rxjs: string) => `
    ${api} ${server} ${rxjs}
    server.startLocalSandbox().then(async (local) => {
      const result = await rxjs.lastValueFrom(
        api.exec$({ command: 'echo built' }, { baseUrl: local.url, accessToken: local.accessToken }).pipe(api.collectOutput()),
      );
      await local.close();
      console.log(JSON.stringify({ stdout: result.stdout, names: Object.keys(api).sort() }));
    });
  `;

  it('imports the root and ./server as CommonJS and as ESM, with the same API, and runs a command', () => {
    const cjs = JSON.parse(
      node([
        '-e',
        script(
          "const api = require('superserve-rx');",
          "const server = require('superserve-rx/server');",
          "const rxjs = require('rxjs');",
        ),
      ]),
    );
    const esm = JSON.parse(
      node([
        '--input-type=module',
        '-e',
        script(
          "import * as api from 'superserve-rx';",
          "import * as server from 'superserve-rx/server';",
          "import * as rxjs from 'rxjs';",
        ),
      ]),
    );
    expect(cjs.stdout).toBe('built\n');
    expect(esm).toEqual(cjs);
    expect(cjs.names).toEqual(
      expect.arrayContaining(['exec$', 'execEither$', 'execAll$', 'createExecClient', 'lines']),
    );
  });

  it('installs the superserve-rx binary', () => {
    expect(run(join(consumer, 'node_modules/.bin/superserve-rx'), ['exec', '--', 'echo from-bin'])).toBe(
      'from-bin\n',
    );
  });

  it.each(['node16', 'bundler'])('type-checks a consumer under moduleResolution %s', (resolution) => {
    const code = `
      import { collectOutput, exec$, type ExecOutcomeEvent, isExecHttpError, lines, stdoutText } from 'superserve-rx';
      import { startLocalSandbox, type LocalSandbox } from 'superserve-rx/server';
      export async function check(): Promise<number> {
        const sandbox: LocalSandbox = await startLocalSandbox();
        const options = { baseUrl: sandbox.url, accessToken: sandbox.accessToken };
        exec$({ command: 'ls' }, options).pipe(stdoutText(), lines()).subscribe((line: string) => line.length);
        const event: ExecOutcomeEvent = { type: 'finished', exitCode: 0 };
        // @ts-expect-error timeout_s is a number
        exec$({ command: 'ls', timeout_s: '5' }, options);
        return event.type === 'finished' && !isExecHttpError(event) ? event.exitCode : collectOutput.length;
      }
    `;
    const files =
      resolution === 'node16'
        ? {
            'consumer.mts': code,
            'consumer.cts': code.replace('export async function', 'export async function'),
          }
        : { 'consumer.ts': code };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(consumer, name), text);
    writeFileSync(
      join(consumer, `tsconfig.${resolution}.json`),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          target: 'ES2022',
          lib: ['ES2022', 'DOM'],
          types: ['node'],
          module: resolution === 'node16' ? 'Node16' : 'ESNext',
          moduleResolution: resolution === 'node16' ? 'Node16' : 'Bundler',
        },
        files: Object.keys(files),
      }),
    );
    expect(() => run(process.execPath, [tsc, '-p', `tsconfig.${resolution}.json`])).not.toThrow();
    for (const name of Object.keys(files)) rmSync(join(consumer, name));
  });

  it('bundles the root entry for the browser with no Node built-ins', async () => {
    writeFileSync(
      join(consumer, 'browser.js'),
      "import { exec$, lines, stdoutText } from 'superserve-rx';\nexec$({ command: 'ls' }).pipe(stdoutText(), lines()).subscribe(console.log);\n",
    );
    const result = await build({
      absWorkingDir: consumer,
      entryPoints: ['browser.js'],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      minify: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((input) => input.includes('superserve-rx/dist/esm/index.js'))).toBe(true);
    expect(inputs.filter((input) => input.startsWith('node:') || input.includes('/server/'))).toEqual([]);
    const bundle = result.outputFiles[0]!.text;
    expect(bundle).not.toMatch(/["']node:/);
    expect(bundle.length).toBeGreaterThan(10_000);
  });

  it('has an API reference in which every export is documented (TypeDoc, warnings as errors)', () => {
    const out = join(work, 'api');
    run(join(root, 'node_modules/.bin/typedoc'), ['--out', out, '--logLevel', 'Warn'], root);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('superserve-rx');
    expect(readFileSync(join(out, 'functions/index.exec_.html'), 'utf8')).toContain('Errors with');
  });
});
