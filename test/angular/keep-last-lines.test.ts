import { EMPTY, NEVER } from 'rxjs';
import { keepLastLines } from '../../src/angular/keep-last-lines';
import { testScheduler } from '../helpers/marbles';

// Each dash is 1 ms of virtual time (TestScheduler.run).
const keep = (keepLines: number, animationFrames = false) => keepLastLines({ keepLines, animationFrames });

describe('keepLastLines', () => {
  it('batches at most once per 16 ms on a timer: the first line at once, the rest 16 ms after the last batch', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('-a-b 20ms c-|');
      expectObservable(source.pipe(keep(2))).toBe('-x 15ms y 8ms (z|)', {
        x: ['a'],
        y: ['a', 'b'],
        z: ['b', 'c'],
      });
    });
  });

  it('puts every line that came between two batches into one', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('a-b-c-d-e-f 20ms |');
      expectObservable(source.pipe(keep(10))).toBe('x 15ms y 14ms |', {
        x: ['a'],
        y: ['a', 'b', 'c', 'd', 'e', 'f'],
      });
    });
  });

  it('keeps only the last keepLines, also of a flood that came between two batches', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('a(bcdefghijklmn)|');
      // The group takes 15 frames: the completion comes at 16 ms.
      expectObservable(source.pipe(keep(3))).toBe('x 15ms (y|)', {
        x: ['a'],
        y: ['l', 'm', 'n'],
      });
    });
  });

  it('follows animation frames where there are some, still no sooner than 16 ms after the last batch', () => {
    testScheduler().run(({ animate, cold, expectObservable }) => {
      // Frames at 10, 20, 30, 40 and 50 ms.
      animate('10ms x 9ms x 9ms x 9ms x 9ms x');
      const source = cold('-a 10ms b 22ms c 20ms |');
      // a (1 ms) waits for the frame at 10; b (12 ms) for 26 ms, then the frame at 30; c (35 ms)
      // for 46 ms, then the frame at 50.
      expectObservable(source.pipe(keep(5, true))).toBe('10ms x 19ms y 19ms z 5ms |', {
        x: ['a'],
        y: ['a', 'b'],
        z: ['a', 'b', 'c'],
      });
    });
  });

  it('sends what is waiting before an error', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('-a-b#', undefined, new Error('boom'));
      expectObservable(source.pipe(keep(5))).toBe('-x--(y#)', { x: ['a'], y: ['a', 'b'] }, new Error('boom'));
    });
  });

  it('sends nothing for no lines (empty, never)', () => {
    testScheduler().run(({ expectObservable }) => {
      expectObservable(EMPTY.pipe(keep(5))).toBe('|');
      expectObservable(NEVER.pipe(keep(5))).toBe('');
    });
  });

  it('unsubscribes from the source and cancels a pending batch when unsubscribed', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b 30ms c|');
      // b's batch was due at 17 ms: unsubscribed at 4 ms, it never comes.
      expectObservable(source.pipe(keep(5)), '^---!').toBe('-x--', { x: ['a'] });
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
  });
});
