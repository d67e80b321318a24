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
};

export default config;
