import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { defer, lastValueFrom, toArray } from 'rxjs';
import {
  downloadDir$,
  ExecDecodeError,
  ExecHttpError,
  ExecNetworkError,
  ExecRequestError,
  type FileWriteEvent,
  listFiles$,
  PROGRESS_INTERVAL_MS,
  readFile$,
  readTextFile$,
  retryOnExecFailed,
  writeFile$,
  type XmlHttpRequestLike,
} from 'superserve-rx';
import { FAULT_TOKEN, runAgainstFaults, startFaultServer, step } from '../helpers/fault-server';
import { outcome } from '../helpers/outcome';
import { unusedPort } from '../helpers/sse-server';

const json = (status: number, body: unknown, type = 'application/json') => [
  step.head(status, { 'content-type': type }),
  step.write(JSON.stringify(body)),
];

describe('file functions against a fault server', () => {
  it('send the path as the query parameter exactly and the token only in X-Access-Token', async () => {
    const path = '/home/user/a b&c=d/%2e.txt';
    const run = await runAgainstFaults([step.head(200), step.write('x')], (options) =>
      readFile$(path, options),
    );
    const url = new URL(run.request.url, 'http://x');
    expect(url.pathname).toBe('/files');
    expect([...url.searchParams]).toEqual([['path', path]]);
    expect(run.request.headers['x-access-token']).toBe(FAULT_TOKEN);
    expect(run.request.url).not.toContain(FAULT_TOKEN);
    const zip = await runAgainstFaults([step.head(200)], (options) => downloadDir$('/d', options));
    expect(new URL(zip.request.url, 'http://x').searchParams.get('format')).toBe('zip');
    const list = await runAgainstFaults(json(200, { entries: [], truncated: false }), (options) =>
      listFiles$('/d', options),
    );
    expect(new URL(list.request.url, 'http://x').searchParams.get('format')).toBe('json');
    expect(list.values).toEqual([{ entries: [], truncated: false }]);
  });

  it('a body cut mid-way: the chunks that came, then ExecNetworkError in the body phase', async () => {
    const run = await runAgainstFaults(
      [
        step.head(200, { 'content-length': '100' }),
        step.write('x'.repeat(50)),
        step.pause(50),
        step.destroy(),
      ],
      (options) => readFile$('/f', options),
    );
    expect(Buffer.concat(run.values).toString()).toBe('x'.repeat(50));
    expect(run.error).toBeInstanceOf(ExecNetworkError);
    expect(run.error).toMatchObject({
      phase: 'body',
      message: expect.stringMatching(/^GET \/files: reading/),
    });
  });

  it.each([
    [
      'plain text',
      [step.head(404, { 'content-type': 'text/plain' }), step.write('file not found\n')],
      undefined,
      'file not found',
    ],
    [
      '{"error":"..."} as text/plain',
      json(400, { error: 'not a regular file' }, 'text/plain'),
      undefined,
      'not a regular file',
    ],
    [
      'the envelope',
      json(507, { error: { code: 'sandbox_storage_full', message: 'Sandbox storage limit reached.' } }),
      'sandbox_storage_full',
      'Sandbox storage limit reached.',
    ],
  ])('every error shape gives a readable message: %s', async (_name, script, code, message) => {
    const read = await runAgainstFaults(script, (options) => readFile$('/f', options));
    expect(read.error).toBeInstanceOf(ExecHttpError);
    expect((read.error as ExecHttpError).message).toMatch(
      new RegExp(`^GET /files failed with \\d+: ${message.replace('.', '\\.')}$`),
    );
    expect((read.error as ExecHttpError).code).toBe(code);
    expect((read.error as ExecHttpError).body).not.toBe('');
    const write = await runAgainstFaults(script, (options) => writeFile$('/f', 'x', options));
    expect((write.error as ExecHttpError).message).toMatch(/^POST \/files failed with/);
  });

  it('reads nothing of a stream when the connection fails: no value, so a retry loses nothing', async () => {
    let pulls = 0;
    // highWaterMark 0: the stream itself reads nothing ahead, so every pull is the upload's.
    const source = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulls++;
          controller.enqueue(new Uint8Array(10));
        },
      },
      { highWaterMark: 0 },
    );
    const port = await unusedPort();
    const refused = await outcome(
      writeFile$('/f', source, { baseUrl: `http://127.0.0.1:${port}`, accessToken: 't' }),
    );
    expect(refused.error).toMatchObject({ name: 'ExecNetworkError', phase: 'fetch' });
    expect(refused.values).toEqual([]);
    expect(pulls).toBe(0);
    expect(source.locked).toBe(false);
  });

  it('never follows a redirect: a read gets ExecHttpError, an upload refuses it as a network error', async () => {
    const redirect = [step.head(307, { location: 'http://127.0.0.1:9/elsewhere' })];
    const read = await runAgainstFaults(redirect, (options) => readFile$('/f', options));
    expect(read.error).toMatchObject({ name: 'ExecHttpError', status: 307 });
    const write = await runAgainstFaults(redirect, (options) => writeFile$('/f', 'x', options));
    expect(write.error).toMatchObject({ name: 'ExecNetworkError', phase: 'fetch' });
    expect(write.requests).toHaveLength(1);
  });

  it('a listing or a reply that does not decode is ExecDecodeError', async () => {
    const notJson = await runAgainstFaults([step.head(200), step.write('<html>')], (options) =>
      listFiles$('/d', options),
    );
    expect(notJson.error).toBeInstanceOf(ExecDecodeError);
    expect(notJson.error).toMatchObject({
      reason: 'json',
      message: expect.stringMatching(/^undecodable file listing/),
    });
    const wrong = await runAgainstFaults(json(200, { entries: [{ name: 1 }], truncated: false }), (options) =>
      listFiles$('/d', options),
    );
    expect(wrong.error).toMatchObject({
      reason: 'schema',
      issues: expect.arrayContaining([expect.objectContaining({ path: 'entries.0.name' })]),
    });
    const reply = await runAgainstFaults(json(200, { path: '/f' }), (options) =>
      writeFile$('/f', 'x', options),
    );
    expect(reply.error).toBeInstanceOf(ExecDecodeError);
    expect(reply.values.every((e) => e.type === 'progress')).toBe(true);
  });

  it('a 401 asks the provider once for a fresh token and sends a read or a write of bytes again', async () => {
    const script = (request: { headers: IncomingMessage['headers'] }) =>
      request.headers['x-access-token'] === 'fresh'
        ? json(200, { path: '/f', size: 1 })
        : [step.head(401, { 'content-type': 'text/plain' }), step.write('invalid access token\n')];
    for (const make of [
      (o: object) => readTextFile$('/f', o),
      (o: object) => writeFile$('/f', 'x', o),
      (o: object) => writeFile$('/f', new Blob(['x']), o),
    ]) {
      const asked: Array<{ rejected?: string }> = [];
      const provider = (context: { rejected?: string }) => {
        asked.push(context);
        return context.rejected === undefined ? 'stale' : 'fresh';
      };
      const run = await runAgainstFaults(script, (options) =>
        defer(() => make({ ...options, accessToken: provider })),
      );
      expect(run.error).toBeUndefined();
      expect(asked).toEqual([{}, { rejected: 'stale' }]);
      expect(run.requests.map((r) => r.headers['x-access-token'])).toEqual(['stale', 'fresh']);
    }
  });

  it('a write from a stream ends with the 401, after the provider was asked for the next token', async () => {
    const asked: Array<{ rejected?: string }> = [];
    const provider = (context: { rejected?: string }) => {
      asked.push(context);
      return context.rejected === undefined ? 'stale' : 'fresh';
    };
    const run = await runAgainstFaults(
      [step.head(401, { 'content-type': 'text/plain' }), step.write('invalid access token\n')],
      (options) =>
        writeFile$('/f', Readable.from([Buffer.from('abc')]), { ...options, accessToken: provider }),
    );
    expect(run.error).toMatchObject({
      status: 401,
      message: 'POST /files failed with 401: invalid access token',
    });
    expect(asked).toEqual([{}, { rejected: 'stale' }]);
    expect(run.requests).toHaveLength(1);
  });

  it('retryOnExecFailed retries a write that sent nothing; a failure after bytes went out is final', async () => {
    let calls = 0;
    const flaky = await runAgainstFaults(json(200, { path: '/f', size: 3 }), (options) =>
      writeFile$('/f', 'abc', {
        ...options,
        fetch: (input, init) =>
          ++calls === 1 ? Promise.reject(new TypeError('connect ECONNREFUSED')) : fetch(input, init),
      }).pipe(retryOnExecFailed({ delay: 1 })),
    );
    expect(calls).toBe(2);
    expect(flaky.values.at(-1)).toEqual({ type: 'written', path: '/f', size: 3 });
    const busy = await runAgainstFaults(
      (_request, index) =>
        index === 0
          ? [step.head(503, { 'retry-after': '0' }), step.write('sandbox is paused')]
          : json(200, { path: '/f', size: 3 }),
      (options) => writeFile$('/f', 'abc', options).pipe(retryOnExecFailed({ delay: 1 })),
    );
    // The 503 came after the body went out: progress was emitted, so the write is not retried.
    expect(busy.requests).toHaveLength(1);
    expect(busy.error).toMatchObject({ status: 503 });
  });

  it('bad content and a stream of non-bytes are ExecRequestError; a failing source ends the write with its error', async () => {
    const bad = await outcome(
      writeFile$('/f', 42 as never, { baseUrl: 'http://127.0.0.1:9', accessToken: 't' }),
    );
    expect(bad.error).toBeInstanceOf(ExecRequestError);
    expect((bad.error as ExecRequestError).issues).toEqual([
      {
        path: 'content',
        message:
          'expected a string, a Uint8Array, a Blob, a ReadableStream or an AsyncIterable, got a value of type number',
      },
    ]);
    const relative = await outcome(writeFile$('f', 'x', { accessToken: 't' }));
    expect((relative.error as ExecRequestError).issues).toEqual([
      { path: 'path', message: 'expected an absolute path (starting with /)' },
    ]);
    const server = await startFaultServer(json(200, { path: '/f', size: 0 }));
    try {
      const strings = await outcome(
        writeFile$('/f', Readable.from(['text']) as never, { baseUrl: server.url, accessToken: 't' }),
      );
      expect(strings.error).toBeInstanceOf(ExecRequestError);
      const boom = new Error('disk gone');
      async function* failing(): AsyncGenerator<Uint8Array> {
        yield new Uint8Array(10);
        throw boom;
      }
      const failed = await outcome(writeFile$('/f', failing(), { baseUrl: server.url, accessToken: 't' }));
      expect(failed.error).toBe(boom);
    } finally {
      await server.close();
    }
  });
});

