// Run by bench/files.ts in its own process, one measurement per process so that each RSS figure
// starts clean: moves one file through one contender while sampling RSS every 50 ms, and prints
// `{ ms, growth, failure }` as JSON. The sandbox runs in another process (`superserve-rx serve`).
//   files-child.ts <contender> <baseUrl> <token> <from> <to>
import { execFile } from 'node:child_process';
import { closeSync, createReadStream, openAsBlob, openSync, writeFileSync, writeSync } from 'node:fs';
import { promisify } from 'node:util';
import { Sandbox } from '@superserve/sdk';
import { lastValueFrom } from 'rxjs';
import { readFile$, writeFile$ } from 'superserve-rx';

const [contender, baseUrl, accessToken, from, to] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
];
const options = { baseUrl, accessToken };

/** The vendor SDK pointed at the local sandbox: only its fetch's host is changed. */
function vendor(): Sandbox {
  const realFetch = globalThis.fetch;
  globalThis.fetch = (input, init) => realFetch(String(input).replace(/^https:\/\/[^/]+/, baseUrl), init);
  return new (Sandbox as unknown as new (...args: unknown[]) => Sandbox)(
    { id: 'local', name: 'local', status: 'active', metadata: {} },
    accessToken,
    { apiKey: 'unused', baseUrl: 'https://api.local.test', sandboxHost: 'local.test' },
  );
}

const CONTENDERS: Record<string, () => Promise<void>> = {
  cp: async () => {
    await promisify(execFile)('cp', [from, to]);
  },
  // A copy through user space (cp may have the kernel copy, or share, the blocks).
  'cat (user-space copy)': async () => {
    await promisify(execFile)('sh', ['-c', 'cat "$0" > "$1"', from, to]);
  },
  'writeFile$ (fs stream)': async () => {
    await lastValueFrom(writeFile$(to, createReadStream(from, { highWaterMark: 1024 * 1024 }), options));
  },
  'readFile$ (to disk)': async () => {
    const fd = openSync(to, 'w');
    try {
      // A synchronous write per chunk: the disk's pace is the download's pace, nothing piles up.
      await new Promise<void>((resolve, reject) =>
        readFile$(from, options).subscribe({
          next: (chunk) => writeSync(fd, chunk),
          error: reject,
          complete: resolve,
        }),
      );
    } finally {
      closeSync(fd);
    }
  },
  '@superserve/sdk files.write (file Blob)': async () => {
    await vendor().files.write(to, await openAsBlob(from), { timeoutMs: 600_000 });
  },
  '@superserve/sdk files.read (to disk)': async () => {
    writeFileSync(to, await vendor().files.read(from, { timeoutMs: 600_000 }));
  },
};

async function main(): Promise<void> {
  const run = CONTENDERS[contender];
  if (run === undefined) throw new Error(`unknown contender ${contender}`);
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((resolve) => setTimeout(resolve, 100));
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 50);
  const started = performance.now();
  let failure: string | undefined;
  try {
    await run();
  } catch (error) {
    failure = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
  const ms = performance.now() - started;
  peak = Math.max(peak, process.memoryUsage.rss());
  clearInterval(sampler);
  console.log(JSON.stringify({ ms, growth: peak - baseline, failure }));
}

void main();
