import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { exec$, ExecNetworkError, lines, stdoutText } from 'superserve-rx';
import { startTestSseServer, type TestSseServer, unusedPort } from '../helpers/sse-server';

const TOKEN = 'integration-token-0123456789';

describe('exec$ over real HTTP', () => {
  let server: TestSseServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('sends the request the protocol describes and streams the answer, split anywhere', async () => {
    const body = Buffer.from(
      ': keepalive\r\n\r\ndata: {"stdout":"héllo\\nwör","timestamp":"t"}\r\n\r\n' +
        'data: {"stdout":"ld\\n","timestamp":"t"}\r\n\r\ndata: {"exit_code":0,"finished":true}\r\n\r\n',
    );
    server = await startTestSseServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      // One byte per write, so chunks split CRLFs and multi-byte characters.
      let i = 0;
      const next = (): void => {
        if (i >= body.length) return void response.end();
        response.write(body.subarray(i, ++i), next);
      };
      next();
    });
    const got = await lastValueFrom(
      exec$(
        { command: 'echo', args: ['hi'], env: { A: 'b' }, working_dir: '/tmp', timeout_s: 7 },
        { baseUrl: server.url, accessToken: TOKEN, sandboxId: 'sbx-2' },
      ).pipe(stdoutText(), lines(), toArray()),
    );
    expect(got).toEqual(['héllo', 'wörld']);
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/exec/stream');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers.accept).toBe('text/event-stream');
    expect(request?.headers['x-access-token']).toBe(TOKEN);
    expect(request?.headers['x-superserve-sandbox-id']).toBe('sbx-2');
    expect(JSON.parse(request?.body ?? '')).toEqual({
      command: 'echo',
      args: ['hi'],
      env: { A: 'b' },
      working_dir: '/tmp',
      timeout_s: 7,
    });
  });

  it('closes the connection when the subscriber unsubscribes', async () => {
    server = await startTestSseServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: {"stdout":"tick","timestamp":"t"}\n\n');
    });
    await firstValueFrom(exec$({ command: 'sleep 60' }, { baseUrl: server.url, accessToken: TOKEN }));
    await expect(server.requests[0]?.closed).resolves.toBeUndefined();
  });

  it('closes the connection once the terminal event arrives, even if the server keeps it open', async () => {
    server = await startTestSseServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: {"exit_code":0,"finished":true}\n\n');
    });
    await lastValueFrom(exec$({ command: 'true' }, { baseUrl: server.url, accessToken: TOKEN }));
    await expect(server.requests[0]?.closed).resolves.toBeUndefined();
  });

  it('reports a 5xx whose body trickles without end within its deadline, with what came', async () => {
    server = await startTestSseServer((_request, response) => {
      response.writeHead(502, { 'content-type': 'text/event-stream', 'retry-after': '2' });
      response.write('sandbox unreachable\n');
      const keepalive = setInterval(() => response.write(': keepalive\n\n'), 5000);
      response.on('close', () => clearInterval(keepalive));
    });
    const started = Date.now();
    const error = await lastValueFrom(
      exec$({ command: 'true' }, { baseUrl: server.url, accessToken: TOKEN }),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'ExecHttpError',
      status: 502,
      body: 'sandbox unreachable',
      retryAfterMs: 2000,
    });
    expect(Date.now() - started).toBeLessThan(4500);
    await expect(server.requests[0]?.closed).resolves.toBeUndefined();
  });

  it('errors with ExecNetworkError when the connection is refused', async () => {
    const port = await unusedPort();
    const error = await lastValueFrom(
      exec$({ command: 'true' }, { baseUrl: `http://127.0.0.1:${port}`, accessToken: TOKEN }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExecNetworkError);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
    expect(`${String(error)} ${JSON.stringify(error)}`).not.toContain(TOKEN);
  });
});
