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
});
