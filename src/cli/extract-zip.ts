import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type Entry, open, type ZipFile } from 'yauzl';

/**
 * Extracts a zip into a directory (created if missing) with yauzl, a maintained zip reader that
 * refuses entry names that would escape the directory (absolute, `..`) and checks each entry's
 * size and CRC; each file is streamed to disk, one at a time.
 *
 * @param zipPath - The zip on disk.
 * @param into - The directory to extract into.
 */
export async function extractZip(zipPath: string, into: string): Promise<void> {
  await mkdir(into, { recursive: true });
  const zip = await new Promise<ZipFile>((resolve, reject) =>
    open(zipPath, { lazyEntries: true, autoClose: true }, (error, file) =>
      error ? reject(error) : resolve(file),
    ),
  );
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', resolve);
    zip.on('entry', (entry: Entry) => {
      extractEntry(zip, entry, into).then(
        () => zip.readEntry(),
        (error: unknown) => {
          zip.close();
          reject(error);
        },
      );
    });
    zip.readEntry();
  });
}

async function extractEntry(zip: ZipFile, entry: Entry, into: string): Promise<void> {
  const path = join(into, entry.fileName);
  if (entry.fileName.endsWith('/')) {
    await mkdir(path, { recursive: true });
    return;
  }
  await mkdir(dirname(path), { recursive: true });
  const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
    zip.openReadStream(entry, (error, read) => (error ? reject(error) : resolve(read))),
  );
  await pipeline(stream, createWriteStream(path));
}
