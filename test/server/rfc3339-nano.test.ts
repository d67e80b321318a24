import { rfc3339Nano } from '../../src/server/rfc3339-nano';

describe('rfc3339Nano', () => {
  it('is the current UTC time in RFC 3339 with nine fractional digits, never going backwards', () => {
    const before = Date.now();
    const first = rfc3339Nano();
    const second = rfc3339Nano();
    const after = Date.now();
    expect(first).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/);
    // Date.parse keeps milliseconds: the time lies between the two wall-clock readings.
    const ms = Date.parse(first);
    expect(ms).toBeGreaterThanOrEqual(before - 1);
    expect(ms).toBeLessThanOrEqual(after + 1);
    expect(second >= first).toBe(true);
  });
});
