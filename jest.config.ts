import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
    // Angular ships only ES modules: rewritten to CommonJS for Jest's runtime on Node 20.
    '/node_modules/@angular/.+\\.m?js$': '<rootDir>/test/helpers/esm-to-cjs-transform.mjs',
  },
  transformIgnorePatterns: ['/node_modules/(?!@angular/)'],
  moduleNameMapper: {
    '^superserve-rx$': '<rootDir>/src/index.ts',
    '^superserve-rx/server$': '<rootDir>/src/server/index.ts',
    '^superserve-rx/angular$': '<rootDir>/src/angular/index.ts',
    // Sources import siblings as `./x.js` (native ESM); under Jest they resolve to `./x.ts`.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testTimeout: 20_000,
  // Coverage is measured on the browser-safe core: src/ less the Node-only server and CLI.
  collectCoverageFrom: ['src/**/*.ts', '!src/server/**', '!src/cli/**'],
  coverageReporters: ['text-summary', 'lcov'],
  coverageThreshold: { global: { lines: 95, statements: 95 } },
};

export default config;
