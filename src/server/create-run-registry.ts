/** A run (a stream, a sync exec or a session) as the server tracks it. */
export interface TrackedRun {
  /** Kills the process group and drops the client: the server is stopping. */
  abort(): void;
  /** Resolves when the process has exited (or never started) and the client is gone. */
  readonly done: Promise<void>;
}

/** The runs of one local sandbox, which share one concurrency limit for their whole life. */
export interface RunRegistry {
  /** Whether `close()` was called: no new run may start. */
  readonly closing: boolean;
  /** Whether the limit is reached, counting requests that hold a slot. */
  full(): boolean;
  /** Takes a slot for a request whose body is still arriving; call the result to give it back. */
  hold(): () => void;
  /** Tracks a run until its `done`. */
  add(run: TrackedRun): void;
  /** Marks the registry closing, aborts every run and resolves when all are done. */
  closeAll(): Promise<void>;
}

/**
 * The registry of every run in flight, so that streams, sync execs and interactive sessions
 * count against one `maxConcurrent`, and `close()` can end them all.
 *
 * @param maxConcurrent - The most runs (and held slots) at once.
 */
export function createRunRegistry(maxConcurrent: number): RunRegistry {
  const runs = new Set<TrackedRun>();
  let held = 0;
  let closing = false;
  return {
    get closing() {
      return closing;
    },
    full: () => runs.size + held >= maxConcurrent,
    hold() {
      held++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        held--;
      };
    },
    add(run) {
      runs.add(run);
      void run.done.then(() => runs.delete(run));
    },
    async closeAll() {
      closing = true;
      await Promise.all(
        [...runs].map((run) => {
          run.abort();
          return run.done;
        }),
      );
    },
  };
}
