import { InjectionToken } from '@angular/core';
import type { ExecOptions } from '../client/exec-options.js';

/**
 * The `ExecOptions` that {@link provideSuperserve} was given: where and how `SuperserveExec`
 * runs commands. With the function form, injecting this token calls the function once, in that
 * injection context, and keeps its result for the injector's life; `SuperserveExec` itself calls
 * the function anew for every run.
 *
 * @example
 * ```ts
 * const { baseUrl } = inject(SUPERSERVE_OPTIONS);
 * ```
 */
export const SUPERSERVE_OPTIONS = new InjectionToken<ExecOptions>('superserve-rx ExecOptions');
