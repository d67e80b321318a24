import * as t from 'io-ts';

/**
 * io-ts codecs for the wire's scalar rules, named by what they expect so that an issue reads
 * `expected a positive integer, got -1`. They keep the plain TypeScript types (`string`,
 * `number`) rather than brands, so users pass ordinary values.
 */
function refine<A>(
  base: t.Type<A, A, unknown>,
  name: string,
  accept: (a: A) => boolean,
): t.Type<A, A, unknown> {
  return new t.Type<A, A, unknown>(
    name,
    (u): u is A => base.is(u) && accept(u),
    (u, c) => (base.is(u) && accept(u) ? t.success(u) : t.failure(u, c)),
    t.identity,
  );
}

const hasNoNul = (s: string): boolean => !s.includes('\0');

/** A string, possibly empty, with no NUL byte (a process cannot take one). */
export const ProcessString = refine(t.string, 'a string without NUL bytes', hasNoNul);

/** A non-empty string with no NUL byte. */
export const NonEmptyProcessString = refine(
  t.string,
  'a non-empty string without NUL bytes',
  (s) => s.length > 0 && hasNoNul(s),
);

const ENV_NAME = /^[^=\0]+$/;

/**
 * Environment variables: an object of strings whose names are non-empty with no `=` and no NUL.
 * Written out rather than `t.record`, which drops keys its domain rejects instead of failing.
 */
export const EnvRecord = new t.Type<Record<string, string>, Record<string, string>, unknown>(
  'an object of string values',
  (u): u is Record<string, string> =>
    t.UnknownRecord.is(u) &&
    Object.entries(u).every(([name, value]) => ENV_NAME.test(name) && ProcessString.is(value)),
  (u, c) => {
    if (!t.UnknownRecord.is(u)) return t.failure(u, c);
    const errors: t.Errors = [];
    for (const [name, value] of Object.entries(u)) {
      const context = t.appendContext(c, name, ProcessString, value);
      if (!ENV_NAME.test(name)) {
        errors.push({
          value: name,
          context,
          message: 'expected an environment variable name (non-empty, no "=" or NUL)',
        });
      } else if (!ProcessString.is(value)) {
        errors.push({ value, context });
      }
    }
    return errors.length > 0 ? t.failures(errors) : t.success(u as Record<string, string>);
  },
  t.identity,
);

/** A positive safe integer. */
export const PositiveInteger = refine(
  t.number,
  'a positive integer',
  (n) => Number.isSafeInteger(n) && n > 0,
);

/** A safe integer (an exit code). */
export const Integer = refine(t.number, 'an integer', (n) => Number.isSafeInteger(n));
