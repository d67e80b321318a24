// The `superserve-rx/angular` entry: decorator-free Angular DI over the client (inject(),
// InjectionToken, makeEnvironmentProviders), so plain tsc builds it and any Angular app uses it.

export type { CommandRun } from './command-run.js';
export { provideSuperserve } from './provide-superserve.js';
export { DEFAULT_KEEP_LINES } from './run-signals.js';
export type { CommandSignals, RunSignalsConfig } from './run-signals.js';
export { SuperserveExec } from './superserve-exec.js';
export { SUPERSERVE_OPTIONS } from './superserve-options.js';
