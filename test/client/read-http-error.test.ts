import { parseRetryAfter } from '../../src/client/read-http-error';

describe('parseRetryAfter', () => {
  it('reads delay-seconds, around whitespace', () => {
    expect(parseRetryAfter('5')).toBe(5000);
    expect(parseRetryAfter(' 12 ')).toBe(12_000);
    expect(parseRetryAfter('0')).toBe(0);
  });

  it('reads an HTTP date as the time until it, never negative', () => {
    const inOneMinute = new Date(Date.now() + 60_000).toUTCString();
    expect(parseRetryAfter(inOneMinute)).toBeGreaterThan(55_000);
    expect(parseRetryAfter(inOneMinute)).toBeLessThanOrEqual(60_000);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:00 GMT')).toBe(0);
  });

  it('is undefined for no header or a value that is neither', () => {
    expect(parseRetryAfter(null)).toBeUndefined();
    for (const value of ['', 'soon', '5s', 'x5', '5x']) expect(parseRetryAfter(value)).toBeUndefined();
  });
});
