import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(__dirname, '../..');

/** Runs a script in plain Node (no Jest, no ts-jest) from the package root. */
function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
}

const script = `
  const { of, lastValueFrom, toArray } = rxjs;
  const decoded = api.decodeExecEvents('{"stdout":"a\\\\nb","timestamp":"t"}');
  const names = Object.keys(api).sort();
  lastValueFrom(of('x\\ny', 'z').pipe(api.lines(), toArray())).then((lines) =>
    console.log(JSON.stringify({ names, decoded, lines, error: new api.ExecHttpError({ status: 401, body: 'no' }).name })),
  );
`;

describe('the built package, from plain Node', () => {
  beforeAll(() => {
    node(['scripts/build.mjs']);
  }, 120_000);

  it('loads as CommonJS and as ESM by its package name, with the same exports', () => {
    const cjs = JSON.parse(
      node(['-e', `const api = require('superserve-rx'); const rxjs = require('rxjs'); ${script}`]),
    );
    const esm = JSON.parse(
      node([
        '--input-type=module',
        '-e',
        `import * as ns from 'superserve-rx'; import * as rxjs from 'rxjs'; const api = { ...ns }; ${script}`,
      ]),
    );
    expect(cjs.lines).toEqual(['x', 'yz']);
    expect(cjs.decoded).toEqual({ _tag: 'Right', right: [{ type: 'stdout', data: 'a\nb', timestamp: 't' }] });
    expect(cjs.error).toBe('ExecHttpError');
    expect(esm).toEqual(cjs);
    expect(cjs.names).toEqual(expect.arrayContaining(['exec$', 'execEither$', 'createExecClient', 'lines']));
  });

  it('serves ./server to both formats, and runs a command end to end from the built code', async () => {
    const run = `
      sandbox.startLocalSandbox().then(async (local) => {
        const result = await rxjs.lastValueFrom(
          api.exec$({ command: 'echo built' }, { baseUrl: local.url, accessToken: local.accessToken }).pipe(api.collectOutput()),
        );
        await local.close();
        console.log(result.stdout.trim());
      });
    `;
    expect(
      node([
        '-e',
        `const api = require('superserve-rx'); const sandbox = require('superserve-rx/server'); const rxjs = require('rxjs'); ${run}`,
      ]),
    ).toBe('built\n');
    expect(
      node([
        '--input-type=module',
        '-e',
        `import * as api from 'superserve-rx'; import * as sandbox from 'superserve-rx/server'; import * as rxjs from 'rxjs'; ${run}`,
      ]),
    ).toBe('built\n');
  });

  it('installs an executable CLI', () => {
    expect(node(['dist/cjs/cli/main.js', 'exec', '--', 'echo from-bin'])).toBe('from-bin\n');
  });
});
