import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as t from 'io-ts';
import { lastValueFrom, toArray } from 'rxjs';
import { decodeExecEvents, decodeExecRequest, ExecDecodeError, execEither$ } from 'superserve-rx';
import { isLeft, left, right } from '../../src/codec/either';
import { fakeFetch, frames, streamResponse, TS } from '../helpers/sse-response';

// The library builds its Eithers itself (no fp-ts at run time); these check them against fp-ts.

/** An Either's own properties, in order: the shape fp-ts builds, and what JSON.stringify shows. */
const shape = (either: unknown): Array<[string, unknown]> => Object.entries(either as object);
const keys = (either: unknown): string[] => Object.keys(either as object);

/** What fp-ts's own readers make of an Either. */
function readByFpTs(either: E.Either<unknown, unknown>): unknown[] {
  return [
    E.isLeft(either),
    E.isRight(either),
    pipe(
      either,
      E.fold(
        (e) => ['left', e],
        (a) => ['right', a],
      ),
    ),
    pipe(
      either,
      E.match(
        (e) => ['left', e],
        (a) => ['right', a],
      ),
    ),
    pipe(
      either,
      E.map((a) => [a]),
      E.getOrElseW(() => 'none'),
    ),
    E.toUnion(either),
  ];
}

describe('left, right and isLeft', () => {
  it('build the same objects as fp-ts, which fp-ts reads as it reads its own', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        for (const [ours, theirs] of [
          [left(value), E.left(value)],
          [right(value), E.right(value)],
        ] as const) {
          expect(ours).toStrictEqual(theirs);
          expect(shape(ours)).toEqual(shape(theirs));
          expect(readByFpTs(ours)).toEqual(readByFpTs(theirs));
        }
      }),
    );
  });

  it('isLeft agrees with fp-ts on its own Eithers, on fp-ts ones and on io-ts decode results', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const eithers = [left(value), right(value), E.left(value), E.right(value), t.string.decode(value)];
        expect(eithers.map(isLeft)).toEqual(eithers.map(E.isLeft));
      }),
    );
    expect(isLeft(t.number.decode('1'))).toBe(true);
    expect(isLeft(t.number.decode(1))).toBe(false);
  });
});

describe('the Eithers the library returns, read by fp-ts itself', () => {
  it('decodeExecEvents: a Right of the events, a Left of the ExecDecodeError', () => {
    const good = decodeExecEvents(`{"stdout":"hi","timestamp":"${TS}"}`);
    expect(good).toStrictEqual(E.right([{ type: 'stdout', data: 'hi', timestamp: TS }]));
    expect(readByFpTs(good)[3]).toEqual(['right', [{ type: 'stdout', data: 'hi', timestamp: TS }]]);
    const bad = decodeExecEvents('not json');
    expect(keys(bad)).toEqual(['_tag', 'left']);
    expect(
      pipe(
        bad,
        E.match(
          (error) => error.reason,
          () => 'decoded',
        ),
      ),
    ).toBe('json');
  });

  it('decodeExecRequest: a Right of the request, a Left of the issues', () => {
    expect(decodeExecRequest({ command: 'ls', timeout_s: 5 })).toStrictEqual(
      E.right({ command: 'ls', timeout_s: 5 }),
    );
    const bad = decodeExecRequest({ command: '', timeout: 5 });
    expect(E.isLeft(bad)).toBe(true);
    expect(
      pipe(
        bad,
        E.fold(
          (issues) => issues.map((issue) => issue.path),
          () => [],
        ),
      ),
    ).toEqual(['command', 'timeout']);
  });

  it('execEither$: a Right per event, a Left per bad frame', async () => {
    const fetch = fakeFetch(() =>
      streamResponse([frames({ stdout: 'a', timestamp: TS }), 'data: nope\n\n', frames({ exit_code: 0 })]),
    );
    const values = await lastValueFrom(
      execEither$({ command: 'x' }, { accessToken: 'tok', baseUrl: 'https://sandbox.test', fetch }).pipe(
        toArray(),
      ),
    );
    expect(values.map(keys)).toEqual([
      ['_tag', 'right'],
      ['_tag', 'left'],
      ['_tag', 'right'],
    ]);
    expect(values.filter(E.isRight).map((value) => value.right)).toStrictEqual([
      { type: 'stdout', data: 'a', timestamp: TS },
      { type: 'finished', exitCode: 0 },
    ]);
    expect(
      values.map(
        E.matchW(
          (error) => error instanceof ExecDecodeError,
          (event) => event.type,
        ),
      ),
    ).toEqual(['stdout', true, 'finished']);
  });
});
