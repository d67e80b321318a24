import { gzipSync } from 'node:zlib';
import type { Metafile } from 'esbuild';

/** One module esbuild put into a bundle. */
export interface BundledModule {
  /** Its path as esbuild gives it, relative to the working directory. */
  readonly path: string;
  /** The package it belongs to (the innermost `node_modules/<name>`), or `(app)`. */
  readonly packageName: string;
  /** How esbuild read it: `esm`, `cjs` (which bundlers cannot tree-shake), or `undefined` (neither). */
  readonly format: 'esm' | 'cjs' | undefined;
  /** The minified bytes it contributes to the bundle. */
  readonly bytes: number;
}

/** What a browser bundle weighs and what it is made of. */
export interface BundleReport {
  /** The bundle's size in bytes, as written. */
  readonly minified: number;
  /** Its size gzipped (zlib's default level). */
  readonly gzip: number;
  /** Every module in it, the largest first. */
  readonly modules: ReadonlyArray<BundledModule>;
  /** Bytes per package, the largest first. */
  readonly byPackage: ReadonlyArray<readonly [packageName: string, bytes: number]>;
  /** One line for a test's output: `37,122 bytes minified, 12,107 gzip: rxjs 6,665, ...`. */
  readonly summary: string;
}

const APP = '(app)';

/** The package a module path belongs to: its innermost `node_modules/<name>` or `@scope/name`. */
function packageOf(path: string): string {
  const at = path.lastIndexOf('node_modules/');
  if (at === -1) return APP;
  const [first = '', second = ''] = path.slice(at + 'node_modules/'.length).split('/');
  return first.startsWith('@') ? `${first}/${second}` : first;
}

/**
 * Weighs a bundle and attributes its bytes to packages with esbuild's metafile.
 *
 * @param output - The bundle's bytes (the one output file).
 * @param metafile - The metafile of the build that wrote it.
 */
export function bundleReport(output: Uint8Array, metafile: Metafile): BundleReport {
  const outputs = Object.values(metafile.outputs);
  if (outputs.length !== 1) throw new Error(`expected one output file, got ${outputs.length}`);
  const modules = Object.entries(outputs[0]!.inputs)
    .map(([path, { bytesInOutput }]) => ({
      path,
      packageName: packageOf(path),
      format: metafile.inputs[path]?.format,
      bytes: bytesInOutput,
    }))
    .sort((a, b) => b.bytes - a.bytes);
  const totals = new Map<string, number>();
  for (const { packageName, bytes } of modules)
    totals.set(packageName, (totals.get(packageName) ?? 0) + bytes);
  const byPackage = [...totals].sort((a, b) => b[1] - a[1]);
  const minified = output.byteLength;
  const gzip = gzipSync(output).byteLength;
  const figure = (n: number): string => n.toLocaleString('en-US');
  const summary =
    `${figure(minified)} bytes minified, ${figure(gzip)} gzip: ` +
    byPackage.map(([name, bytes]) => `${name} ${figure(bytes)}`).join(', ');
  return { minified, gzip, modules, byPackage, summary };
}
