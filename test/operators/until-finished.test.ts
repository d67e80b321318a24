import { map } from 'rxjs';
import {
  ExecFailedError,
  ExecIncompleteError,
  type ExecEvent,
  type ExecSessionEvent,
  untilFinished,
} from 'superserve-rx';
import { EVENTS, SESSION_EVENTS, testScheduler } from '../helpers/marbles';

describe('untilFinished', () => {
  it('emits finished, then completes and unsubscribes from the source (the doc diagram)', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--o--o--f--o--|', EVENTS);
      expectObservable(source.pipe(untilFinished())).toBe('--o--o--(f|)', EVENTS);
      expectSubscriptions(source.subscriptions).toBe('^-------!');
    });
  });

  it('errors with ExecFailedError on a failed event', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--o--x--o--|', EVENTS);
      expectObservable(source.pipe(untilFinished())).toBe(
        '--o--#',
        EVENTS,
        new ExecFailedError('spawn failed', 'exec_failed'),
      );
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('errors with ExecIncompleteError when the source completes with no terminal event', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('--o--o--|', EVENTS).pipe(untilFinished())).toBe(
        '--o--o--#',
        EVENTS,
        new ExecIncompleteError(),
      );
      expectObservable(cold<ExecEvent>('|').pipe(untilFinished())).toBe(
        '#',
        undefined,
        new ExecIncompleteError(),
      );
    });
  });

  it('handles one value, never, a source error and early unsubscribe', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      expectObservable(cold('-g', EVENTS).pipe(untilFinished())).toBe('-(g|)', EVENTS);
      expectObservable(cold<ExecEvent>('-').pipe(untilFinished())).toBe('-');
      expectObservable(cold('-o-#', EVENTS, new Error('boom')).pipe(untilFinished())).toBe(
        '-o-#',
        EVENTS,
        new Error('boom'),
      );
      const source = cold('-o-o-o-o-f', EVENTS);
      expectObservable(source.pipe(untilFinished()), '^--!').toBe('-o-', EVENTS);
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('is idempotent', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('-o-e-f-o-|', EVENTS);
      expectObservable(source.pipe(untilFinished(), untilFinished())).toBe('-o-e-(f|)', EVENTS);
    });
  });

  it('passes on an error thrown by an upstream callback', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('-o-o-f', EVENTS).pipe(
        map((event, index) => {
          if (index === 1) throw new Error('callback threw');
          return event;
        }),
      );
      expectObservable(source.pipe(untilFinished())).toBe('-o-#', EVENTS, new Error('callback threw'));
    });
  });
});

describe('untilFinished on session events', () => {
  it('passes bytes through, emits finished, then completes and unsubscribes (types kept)', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<ExecSessionEvent>('-o-p-g-o-|', SESSION_EVENTS);
      const settled = source.pipe(untilFinished());
      // Still session events: the data is bytes.
      const lengths = settled.pipe(map((event) => (event.type === 'finished' ? -1 : event.data.length)));
      expectObservable(lengths).toBe('-a-b-(c|)', { a: 4, b: 2, c: -1 });
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });
});
