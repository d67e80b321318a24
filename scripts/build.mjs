// Builds dist/esm (ES modules) and dist/cjs (CommonJS), each with type declarations, and marks
// each folder's module format with its own package.json so Node and bundlers read it right.
// `--out <dir>` builds into <dir>/esm and <dir>/cjs instead of dist/ (a staged copy of the
// package, built while another build may be using dist/).
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const outFlag = process.argv.indexOf('--out');
const out = outFlag === -1 ? 'dist' : process.argv[outFlag + 1];
if (!out) throw new Error('build: --out needs a directory');
rmSync(out, { recursive: true, force: true });
for (const [config, format] of [
  ['tsconfig.build.esm.json', 'module'],
  ['tsconfig.build.cjs.json', 'commonjs'],
]) {
  const folder = `${out}/${format === 'module' ? 'esm' : 'cjs'}`;
  execFileSync(process.execPath, [tsc, '-p', config, '--outDir', folder], { stdio: 'inherit' });
  mkdirSync(folder, { recursive: true });
  writeFileSync(`${folder}/package.json`, `${JSON.stringify({ type: format }, null, 2)}\n`);
}
const cli = `${out}/cjs/cli/main.js`;
if (existsSync(cli)) chmodSync(cli, 0o755);

// @angular/core ships only ES modules. The CommonJS declarations of superserve-rx/angular import
// only its types, so they say so with resolution-mode 'import': a CommonJS consumer under
// moduleResolution node16 then reads them without TS1479 (TypeScript 5.3+ reads the syntax).
const ANGULAR_IMPORT = /^import (?:type )?\{([^}]*)\} from '@angular\/core';$/gm;
const angularDeclarations = `${out}/cjs/angular`;
for (const name of existsSync(angularDeclarations) ? readdirSync(angularDeclarations) : []) {
  if (!name.endsWith('.d.ts')) continue;
  const file = `${angularDeclarations}/${name}`;
  const text = readFileSync(file, 'utf8').replace(ANGULAR_IMPORT, (_, names) => {
    const bare = names
      .split(',')
      .map((each) => each.trim().replace(/^type /, ''))
      .filter(Boolean);
    return `import type { ${bare.join(', ')} } from '@angular/core' with { 'resolution-mode': 'import' };`;
  });
  const left = text
    .split('\n')
    .filter((line) => line.includes("'@angular/") && !line.includes('resolution-mode'));
  if (left.length > 0)
    throw new Error(`${file}: an @angular import the build cannot rewrite: ${left.join(' | ')}`);
  writeFileSync(file, text);
}
