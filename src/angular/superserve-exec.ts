import { DestroyRef, inject, Injector, runInInjectionContext } from '@angular/core';
import { defer, type Observable, takeUntil } from 'rxjs';
import type { ExecEvent } from '../codec/exec-event.js';
import type { ExecRequest } from '../codec/exec-request.js';
import type { ExecSessionEvent } from '../codec/exec-session-event.js';
import { exec$ } from '../client/exec.js';
import type { ExecOptions } from '../client/exec-options.js';
import { execSession$, type ExecSessionIO } from '../client/exec-session.js';
import { terminal$, type TerminalEvent, type TerminalIO } from '../client/terminal.js';
import type { FileListing } from '../codec/file-listing.js';
import { downloadDir$ } from '../client/download-dir.js';
import { listFiles$ } from '../client/list-files.js';
import { readFile$ } from '../client/read-file.js';
import { readTextFile$ } from '../client/read-text-file.js';
import type { FileContent } from '../client/upload-body.js';
import { type FileWriteEvent, writeFile$ } from '../client/write-file.js';
import { type CommandRun, commandRun } from './command-run.js';
import { type CommandSignals, runSignals, type RunSignalsConfig } from './run-signals.js';
import { resolveSuperserveOptions, SUPERSERVE_OPTIONS_SOURCE } from './superserve-options-source.js';
import { whenDestroyed } from './when-destroyed.js';

/** The injection context a method was called in, if any: where it resolves and what ends it. */
interface CallerContext {
  readonly injector: Injector;
  readonly destroyRef: DestroyRef | null;
}

/** The current injection context, or `undefined` outside one (where `inject()` throws). */
function callerContext(): CallerContext | undefined {
  let injector: Injector;
  try {
    injector = inject(Injector);
  } catch {
    return undefined;
  }
  return { injector, destroyRef: inject(DestroyRef, { optional: true }) };
}

/**
 * Runs commands in the sandbox that {@link provideSuperserve} configured: `inject(SuperserveExec)`
 * anywhere under it. Each method starts nothing by itself but what it returns; what it starts
 * ends with the context it was called in.
 *
 * - Called in an injection context (a component's field initializer or constructor,
 *   `runInInjectionContext`), it ends when that context is destroyed: leaving the route kills
 *   the command.
 * - Otherwise (an event handler, a callback), it ends when the injector that provided
 *   `SuperserveExec` is destroyed.
 *
 * Ending means what unsubscribing means: the request is aborted or the session's socket closed,
 * and the sandbox kills the command. With the function form of the options, the function is
 * called once per run (per subscription), in that same injection context, so that it can
 * `inject()` a service that hands out fresh access tokens.
 *
 * @example
 * ```ts
 * @Component({ selector: 'app-tests', template: '<pre>{{ run.lines().join("\\n") }}</pre>' })
 * export class TestsComponent {
 *   readonly run = inject(SuperserveExec).runSignals({ command: 'npm test' });
 * }
 * ```
 */
export class SuperserveExec {
  private readonly injector = inject(Injector);
  private readonly destroyRef = inject(DestroyRef);
  private readonly options = inject(SUPERSERVE_OPTIONS_SOURCE);

  /**
   * `exec$(request, options)` with the provided options: a cold Observable of the run's events,
   * one run per subscription.
   *
   * Errors as `exec$` does (`ExecRequestError` also when the options function throws).
   *
   * @param request - What to run.
   */
  exec$(request: ExecRequest): Observable<ExecEvent> {
    return this.bound((options) => exec$(request, options));
  }

  /**
   * `execSession$(request, io, options)` with the provided options: an interactive session over
   * `GET /exec/connect`, one per subscription. Browsers dial with their own `WebSocket`; on
   * Node 20 provide `webSocket` (the `ws` package's) in the options.
   *
   * Errors as `execSession$` does.
   *
   * @param request - What to run.
   * @param io - Its stdin (completion is EOF) and signals (`'SIGINT'` for Ctrl-C).
   */
  execSession$(request: ExecRequest, io: ExecSessionIO = {}): Observable<ExecSessionEvent> {
    return this.bound((options) => execSession$(request, io, options));
  }

  /**
   * `terminal$(io, options)` with the provided options: an interactive shell in a
   * pseudo-terminal over `GET /terminal`, one per subscription; its output as raw bytes.
   * Browsers dial with their own `WebSocket`; on Node 20 provide `webSocket` in the options.
   *
   * Errors as `terminal$` does.
   *
   * @param io - What is typed (`input`), the terminal's size (`resize`) and signals for the shell.
   */
  terminal$(io: TerminalIO = {}): Observable<TerminalEvent> {
    return this.bound((options) => terminal$(io, options));
  }

