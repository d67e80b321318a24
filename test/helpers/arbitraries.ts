import fc from 'fast-check';

/** Text with ASCII, 2-, 3- and 4-byte UTF-8 characters, and no CR or LF. */
export const lineText = (): fc.Arbitrary<string> =>
  fc
    .array(fc.constantFrom('a', 'b', ' ', ':', '{', '"', 'é', 'ß', '€', '中', '😀', '𝄞', '\t'), {
      maxLength: 12,
    })
    .map((chars) => chars.join(''));

/** Splits `bytes` into chunks at the given cut points (any positions, sorted, deduplicated). */
export function splitAt(bytes: Uint8Array, cuts: ReadonlyArray<number>): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

/** Cut points for {@link splitAt}. */
export const cutPoints = (): fc.Arbitrary<number[]> => fc.array(fc.nat(), { maxLength: 40 });
