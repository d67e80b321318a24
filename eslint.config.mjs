import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'coverage/**', 'docs/**', 'node_modules/**', '.stryker-tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    // The root entry runs in browsers: Node built-ins only in server/ and cli/, and fp-ts for
    // types only (the one path native Node ESM resolves, fp-ts/lib, is CommonJS: a second copy of
    // fp-ts in every browser bundle beside the fp-ts/es6 that io-ts brings).
    files: ['src/**/*.ts'],
    ignores: ['src/server/**', 'src/cli/**'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'Node built-ins belong in src/server or src/cli only.' },
            { group: ['rxjs/internal/*'], message: 'Use the public rxjs entry.' },
            {
              group: ['fp-ts', 'fp-ts/*'],
              allowTypeImports: true,
              message: 'Import fp-ts types only; build Eithers with src/codec/either.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    // The same rule for fp-ts in the Node-only code: one way of building Eithers everywhere.
    files: ['src/server/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['fp-ts', 'fp-ts/*'],
              allowTypeImports: true,
              message: 'Import fp-ts types only; build Eithers with src/codec/either.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['examples/browser/**/*.js'],
    languageOptions: { globals: { document: 'readonly', fetch: 'readonly' } },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', 'scripts/**'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
