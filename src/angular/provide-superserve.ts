import { type EnvironmentProviders, inject, makeEnvironmentProviders } from '@angular/core';
import type { ExecOptions } from '../client/exec-options.js';
import { SuperserveExec } from './superserve-exec.js';
import { SUPERSERVE_OPTIONS } from './superserve-options.js';
import { resolveSuperserveOptions, SUPERSERVE_OPTIONS_SOURCE } from './superserve-options-source.js';

/**
 * Provides {@link SuperserveExec} and {@link SUPERSERVE_OPTIONS}, for `bootstrapApplication`'s
 * providers (`app.config.ts`) or a route's.
 *
 * @param options - Where and how to run commands; or a function giving them, called in an
 * injection context once per run (so that it can `inject()` a service that hands out fresh
 * access tokens). A `TypeError` at call time for anything else.
 * @example
 * ```ts
 * export const appConfig: ApplicationConfig = {
 *   providers: [provideSuperserve({ baseUrl: environment.sandboxUrl, accessToken: environment.token })],
 * };
 * ```
 */
export function provideSuperserve(options: ExecOptions | (() => ExecOptions)): EnvironmentProviders {
  if (typeof options !== 'function' && (typeof options !== 'object' || options === null)) {
    throw new TypeError(
      `provideSuperserve: options must be ExecOptions or a function returning them, got ${options === null ? 'null' : typeof options}`,
    );
  }
  return makeEnvironmentProviders([
    { provide: SUPERSERVE_OPTIONS_SOURCE, useValue: options },
    {
      provide: SUPERSERVE_OPTIONS,
      useFactory: () => resolveSuperserveOptions(inject(SUPERSERVE_OPTIONS_SOURCE)),
    },
    // A factory rather than @Injectable: no decorators, so plain tsc builds it, no Angular compiler.
    { provide: SuperserveExec, useFactory: () => new SuperserveExec() },
  ]);
}
