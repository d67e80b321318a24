import { InjectionToken } from '@angular/core';
import type { ExecOptions } from '../client/exec-options.js';
import { ExecRequestError } from '../errors/exec-request-error.js';

/** What {@link provideSuperserve} takes: the options, or a function that gives them per run. */
export type SuperserveOptionsSource = ExecOptions | (() => ExecOptions);

/** The options or options function exactly as given to `provideSuperserve` (internal). */
export const SUPERSERVE_OPTIONS_SOURCE = new InjectionToken<SuperserveOptionsSource>(
  'superserve-rx ExecOptions or a function of them',
);

/**
 * The options for one run: `source` itself, or what the function gives, called in the current
 * injection context. A function that throws, or gives something that is not an object, is an
 * `ExecRequestError` (its error the `cause`): the run sends nothing.
 *
 * @param source - What `provideSuperserve` was given.
 */
export function resolveSuperserveOptions(source: SuperserveOptionsSource): ExecOptions {
  if (typeof source !== 'function') return source;
  let options: unknown;
  try {
    options = source();
  } catch (cause) {
    throw new ExecRequestError([{ path: '', message: 'the options function of provideSuperserve threw' }], {
      cause,
    });
  }
  if (typeof options !== 'object' || options === null) {
    throw new ExecRequestError([
      {
        path: '',
        message: `the options function of provideSuperserve must return ExecOptions, got ${options === null ? 'null' : typeof options}`,
      },
    ]);
  }
  return options as ExecOptions;
}
