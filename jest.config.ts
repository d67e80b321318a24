import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
  },
  moduleNameMapper: {
    '^superserve-rx$': '<rootDir>/src/index.ts',
    '^superserve-rx/server$': '<rootDir>/src/server/index.ts',
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
