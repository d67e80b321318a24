import type { Observable } from 'rxjs';

/** How an Observable ended: the values it emitted, then its error or its completion. */
export interface Outcome<T> {
  readonly values: T[];
  readonly completed: boolean;
  readonly error?: unknown;
}

/** Subscribes and resolves with everything `source` emitted once it errors or completes. */
export function outcome<T>(source: Observable<T>): Promise<Outcome<T>> {
  return new Promise((resolve) => {
    const values: T[] = [];
    source.subscribe({
      next: (value) => values.push(value),
      error: (error: unknown) => resolve({ values, completed: false, error }),
      complete: () => resolve({ values, completed: true }),
    });
  });
}
