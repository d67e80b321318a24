import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { type BundleReport, bundleReport } from '../helpers/bundle-report';

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
  const peers = ['rxjs', 'io-ts', 'fp-ts', '@types/node', '@angular/core'].map(
    (name) => `${name}@${versionOf(name)}`,
  );
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
        'package/angular/package.json',
        'package/dist/esm/angular/index.js',
        'package/dist/esm/angular/index.d.ts',
        'package/dist/cjs/angular/index.js',
        'package/dist/cjs/angular/index.d.ts',
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

  // Through Angular's own injector, as an app's root injector would be made.
  const angularScript = (imports: string) => `
    ${imports}
    server.startLocalSandbox().then(async (local) => {
      const root = core.createEnvironmentInjector(
        [angular.provideSuperserve(() => ({ baseUrl: local.url, accessToken: local.accessToken }))],
        core.Injector.create({ providers: [] }),
      );
      const run = root.get(angular.SuperserveExec).runSignals({ command: 'echo from-angular; exit 2' });
      const running = run.running();
      while (run.running()) await new Promise((resolve) => setTimeout(resolve, 10));
      root.destroy();
      await local.close();
      console.log(JSON.stringify({ running, lines: run.lines(), exitCode: run.result().exitCode, names: Object.keys(angular).sort() }));
    });
  `;

  it('imports ./angular as ESM and as CommonJS (require of ES modules, Node >= 20.19), and runs a command', () => {
    const esm = JSON.parse(
      node([
        '--input-type=module',
        '-e',
        angularScript(
          "import * as angular from 'superserve-rx/angular'; import * as server from 'superserve-rx/server'; import * as core from '@angular/core';",
        ),
      ]),
    );
    const cjs = JSON.parse(
      node([
        '--no-warnings',
        '-e',
        angularScript(
          "const angular = require('superserve-rx/angular'); const server = require('superserve-rx/server'); const core = require('@angular/core');",
        ),
      ]),
    );
    expect(esm).toEqual({
      running: true,
      lines: ['from-angular'],
      exitCode: 2,
      names: ['DEFAULT_KEEP_LINES', 'SUPERSERVE_OPTIONS', 'SuperserveExec', 'provideSuperserve'],
    });
    expect(cjs).toEqual(esm);
  });

  it.each(['dist/esm/index.js', 'dist/cjs/index.js', 'dist/esm/server/index.js', 'dist/cjs/server/index.js'])(
    'keeps Angular out of %s and everything it imports',
    async (file) => {
      const { metafile } = await build({
        absWorkingDir: consumer,
        entryPoints: [join(consumer, 'node_modules/superserve-rx', file)],
        bundle: true,
        platform: 'node',
        write: false,
        metafile: true,
        logLevel: 'silent',
      });
      const reached = Object.entries(metafile.inputs).flatMap(([path, input]) => [
        path,
        ...input.imports.map((each) => each.path),
      ]);
      expect(reached.filter((path) => path.includes('@angular'))).toEqual([]);
    },
  );

  it('installs the superserve-rx binary', () => {
    expect(run(join(consumer, 'node_modules/.bin/superserve-rx'), ['exec', '--', 'echo from-bin'])).toBe(
      'from-bin\n',
    );
  });

  it.each(['node16', 'bundler'])('type-checks a consumer under moduleResolution %s', (resolution) => {
    const code = `
      import { collectOutput, exec$, type ExecOutcomeEvent, isExecHttpError, lines, stdoutText } from 'superserve-rx';
      import { startLocalSandbox, type LocalSandbox } from 'superserve-rx/server';
      import { type CommandSignals, provideSuperserve, SUPERSERVE_OPTIONS, SuperserveExec } from 'superserve-rx/angular';
      export const providers = provideSuperserve(() => ({ baseUrl: 'http://127.0.0.1:1' }));
      export function signals(exec: SuperserveExec): CommandSignals {
        // @ts-expect-error keepLines is a number
        exec.runSignals({ command: 'ls' }, { keepLines: '5' });
        return exec.runSignals({ command: 'ls' }, { keepLines: 5 });
      }
      export const token: typeof SUPERSERVE_OPTIONS = SUPERSERVE_OPTIONS;
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

  describe('bundled for the browser (esbuild, minified ESM, as an app would)', () => {
    const APP =
      "import { exec$, lines, stdoutText } from 'superserve-rx';\nexec$({ command: 'ls' }).pipe(stdoutText(), lines()).subscribe(console.log);\n";
    // The budget for an app that uses exec$, stdoutText and lines: measured 37.1 KB (65.2 KB
    // when the ES module build still imported fp-ts/lib, a second, CommonJS copy of fp-ts).
    const BUDGET_BYTES = 40_000;

    let bundles = 0;
    async function bundle(code: string): Promise<{ text: string; report: BundleReport }> {
      const name = `browser-${++bundles}.js`;
      writeFileSync(join(consumer, name), code);
      const result = await build({
        absWorkingDir: consumer,
        entryPoints: [name],
        bundle: true,
        platform: 'browser',
        format: 'esm',
        write: false,
        metafile: true,
        minify: true,
        logLevel: 'silent',
      });
      const output = result.outputFiles[0]!;
      return { text: output.text, report: bundleReport(output.contents, result.metafile) };
    }
    let app: Promise<{ text: string; report: BundleReport }>;
    beforeAll(() => {
      app = bundle(APP);
      // The figures for the README: printed, not asserted, apart from the budget below.
      return app.then(({ report }) => console.info(`exec$ + stdoutText + lines: ${report.summary}`));
    });
    const paths = (report: BundleReport) => report.modules.map((module) => module.path);

    it('takes the root entry as ES modules and pulls in no Node built-in', async () => {
      const { text, report } = await app;
      expect(paths(report).some((path) => path.includes('superserve-rx/dist/esm/index.js'))).toBe(true);
      expect(paths(report).filter((path) => path.startsWith('node:') || path.includes('/server/'))).toEqual(
        [],
      );
      expect(text).not.toMatch(/["']node:/);
    });

    it('holds no fp-ts/lib module and no CommonJS module at all', async () => {
      const { report } = await app;
      expect(paths(report).filter((path) => path.includes('fp-ts/lib/'))).toEqual([]);
      expect(report.modules.filter((module) => module.format === 'cjs')).toEqual([]);
      expect(report.byPackage.map(([name]) => name)).toEqual(
        expect.arrayContaining(['superserve-rx', 'rxjs', 'io-ts', 'fp-ts', 'eventsource-parser']),
      );
    });

    it(`stays within its budget of ${BUDGET_BYTES.toLocaleString('en-US')} bytes minified`, async () => {
      const { text, report } = await app;
      expect(report.minified).toBe(Buffer.byteLength(text));
      expect(report.minified).toBeLessThanOrEqual(BUDGET_BYTES);
    });

    it.each([
      ['fp-ts/Either', 'keeps it out', false],
      ['fp-ts/lib/Either.js', 'brings the CommonJS copy back', true],
    ])(
      "an app's own import of isRight from %s %s, as the README says",
      async (specifier, _outcome, commonJs) => {
        const { report } = await bundle(
          `import { execEither$ } from 'superserve-rx';\nimport { isRight } from '${specifier}';\n` +
            "execEither$({ command: 'ls' }).subscribe((e) => console.log(isRight(e)));\n",
        );
        console.info(`execEither$ + isRight from ${specifier}: ${report.summary}`);
        expect(paths(report).some((path) => path.includes('fp-ts/lib/'))).toBe(commonJs);
        expect(report.modules.some((module) => module.format === 'cjs')).toBe(commonJs);
      },
    );
  });

  it('has an API reference in which every export is documented (TypeDoc, warnings as errors)', () => {
    const out = join(work, 'api');
    run(join(root, 'node_modules/.bin/typedoc'), ['--out', out, '--logLevel', 'Warn'], root);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('superserve-rx');
    expect(readFileSync(join(out, 'functions/index.exec_.html'), 'utf8')).toContain('Errors with');
  });
});
