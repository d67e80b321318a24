// Builds dist/esm (ES modules) and dist/cjs (CommonJS), each with type declarations, and marks
// each folder's module format with its own package.json so Node and bundlers read it right.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
rmSync('dist', { recursive: true, force: true });
for (const [config, format] of [
  ['tsconfig.build.esm.json', 'module'],
  ['tsconfig.build.cjs.json', 'commonjs'],
]) {
  execFileSync(process.execPath, [tsc, '-p', config], { stdio: 'inherit' });
  const folder = `dist/${format === 'module' ? 'esm' : 'cjs'}`;
  mkdirSync(folder, { recursive: true });
  writeFileSync(`${folder}/package.json`, `${JSON.stringify({ type: format }, null, 2)}\n`);
}
const cli = 'dist/cjs/cli/main.js';
if (existsSync(cli)) chmodSync(cli, 0o755);
