import fc from 'fast-check';

/** Text with ASCII, 2-, 3- and 4-byte UTF-8 characters, and no CR or LF. */
export const lineText = (): fc.Arbitrary<string> =>
  fc
    .array(fc.constantFrom('a', 'b', ' ', ':', '{', '"', 'é', 'ß', '€', '中', '😀', '𝄞', '\t'), {
      maxLength: 12,
    })
    .map((chars) => chars.join(''));

/** Splits bytes or text into chunks at the given cut points (any positions; reduced, sorted, deduplicated). */
export function splitAt<T extends { readonly length: number; slice(start: number, end?: number): T }>(
  whole: T,
  cuts: ReadonlyArray<number>,
): T[] {
  const points = [...new Set(cuts.map((cut) => cut % (whole.length + 1)))].sort((a, b) => a - b);
  const chunks: T[] = [];
  let start = 0;
  for (const point of points) {
    chunks.push(whole.slice(start, point));
    start = point;
  }
  chunks.push(whole.slice(start));
  return chunks;
}

/** Cut points for {@link splitAt}. */
export const cutPoints = (): fc.Arbitrary<number[]> => fc.array(fc.nat(), { maxLength: 40 });
