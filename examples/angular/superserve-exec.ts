// An Angular service for superserve-rx: standalone APIs (an InjectionToken for the options, a
// provide function, inject(), DestroyRef). Copy this file into an Angular 21 app.
import {
  DestroyRef,
  type EnvironmentProviders,
  inject,
  InjectionToken,
  makeEnvironmentProviders,
} from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { type Observable, share } from 'rxjs';
import {
  collectOutput,
  exec$,
  type ExecEvent,
  type ExecOptions,
  type ExecOutput,
  type ExecRequest,
  execSession$,
  type ExecSessionEvent,
  type ExecSessionIO,
  lines,
  stdoutText,
} from 'superserve-rx';

/**
 * The `ExecOptions` every run and session of {@link SuperserveExec} uses. Sessions dial with the
 * browser's `WebSocket`; on Node 20 (server-side rendering, tests) pass `webSocket` (the `ws`
 * package's).
 */
export const SUPERSERVE_EXEC_OPTIONS = new InjectionToken<ExecOptions>('superserve-rx ExecOptions');

/** One command's run or session: its stdout lines as they arrive, and its result at the end. */
export interface CommandRun {
  /** stdout, line by line. */
  readonly lines$: Observable<string>;
  /** `{ stdout, stderr, exitCode, truncated }` once the command finished; typed errors otherwise. */
  readonly result$: Observable<ExecOutput>;
}

/**
 * Runs commands in the sandbox configured by {@link provideSuperserveExec}, as one-shot runs or
 * interactive sessions. Every run and session is cancelled (its request aborted or its socket
 * closed, so the command killed) when the injector that owns this service is destroyed.
 */
export class SuperserveExec {
  private readonly options = inject(SUPERSERVE_EXEC_OPTIONS);
  private readonly destroyRef = inject(DestroyRef);

  /**
   * Starts a run when `lines$` or `result$` is first subscribed. Both share one request:
   * subscribe to both in the same turn (the `async` pipe, `toSignal` and `forkJoin` all do).
   *
   * @param request - What to run.
   */
  run(request: ExecRequest): CommandRun {
    return this.shared(exec$(request, this.options));
  }

  /**
   * Starts an interactive session (`GET /exec/connect`) when `lines$` or `result$` is first
   * subscribed: the command reads its stdin from `io.stdin` (its completion is EOF) and gets
   * the signals `io.signals` emits (`'SIGINT'` for Ctrl-C). Both share one session, as with
   * {@link SuperserveExec.run}; destroying the injector closes it, and the command is killed.
   *
   * @param request - What to run.
   * @param io - Its stdin and signals, typically `Subject`s the component drives.
   */
  session(request: ExecRequest, io: ExecSessionIO = {}): CommandRun {
    return this.shared(execSession$(request, io, this.options));
  }

  private shared(source$: Observable<ExecEvent | ExecSessionEvent>): CommandRun {
    const events$ = source$.pipe(share());
    return {
      lines$: events$.pipe(stdoutText(), lines(), takeUntilDestroyed(this.destroyRef)),
      result$: events$.pipe(collectOutput(), takeUntilDestroyed(this.destroyRef)),
    };
  }
}

/**
 * Provides {@link SuperserveExec} with its options, for `bootstrapApplication` or a route.
 *
 * @param options - Where and how to run commands.
 * @example
 * ```ts
 * bootstrapApplication(AppComponent, {
 *   providers: [provideSuperserveExec({ baseUrl: environment.sandboxUrl, accessToken: environment.token })],
 * });
 * ```
 */
export function provideSuperserveExec(options: ExecOptions): EnvironmentProviders {
  return makeEnvironmentProviders([
    { provide: SUPERSERVE_EXEC_OPTIONS, useValue: options },
    // A factory rather than @Injectable: no decorators, so no Angular compiler is needed.
    { provide: SuperserveExec, useFactory: () => new SuperserveExec() },
  ]);
}
