// The contenders of `npm run bench`: each runs one request against the payload server and
// resolves with what it counted, so that every contender is checked to have seen everything.
import { fetchEventSource } from '@microsoft/fetch-event-source';
import { Sandbox } from '@superserve/sdk';
import { createParser } from 'eventsource-parser';
import { exec$, lines, stdoutText } from 'superserve-rx';

/** Where the payload server is. */
export interface Target {
  readonly baseUrl: string;
  readonly accessToken: string;
}

/** What a contender counted: bytes for `raw`, events or lines for the others. */
export type Contender = (target: Target, command: string) => Promise<number>;

const request = (target: Target, command: string): [string, RequestInit] => [
  `${target.baseUrl}/exec/stream`,
  {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      'x-access-token': target.accessToken,
    },
    body: JSON.stringify({ command }),
  },
];

/** Fetch and read the body's bytes: the ceiling of this machine. */
export const raw: Contender = async (target, command) => {
  const response = await fetch(...request(target, command));
  const reader = response.body!.getReader();
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return bytes;
    bytes += value.byteLength;
  }
};

/** The cheapest correct consumer: streaming TextDecoder, eventsource-parser, JSON.parse. */
export const floor: Contender = async (target, command) => {
  const response = await fetch(...request(target, command));
  const reader = response.body!.getReader();
  const text = new TextDecoder();
  let events = 0;
  const parser = createParser({
    onEvent: (message) => {
      const event = JSON.parse(message.data) as { stdout?: string };
      if (event.stdout !== undefined) events++;
    },
  });
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parser.feed(text.decode(value, { stream: true }));
  }
  parser.feed(text.decode());
  return events;
};

/** `exec$`, counting its stdout events. */
export const execEvents: Contender = (target, command) =>
  new Promise((resolve, reject) => {
    let events = 0;
    exec$({ command }, target).subscribe({
      next: (event) => {
        if (event.type === 'stdout') events++;
      },
      error: reject,
      complete: () => resolve(events),
    });
  });

/** `exec$ -> stdoutText() -> lines()`, counting lines. */
export const execLines: Contender = (target, command) =>
  new Promise((resolve, reject) => {
    let count = 0;
    exec$({ command }, target)
      .pipe(stdoutText(), lines())
      .subscribe({
        next: () => count++,
        error: reject,
        complete: () => resolve(count),
      });
  });

/**
 * The vendor SDK's streaming `commands.run` with `onStdout`, counting its callbacks. Its
 * data-plane URL is fixed to the service's host, so its requests are redirected to the
 * payload server by a `fetch` wrapper (one extra function call per request).
 */
export const vendorSdk: Contender = async (target, command) => {
  const realFetch = globalThis.fetch;
  const sandbox = new (Sandbox as unknown as new (...args: unknown[]) => Sandbox)(
    { id: 'bench', name: 'bench', status: 'active', metadata: {} },
    target.accessToken,
    { apiKey: 'bench', baseUrl: target.baseUrl, sandboxHost: 'sandbox.superserve.ai' },
  );
  globalThis.fetch = (input, init) =>
    realFetch(String(input).replace(/^https:\/\/[^/]+/, target.baseUrl), init);
  let events = 0;
  try {
    await sandbox.commands.run(command, { onStdout: () => events++ });
  } finally {
    globalThis.fetch = realFetch;
  }
  return events;
};

/** `@microsoft/fetch-event-source`, JSON-parsing each message, counting stdout events. */
export const fetchEventSourcePeer: Contender = async (target, command) => {
  // It is written for browsers: it reaches for window.setTimeout and, even with openWhenHidden,
  // document.removeEventListener. Node has the timers on globalThis; the document is a stub.
  const browser = globalThis as { window?: unknown; document?: unknown };
  browser.window ??= globalThis;
  browser.document ??= {
    hidden: false,
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
  };
  const [url, init] = request(target, command);
  let events = 0;
  await fetchEventSource(url, {
    ...(init as { method: string; body: string }),
    headers: init.headers as Record<string, string>,
    openWhenHidden: true,
    fetch: globalThis.fetch,
    onmessage: (message) => {
      const event = JSON.parse(message.data) as { stdout?: string };
      if (event.stdout !== undefined) events++;
    },
    onerror: (error: unknown) => {
      throw error; // no retries in a benchmark
    },
  });
  return events;
};
