// Mutation testing of src/ (the CLI aside): `npm run mutate`. Not part of `npm test`.
// Incremental: a run re-tests only the mutants whose code or covering tests changed since the
// last run's reports/stryker-incremental.json; `npm run mutate -- --force` tests them all.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'jest.mutate.config.ts', enableFindRelatedTests: false },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  // Build output and reports need no copy in the sandbox.
  ignorePatterns: ['/coverage', '/dist', '/test-output'],
  // Only src and test are compiled (by ts-jest). The default, every .js/.ts/.html file in the
  // sandbox, made V8 abort ("invalid size error") while Stryker prepared the sandbox.
  disableTypeChecks: '{src,test}/**/*.ts',
  mutate: ['src/**/*.ts', '!src/cli/**', '!src/index.ts', '!src/server/index.ts', '!src/angular/index.ts'],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 5000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: 80 },
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
};