  /**
   * `writeFile$(path, content, options)` with the provided options: progress as the bytes go
   * out (a `<progress>` bar's value), then `written`. Errors as `writeFile$` does.
   *
   * @param path - The file's absolute path in the sandbox.
   * @param content - What to write: text, bytes, a `Blob` (a `File` from an `<input>`), a stream.
   */
  writeFile$(path: string, content: FileContent): Observable<FileWriteEvent> {
    return this.bound((options) => writeFile$(path, content, options));
  }

  /**
   * `readFile$(path, options)` with the provided options: the file's bytes as they arrive.
   *
   * @param path - The file's absolute path in the sandbox.
   */
  readFile$(path: string): Observable<Uint8Array> {
    return this.bound((options) => readFile$(path, options));
  }

  /**
   * `readTextFile$(path, options)` with the provided options: the file as UTF-8 text pieces.
   *
   * @param path - The file's absolute path in the sandbox.
   */
  readTextFile$(path: string): Observable<string> {
    return this.bound((options) => readTextFile$(path, options));
  }

  /**
   * `listFiles$(path, options)` with the provided options: one level of a directory.
   *
   * @param path - The directory's absolute path in the sandbox.
   */
  listFiles$(path: string): Observable<FileListing> {
    return this.bound((options) => listFiles$(path, options));
  }

  /**
   * `downloadDir$(path, options)` with the provided options: the directory as a zip's bytes.
   *
   * @param path - The directory's absolute path in the sandbox.
   */
  downloadDir$(path: string): Observable<Uint8Array> {
    return this.bound((options) => downloadDir$(path, options));
  }

  /**
   * A run as `{ lines$, result$ }` sharing one request, started when either is first
   * subscribed: subscribe to both in the same turn (`toSignal`, the `async` pipe and `forkJoin`
   * all do).
   *
   * @param request - What to run.
   */
  run(request: ExecRequest): CommandRun {
    return this.boundRun((options) => exec$(request, options));
  }

  /**
   * An interactive session as `{ lines$, result$ }` sharing one session, as {@link run} does.
   *
   * @param request - What to run.
   * @param io - Its stdin (completion is EOF) and signals (`'SIGINT'` for Ctrl-C).
   */
  session(request: ExecRequest, io: ExecSessionIO = {}): CommandRun {
    return this.boundRun((options) => execSession$(request, io, options));
  }

  /**
   * Starts a run at once and returns it as signals: `running()` is `true` on return; `lines`
   * holds the last `keepLines` stdout lines, updated at most once per 16 ms (on an animation
   * frame in browsers); `result` or `error` is set when it ends. Works in zoneless apps and in
   * a bare injector with no rendering.
   *
   * @param request - What to run.
   * @param config - `keepLines` (default 1,000; a `TypeError` for anything but a positive integer).
   */
  runSignals(request: ExecRequest, config: RunSignalsConfig = {}): CommandSignals {
    return runSignals(this.run(request), config);
  }

  /**
   * `start(options)` per subscription, with the options resolved in the caller's injection
   * context (else the providing injector's), ended by the caller's destroy or the providing
   * injector's, whichever comes first. Every method goes through here, so that each is a line
   * (`terminal$(io) { return this.bound((options) => terminal$(io, options)); }`).
   */
  private bound<T>(start: (options: ExecOptions) => Observable<T>): Observable<T> {
    const { started, ended$ } = this.callContext(start);
    return started.pipe(takeUntil(ended$));
  }

  /**
   * {@link bound} for `{ lines$, result$ }`: the end applies to each of them rather than to the
   * events, so that a destroy completes both instead of leaving `result$` a run without its end.
   */
  private boundRun(start: (options: ExecOptions) => Observable<ExecEvent | ExecSessionEvent>): CommandRun {
    const { started, ended$ } = this.callContext(start);
    return commandRun(started, ended$);
  }

  private callContext<T>(start: (options: ExecOptions) => Observable<T>): {
    readonly started: Observable<T>;
    readonly ended$: Observable<void>;
  } {
    const caller = callerContext();
    const injector = caller?.injector ?? this.injector;
    const source = this.options;
    return {
      started: defer(() => start(runInInjectionContext(injector, () => resolveSuperserveOptions(source)))),
      ended$: whenDestroyed([this.destroyRef, ...(caller?.destroyRef ? [caller.destroyRef] : [])]),
    };
  }
}
