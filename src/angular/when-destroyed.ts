import type { DestroyRef } from '@angular/core';
import { Observable } from 'rxjs';

/**
 * Emits once, when the first of `refs` is destroyed, or at subscription if one already is.
 * Unsubscribing unregisters its callbacks, so that a finished run leaves none behind.
 *
 * @param refs - Components' or injectors' `DestroyRef`s.
 */
export function whenDestroyed(refs: ReadonlyArray<DestroyRef>): Observable<void> {
  return new Observable<void>((subscriber) => {
    const unregister: Array<() => void> = [];
    for (const ref of refs) {
      try {
        unregister.push(ref.onDestroy(() => subscriber.next()));
      } catch {
        // onDestroy throws once its owner is destroyed (Angular 19 has no `destroyed` flag to
        // ask first): the run ends before it starts.
        subscriber.next();
        break;
      }
    }
    return () => {
      for (const each of unregister) each();
    };
  });
}
