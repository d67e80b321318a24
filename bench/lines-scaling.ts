// Run by bench/run.ts in its own process: the time lines() takes per MB of text at 1 MB and
// at 100 MB, given as one chunk and as one-character chunks.
import { Observable } from 'rxjs';
import { lines } from 'superserve-rx';

const MB = 1024 * 1024;
const text = (size: number): string =>
  'abcdefghijklmnopqrstuvwxyz0123456789ABC\n'.repeat(size / 40 + 1).slice(0, size);

function chunks(whole: string, oneChar: boolean): Observable<string> {
  return new Observable<string>((subscriber) => {
    if (oneChar) for (let i = 0; i < whole.length; i++) subscriber.next(whole[i]!);
    else subscriber.next(whole);
    subscriber.complete();
  });
}

function timeLines(whole: string, oneChar: boolean): number {
  const started = performance.now();
  let count = 0;
  chunks(whole, oneChar)
    .pipe(lines())
    .subscribe(() => count++);
  const ms = performance.now() - started;
  if (count !== Math.ceil(whole.length / 40)) throw new Error(`lines() counted ${count}`);
  return ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const result: Record<string, number> = {};
const small = text(MB);
const large = text(100 * MB);
for (const oneChar of [false, true]) {
  const label = oneChar ? '1-char' : 'one chunk';
  for (let i = 0; i < 5; i++) timeLines(small, oneChar); // warm up
  result[`${label} 1 MB`] = median(Array.from({ length: 21 }, () => timeLines(small, oneChar)));
  result[`${label} 100 MB`] = median(Array.from({ length: 3 }, () => timeLines(large, oneChar))) / 100;
}
console.log(JSON.stringify(result));
