import { lastValueFrom, toArray } from 'rxjs';
import {
  createExecClient,
  exec$,
  ExecDecodeError,
  ExecFailedError,
  ExecIncompleteError,
  type ExecOptions,
} from 'superserve-rx';
import { type BodyProbe, fakeFetch, frames, streamResponse, TS } from '../helpers/sse-response';

const options = (fetch: typeof globalThis.fetch): ExecOptions => ({
  accessToken: 'tok',
  baseUrl: 'https://sandbox.test',
  fetch,
});

describe('exec$', () => {
  it('emits output then finished, completes, and closes the request though the body stays open', async () => {
    const probe: BodyProbe = { cancelled: false, pulls: 0 };
    const fetch = fakeFetch(() =>
      streamResponse(
        [frames({ stdout: 'a', timestamp: TS }, { exit_code: 2, finished: true, timestamp: TS })],
        { hang: true },
        probe,
      ),
    );
    const events = await lastValueFrom(exec$({ command: 'x' }, options(fetch)).pipe(toArray()));
    expect(events).toEqual([
      { type: 'stdout', data: 'a', timestamp: TS },
      { type: 'finished', exitCode: 2, timestamp: TS },
    ]);
    expect((fetch.calls[0]?.init.signal as AbortSignal).aborted).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(probe.cancelled).toBe(true);
  });

  it('ignores anything after the terminal event', async () => {
    const fetch = fakeFetch(() =>
      streamResponse([frames({ exit_code: 0, finished: true }, { stdout: 'late', timestamp: TS })]),
    );
    await expect(lastValueFrom(exec$({ command: 'x' }, options(fetch)).pipe(toArray()))).resolves.toEqual([
      { type: 'finished', exitCode: 0 },
    ]);
  });

  it('errors with ExecFailedError on the could-not-run event', async () => {
    const fetch = fakeFetch(() =>
      streamResponse([frames({ code: 'exec_failed', error: 'chdir /nope: no such file', finished: true })]),
    );
    const error = await lastValueFrom(exec$({ command: 'x' }, options(fetch))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExecFailedError);
    expect(error).toMatchObject({
      code: 'exec_failed',
      message: 'the command could not run (exec_failed): chdir /nope: no such file',
    });
  });

  it('errors with ExecDecodeError on a bad frame', async () => {
    const fetch = fakeFetch(() =>
      streamResponse(['data: {oops\n\n', frames({ exit_code: 0, finished: true })]),
    );
    await expect(lastValueFrom(exec$({ command: 'x' }, options(fetch)))).rejects.toBeInstanceOf(
      ExecDecodeError,
    );
  });

  it('errors with ExecIncompleteError when the body ends with no terminal event', async () => {
    const fetch = fakeFetch(() => streamResponse([frames({ stdout: 'a', timestamp: TS })]));
    const seen: unknown[] = [];
    const error = await new Promise((resolve) =>
      exec$({ command: 'x' }, options(fetch)).subscribe({ next: (e) => seen.push(e), error: resolve }),
    );
    expect(error).toBeInstanceOf(ExecIncompleteError);
    expect(seen).toHaveLength(1);
  });
});

describe('createExecClient', () => {
  it('binds both streams to its options', async () => {
    const fetch = fakeFetch(() => streamResponse([frames({ exit_code: 0, finished: true })]));
    const client = createExecClient({ ...options(fetch), sandboxId: 'sbx-9' });
    await lastValueFrom(client.exec$({ command: 'a' }));
    await lastValueFrom(client.execEither$({ command: 'b' }));
    expect(fetch.calls.map((call) => JSON.parse(String(call.init.body)))).toEqual([
      { command: 'a' },
      { command: 'b' },
    ]);
    expect(
      fetch.calls.every((call) => new Headers(call.init.headers).get('x-superserve-sandbox-id') === 'sbx-9'),
    ).toBe(true);
  });
});
