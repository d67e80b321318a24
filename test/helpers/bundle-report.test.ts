import { gzipSync } from 'node:zlib';
import type { Metafile } from 'esbuild';
import { bundleReport } from './bundle-report';

const metafile = (inputs: Record<string, { bytes: number; format?: 'esm' | 'cjs' }>): Metafile => ({
  inputs: Object.fromEntries(
    Object.entries(inputs).map(([path, { format }]) => [
      path,
      { bytes: 1, imports: [], ...(format && { format }) },
    ]),
  ),
  outputs: {
    'out.js': {
      bytes: 1,
      imports: [],
      exports: [],
      entryPoint: 'app.js',
      inputs: Object.fromEntries(
        Object.entries(inputs).map(([path, { bytes }]) => [path, { bytesInOutput: bytes }]),
      ),
    },
  },
});

describe('bundleReport', () => {
  const output = new TextEncoder().encode('x'.repeat(500));
  const report = bundleReport(
    output,
    metafile({
      'app.js': { bytes: 10, format: 'esm' },
      'node_modules/fp-ts/lib/Either.js': { bytes: 100, format: 'cjs' },
      'node_modules/fp-ts/es6/Either.js': { bytes: 40, format: 'esm' },
      'node_modules/@scope/pkg/index.js': { bytes: 30, format: 'esm' },
      'node_modules/io-ts/node_modules/fp-ts/es6/function.js': { bytes: 5, format: 'esm' },
      'node_modules/plain/script.js': { bytes: 7 },
    }),
  );

  it('adds bytes up per package: the innermost node_modules, scoped names whole, the rest the app', () => {
    expect(report.byPackage).toEqual([
      ['fp-ts', 145],
      ['@scope/pkg', 30],
      ['(app)', 10],
      ['plain', 7],
    ]);
  });

  it('lists every module with its package and format, the largest first', () => {
    expect(report.modules.map((module) => [module.path, module.packageName, module.format])).toEqual([
      ['node_modules/fp-ts/lib/Either.js', 'fp-ts', 'cjs'],
      ['node_modules/fp-ts/es6/Either.js', 'fp-ts', 'esm'],
      ['node_modules/@scope/pkg/index.js', '@scope/pkg', 'esm'],
      ['app.js', '(app)', 'esm'],
      ['node_modules/plain/script.js', 'plain', undefined],
      ['node_modules/io-ts/node_modules/fp-ts/es6/function.js', 'fp-ts', 'esm'],
    ]);
  });

  it('weighs the output itself, minified and gzipped, and sums it up in one line', () => {
    expect(report.minified).toBe(500);
    expect(report.gzip).toBe(gzipSync(output).byteLength);
    expect(report.gzip).toBeLessThan(100);
    expect(report.summary).toBe(
      `500 bytes minified, ${report.gzip} gzip: fp-ts 145, @scope/pkg 30, (app) 10, plain 7`,
    );
  });

  it('refuses a build with several outputs, whose bytes it could not attribute to one bundle', () => {
    const two = metafile({ 'app.js': { bytes: 1 } });
    const outputs = { ...two.outputs, 'chunk.js': two.outputs['out.js']! };
    expect(() => bundleReport(output, { ...two, outputs })).toThrow('expected one output file, got 2');
  });
});
