import { TestScheduler } from 'rxjs/testing';
import type { ExecEvent } from 'superserve-rx';

/** A TestScheduler that compares with Jest's deep equality. */
export function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

/** Events for marble diagrams, by letter. */
export const EVENTS = {
  o: { type: 'stdout', data: 'out\n', timestamp: 't1' },
  p: { type: 'stdout', data: 'more', timestamp: 't2' },
  e: { type: 'stderr', data: 'err\n', timestamp: 't3' },
  f: { type: 'finished', exitCode: 0, timestamp: 't4' },
  g: { type: 'finished', exitCode: 3 },
  x: { type: 'failed', code: 'exec_failed', message: 'spawn failed' },
} as const satisfies Record<string, ExecEvent>;
