import { SingleBar } from 'cli-progress';

/** A transfer's progress on a terminal. */
export interface TransferProgress {
  /** The transfer began; `totalBytes` when it is known. */
  start(totalBytes: number | undefined): void;
  /** `bytes` have gone through in all. */
  update(bytes: number): void;
  /** The transfer is over (done or not): the bar is finished and the cursor given back. */
  stop(): void;
}

/** How often the bar is redrawn, at most. */
const FRAMES_PER_SECOND = 10;

/**
 * A progress bar on `stream` (cli-progress: bytes, rate and ETA, redrawn in place) when it is a
 * terminal; nothing at all when it is not, so that a log or a pipe gets no control characters.
 *
 * @param stream - Where the bar goes: the CLI's stderr.
 */
export function transferProgress(stream: { readonly isTTY?: boolean }): TransferProgress {
  if (stream.isTTY !== true)
    return { start: () => undefined, update: () => undefined, stop: () => undefined };
  let bar: SingleBar | undefined;
  let startedAt = 0;
  let total: number | undefined;
  const payload = (bytes: number) => {
    const seconds = (performance.now() - startedAt) / 1000;
    return {
      done: formatBytes(bytes),
      size: total === undefined ? '?' : formatBytes(total),
      speed: seconds > 0 ? `${formatBytes(bytes / seconds)}/s` : '-',
    };
  };
  return {
    start(totalBytes) {
      total = totalBytes;
      startedAt = performance.now();
      bar = new SingleBar({
        stream: stream as NodeJS.WritableStream,
        format:
          total === undefined
            ? '{done} | {speed}'
            : '{bar} {percentage}% | {done} / {size} | {speed} | ETA {eta_formatted}',
        fps: FRAMES_PER_SECOND,
        hideCursor: true,
        etaBuffer: 50,
        barsize: 30,
      });
      bar.start(total ?? 0, 0, payload(0));
    },
    update(bytes) {
      bar?.update(total === undefined ? 0 : Math.min(bytes, total), payload(bytes));
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}

/**
 * Bytes as a person reads them: `512 B`, `1.5 KiB`, `3.2 GiB`.
 *
 * @param bytes - A count of bytes.
 */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${units[unit]}`;
}
