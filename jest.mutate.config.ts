import type { Config } from 'jest';
import base from './jest.config';

// The suite Stryker runs against each mutant: everything but the slow tests that only exercise
// built code, a bundle or the CLI (not mutated) and the soak. Stryker measures coverage itself.
const {
  collectCoverageFrom: _from,
  coverageReporters: _reporters,
  coverageThreshold: _threshold,
  ...rest
} = base;

const config: Config = {
  ...rest,
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/(cli|examples|soak|package|browser)/'],
};

export default config;
