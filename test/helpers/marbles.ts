import { TestScheduler } from 'rxjs/testing';
import type { ExecEvent, ExecSessionEvent } from 'superserve-rx';

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

/** Session events for marble diagrams: bytes, with `é` (C3 A9) split across two frames. */
export const SESSION_EVENTS = {
  o: { type: 'stdout', data: new Uint8Array([0x6f, 0x75, 0x74, 0xc3]) },
  p: { type: 'stdout', data: new Uint8Array([0xa9, 0x0a]) },
  e: { type: 'stderr', data: new Uint8Array([0x65, 0xe2, 0x82]) },
  q: { type: 'stderr', data: new Uint8Array([0xac]) },
  h: { type: 'stdout', data: new Uint8Array([0xe2, 0x82]) },
  f: { type: 'finished', exitCode: 0 },
  g: { type: 'finished', exitCode: 130 },
} as const satisfies Record<string, ExecSessionEvent>;
