import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import tseslint from 'typescript-eslint';

// Imports that some parts of src/ must never make (each an eslint no-restricted-imports pattern).
const NODE_BUILT_INS = { group: ['node:*'], message: 'Node built-ins belong in src/server or src/cli only.' };
const NODE_ONLY = {
  group: [
    'ws',
    'bufferutil',
    'node-pty',
    '@lydell/node-pty',
    '@lydell/node-pty-*',
    'yazl',
    'yauzl',
    'mime-types',
    'cli-progress',
  ],
  message: 'Node-only packages belong in src/server or src/cli only; take a constructor as an option.',
};
const ANGULAR = { group: ['@angular/*'], message: 'Angular belongs in src/angular only.' };
const RXJS_INTERNAL = { group: ['rxjs/internal/*'], message: 'Use the public rxjs entry.' };
// The one path native Node ESM resolves, fp-ts/lib, is CommonJS: a second copy of fp-ts in every
// browser bundle beside the fp-ts/es6 that io-ts brings. One way of building Eithers everywhere.
const FP_TS_VALUES = {
  group: ['fp-ts', 'fp-ts/*'],
  allowTypeImports: true,
  message: 'Import fp-ts types only; build Eithers with src/codec/either.ts.',
};
const restrictImports = (patterns) => ({
  'no-restricted-imports': 'off',
  '@typescript-eslint/no-restricted-imports': ['error', { patterns }],
});

// The parts of src/ and which others each may import (../shared/STYLE.md, "Layout"), enforced by
// eslint-plugin-boundaries. The browser-safe parts never reach server/ or cli/; the local sandbox
// shares only the wire with the client (codec/, session/'s constants, tokens/), never client/.
const BROWSER_SAFE = ['errors', 'codec', 'sse', 'session', 'tokens', 'client', 'operators'];
const MAY_IMPORT = {
  errors: [],
  codec: ['errors'],
  sse: ['errors', 'codec'],
  session: ['errors', 'codec'],
  tokens: ['errors', 'codec'],
  client: ['errors', 'codec', 'sse', 'session', 'tokens', 'operators'],
  operators: ['errors', 'codec', 'sse', 'session', 'tokens'],
  angular: BROWSER_SAFE,
  server: ['errors', 'codec', 'session', 'tokens'],
  cli: [...BROWSER_SAFE, 'server'],
};

export default tseslint.config(
  { ignores: ['dist/**', 'coverage/**', 'docs/**', 'node_modules/**', '.stryker-tmp/**', 'test-output/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'import/resolver': { typescript: { project: './tsconfig.json' } },
      'boundaries/elements': [
        ...Object.keys(MAY_IMPORT).map((part) => ({ type: part, pattern: `src/${part}` })),
      ],
      // The root barrel is a file of src/ itself, not a part: it is classified as a file.
      'boundaries/files': [{ category: 'entry', pattern: 'src/index.ts' }],
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          policies: [
            ...Object.entries(MAY_IMPORT).map(([part, allowed]) => ({
              from: { element: { type: part } },
              allow: { to: { element: { types: { anyOf: [part, ...allowed] } } } },
            })),
            {
              from: { file: { categories: 'entry' } },
              allow: { to: { element: { types: { anyOf: BROWSER_SAFE } } } },
            },
          ],
        },
      ],
    },
  },
  {
    // The browser-safe parts (everything but server/ and cli/): no Node built-in or Node-only
    // package, no Angular outside angular/.
    files: ['src/**/*.ts'],
    ignores: ['src/server/**', 'src/cli/**', 'src/angular/**'],
    rules: restrictImports([NODE_BUILT_INS, NODE_ONLY, ANGULAR, RXJS_INTERNAL, FP_TS_VALUES]),
  },
  {
    files: ['src/angular/**/*.ts'],
    rules: restrictImports([NODE_BUILT_INS, NODE_ONLY, RXJS_INTERNAL, FP_TS_VALUES]),
  },
  {
    files: ['src/server/**/*.ts', 'src/cli/**/*.ts'],
    rules: restrictImports([ANGULAR, RXJS_INTERNAL, FP_TS_VALUES]),
  },
  {
    files: ['examples/browser/**/*.js'],
    languageOptions: {
      globals: {
        document: 'readonly',
        window: 'readonly',
        fetch: 'readonly',
        Blob: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
      },
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', 'scripts/**'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
