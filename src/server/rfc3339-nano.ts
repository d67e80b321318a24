import { hrtime } from 'node:process';

// The wall clock at start-up plus the monotonic clock since: nanosecond digits that never go
// backwards within a server's life, as the service's Go timestamps do.
const startNs = BigInt(Date.now()) * 1_000_000n;
const startHr = hrtime.bigint();

/**
 * The current UTC time in RFC 3339 with nanoseconds, as the service writes event timestamps:
 * `2026-11-07T05:31:56.123456789Z`.
 */
export function rfc3339Nano(): string {
  const ns = startNs + (hrtime.bigint() - startHr);
  const seconds = new Date(Number(ns / 1_000_000n)).toISOString().slice(0, 19);
  return `${seconds}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}Z`;
}
