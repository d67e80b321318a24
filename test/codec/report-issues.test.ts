import { show } from '../../src/codec/report-issues';

describe('show', () => {
  it('renders a value as JSON, cut after 60 characters', () => {
    expect(show(undefined)).toBe('nothing');
    expect(show('x'.repeat(58))).toBe(`"${'x'.repeat(58)}"`);
    expect(show('x'.repeat(59))).toBe(`"${'x'.repeat(59)}…`);
    expect(show({ a: [1, null] })).toBe('{"a":[1,null]}');
  });

  it('falls back when JSON cannot render the value', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(show(cyclic)).toBe('[object Object]');
    expect(show(() => 1)).toBe('() => 1');
    expect(show(10n)).toBe('[object BigInt]');
  });
});
