import { waitFor } from './processes';

/** How many of each kind of resource keep the event loop alive (`Timeout`, `TCPSocketWrap`...). */
export type ResourceCounts = Readonly<Record<string, number>>;

/** The kinds that a leak would show up as: sockets, servers, timers, child processes and pipes. */
export const LEAK_KINDS = ['TCPSocketWrap', 'TCPServerWrap', 'Timeout', 'ProcessWrap', 'PipeWrap'] as const;

/** Counts `process.getActiveResourcesInfo()` by kind. */
export function activeResources(): ResourceCounts {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/** The kinds of which there are more now than in `baseline`, with both counts. */
export function beyond(baseline: ResourceCounts, now: ResourceCounts = activeResources()): string[] {
  return LEAK_KINDS.filter((kind) => (now[kind] ?? 0) > (baseline[kind] ?? 0)).map(
    (kind) => `${kind}: ${baseline[kind] ?? 0} -> ${now[kind] ?? 0}`,
  );
}

/**
 * Waits until no socket, server, timer, child process or pipe is active beyond `baseline`
 * (closed sockets take a turn of the event loop to go), failing with what is left after `ms`.
 */
export async function expectBackToBaseline(baseline: ResourceCounts, ms = 5000): Promise<void> {
  await waitFor(() => beyond(baseline).length === 0, ms, 'active resources to return to baseline').catch(
    () => {
      throw new Error(`resources beyond baseline: ${beyond(baseline).join(', ')}`);
    },
  );
}
