// Files in a pipeline: upload a project with progress, run its tests, take the results out.
//   npx tsx examples/files.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { concat, filter, lastValueFrom, map, tap, toArray } from 'rxjs';
import {
  collectOutput,
  downloadDir$,
  exec$,
  isExecHttpError,
  lines,
  listFiles$,
  readTextFile$,
  writeFile$,
} from 'superserve-rx';
import { startLocalSandbox } from 'superserve-rx/server';

async function main(): Promise<void> {
  const sandbox = await startLocalSandbox();
  const options = { baseUrl: sandbox.url, accessToken: sandbox.accessToken };
  // The local sandbox's paths are this machine's: work in a fresh directory.
  const project = mkdtempSync(join(tmpdir(), 'superserve-rx-files-'));
  try {
    // 1. Put the code in: text, and 3 MiB from a stream (read only as fast as it is sent).
    const data = Readable.from(
      (function* () {
        for (let i = 0; i < 3; i++) yield Buffer.alloc(1024 * 1024, 'x');
      })(),
    );
    const uploads = concat(
      writeFile$(`${project}/test.sh`, 'wc -c < data.bin > report.txt\necho ok >> report.txt\n', options),
      writeFile$(`${project}/data.bin`, data, options),
    );
    let lastProgress = 0;
    const written = await lastValueFrom(
      uploads.pipe(
        tap((event) => {
          if (event.type === 'progress') lastProgress = event.sentBytes;
        }),
        filter((event) => event.type === 'written'),
        map((event) => `${event.path.slice(project.length)} ${event.size} bytes`),
        toArray(),
      ),
    );
    console.log(`written: ${written.join(', ')}`);
    console.log(`last progress: ${lastProgress} bytes sent`);

    // 2. Run it, then 3. take the results out: one pipeline, writeFile$ -> exec$ -> readFile$.
    const run = await lastValueFrom(
      exec$({ command: 'sh test.sh', working_dir: project }, options).pipe(collectOutput()),
    );
    console.log(`exit ${run.exitCode}`);
    const report = await lastValueFrom(
      readTextFile$(`${project}/report.txt`, options).pipe(lines(), toArray()),
    );
    console.log(`report: ${report.join(' | ')}`);

    const listing = await lastValueFrom(listFiles$(project, options));
    console.log(
      `listing: ${listing.entries
        .map((e) => e.name)
        .sort()
        .join(' ')}`,
    );
    const zip = await lastValueFrom(downloadDir$(project, options).pipe(toArray()));
    const zipBytes = zip.reduce((sum, chunk) => sum + chunk.byteLength, 0);
    console.log(
      `zip: ${zipBytes > 0 && Buffer.from(zip[0]!.subarray(0, 2)).toString() === 'PK' ? 'PK...' : '?'}`,
    );

    // Errors are typed, with the service's message.
    await lastValueFrom(readTextFile$(`${project}/missing.txt`, options)).catch((error: unknown) => {
      if (isExecHttpError(error)) console.log(`missing: ${error.status} ${error.message}`);
    });
  } finally {
    rmSync(project, { recursive: true, force: true });
    await sandbox.close();
  }
}

void main();