describe('writeFile$ progress against a slow server', () => {
  it('at most one per 50 ms, never decreasing, the last with every byte, then written', async () => {
    const total = 16 * 1024 * 1024;
    const server = createServer((request, response) => {
      let size = 0;
      request.on('data', (chunk: Buffer) => {
        size += chunk.length;
        request.pause();
        setTimeout(() => request.resume(), 2);
      });
      request.on('end', () => response.end(JSON.stringify({ path: '/f', size })));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const times: number[] = [];
      const events = await lastValueFrom(
        writeFile$('/f', new Uint8Array(total), { baseUrl, accessToken: 't' }).pipe(toArray()),
      );
      const stamped: FileWriteEvent[] = [];
      const start = performance.now();
      await new Promise<void>((resolve, reject) =>
        writeFile$('/f', new Uint8Array(total), { baseUrl, accessToken: 't' }).subscribe({
          next: (e) => {
            stamped.push(e);
            times.push(performance.now() - start);
          },
          error: reject,
          complete: resolve,
        }),
      );
      for (const run of [events, stamped]) {
        const progress = run.flatMap((e) => (e.type === 'progress' ? [e] : []));
        expect(progress.length).toBeGreaterThan(2);
        const sent = progress.map((e) => e.sentBytes);
        expect(sent).toEqual([...sent].sort((a, b) => a - b));
        expect(progress.at(-1)).toEqual({ type: 'progress', sentBytes: total, totalBytes: total });
        expect(run.at(-1)).toEqual({ type: 'written', path: '/f', size: total });
      }
      const gaps = times.slice(1, -1).map((t, i) => t - times[i]!);
      // Timers may fire a little early; the throttle never lets two through within the interval.
      for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(PROGRESS_INTERVAL_MS - 5);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('writeFile$ through XMLHttpRequest (browsers)', () => {
  class FakeXhr implements XmlHttpRequestLike {
    static instances: FakeXhr[] = [];
    static reply: (xhr: FakeXhr) => void = () => undefined;
    method = '';
    url = '';
    headers: Record<string, string> = {};
    body: unknown;
    status = 0;
    responseText = '';
    aborted = false;
    upload = { onprogress: null as ((event: { loaded: number }) => void) | null };
    onload: ((event: unknown) => void) | null = null;
    onerror: ((event: unknown) => void) | null = null;
    constructor() {
      FakeXhr.instances.push(this);
    }
    open(method: string, url: string) {
      this.method = method;
      this.url = url;
    }
    setRequestHeader(name: string, value: string) {
      this.headers[name.toLowerCase()] = value;
    }
    getResponseHeader() {
      return null;
    }
    send(body: unknown) {
      this.body = body;
      queueMicrotask(() => FakeXhr.reply(this));
    }
    abort() {
      this.aborted = true;
    }
  }
  beforeEach(() => {
    FakeXhr.instances = [];
  });

  it('reports upload.onprogress and the reply, with the token in its header only', async () => {
    FakeXhr.reply = (xhr) => {
      for (const loaded of [0, 2, 5]) xhr.upload.onprogress?.({ loaded });
      Object.assign(xhr, { status: 200, responseText: '{"path":"/f","size":5}' });
      xhr.onload?.({});
    };
    const events = await lastValueFrom(
      writeFile$('/f', 'hello', { baseUrl: 'http://h', accessToken: 'tok', xmlHttpRequest: FakeXhr }).pipe(
        toArray(),
      ),
    );
    expect(events[0]).toEqual({ type: 'progress', sentBytes: 0, totalBytes: 5 });
    expect(events.at(-2)).toEqual({ type: 'progress', sentBytes: 5, totalBytes: 5 });
    expect(events.at(-1)).toEqual({ type: 'written', path: '/f', size: 5 });
    const [xhr] = FakeXhr.instances;
    expect(xhr).toMatchObject({ method: 'POST', url: 'http://h/files?path=%2Ff' });
    expect(xhr!.headers['x-access-token']).toBe('tok');
    expect(xhr!.headers['content-type']).toBe('application/octet-stream');
    expect(Buffer.from(xhr!.body as Uint8Array).toString()).toBe('hello');
  });

  it('gathers a stream into a Blob, refreshes on 401, and maps a network error', async () => {
    FakeXhr.reply = (xhr) => {
      const ok = xhr.headers['x-access-token'] === 'fresh';
      Object.assign(
        xhr,
        ok
          ? { status: 200, responseText: '{"path":"/f","size":3}' }
          : { status: 401, responseText: 'invalid access token' },
      );
      xhr.onload?.({});
    };
    const provider = ({ rejected }: { rejected?: string }) => (rejected ? 'fresh' : 'stale');
    const viaBlob = await outcome(
      writeFile$('/f', new Blob(['abc']), { accessToken: provider, xmlHttpRequest: FakeXhr }),
    );
    expect(viaBlob.values.at(-1)).toEqual({ type: 'written', path: '/f', size: 3 });
    expect(FakeXhr.instances).toHaveLength(2);
    const stream = await outcome(
      writeFile$('/f', Readable.from([Buffer.from('abc')]), {
        accessToken: 'stale',
        xmlHttpRequest: FakeXhr,
      }),
    );
    expect(stream.error).toMatchObject({ status: 401 });
    expect(FakeXhr.instances.at(-1)!.body).toBeInstanceOf(Blob);
    FakeXhr.reply = (xhr) => xhr.onerror?.({});
    const failed = await outcome(writeFile$('/f', 'x', { accessToken: 't', xmlHttpRequest: FakeXhr }));
    expect(failed.error).toMatchObject({ name: 'ExecNetworkError', phase: 'fetch' });
    expect(failed.values).toEqual([]);
  });

  it('unsubscribing aborts the XMLHttpRequest', async () => {
    FakeXhr.reply = () => undefined;
    const subscription = writeFile$('/f', 'x', { accessToken: 't', xmlHttpRequest: FakeXhr }).subscribe();
    await new Promise((resolve) => setTimeout(resolve, 10));
    subscription.unsubscribe();
    expect(FakeXhr.instances[0]!.aborted).toBe(true);
  });
});
