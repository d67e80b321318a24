/** Builds fetch `Response`s with real `ReadableStream` bodies for transport tests. */

const encoder = new TextEncoder();

/** What a fake body did: how much was read and whether the client cancelled it. */
export interface BodyProbe {
  cancelled: boolean;
  pulls: number;
}

/**
 * A `Response` whose body yields `chunks` (strings are UTF-8 encoded) one per pull, then ends
 * (or errors with `failWith`, or stays open forever with `hang`).
 */
export function streamResponse(
  chunks: ReadonlyArray<string | Uint8Array>,
  init: ResponseInit & { failWith?: unknown; hang?: boolean } = {},
  probe: BodyProbe = { cancelled: false, pulls: 0 },
): Response {
  let index = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      probe.pulls++;
      const chunk = chunks[index++];
      if (chunk !== undefined) {
        controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
      } else if (init.failWith !== undefined) {
        controller.error(init.failWith);
      } else if (!init.hang) {
        controller.close();
      } else {
        return new Promise<void>(() => undefined);
      }
      return undefined;
    },
    cancel() {
      probe.cancelled = true;
    },
  });
  const { failWith: _failWith, hang: _hang, ...responseInit } = init;
  return new Response(body, {
    status: 200,
    ...responseInit,
    headers: { 'content-type': 'text/event-stream', ...(responseInit.headers as Record<string, string>) },
  });
}

/** A recorded call of {@link fakeFetch}. */
export interface FetchCall {
  url: string;
  init: RequestInit;
}

/** A `fetch` double that answers each call with `respond()` and records the calls. */
export function fakeFetch(respond: (call: FetchCall) => Response | Promise<Response>): typeof fetch & {
  calls: FetchCall[];
} {
  const calls: FetchCall[] = [];
  const impl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const call = { url: String(input), init: init ?? {} };
    calls.push(call);
    return respond(call);
  }) as typeof fetch & { calls: FetchCall[] };
  impl.calls = calls;
  return impl;
}

/** SSE frames for JSON payloads: `data: <json>\n\n` each. */
export function frames(...payloads: ReadonlyArray<object>): string {
  return payloads.map((payload) => `data: ${JSON.stringify(payload)}\n\n`).join('');
}

/** A fixed RFC 3339 timestamp with nanoseconds, as the service writes them. */
export const TS = '2026-11-07T05:31:56.123456789Z';
