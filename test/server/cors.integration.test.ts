import { type LocalSandbox, startLocalSandbox } from 'superserve-rx/server';

const APP = 'http://localhost:5173';
let sandbox: LocalSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const preflight = (url: string, origin: string, method = 'POST') =>
  fetch(`${url}/exec/stream`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'content-type, accept, x-access-token, x-superserve-sandbox-id',
    },
  });

describe('CORS on the local sandbox', () => {
  it('answers a preflight from an allowed origin without a token', async () => {
    sandbox = await startLocalSandbox({ cors: [APP] });
    const response = await preflight(sandbox.url, APP);
    expect(response.status).toBe(204);
    expect(
      Object.fromEntries(
        [...response.headers].filter(([name]) => name.startsWith('access-control') || name === 'vary'),
      ),
    ).toEqual({
      'access-control-allow-origin': APP,
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'Content-Type, Accept, X-Access-Token, X-Superserve-Sandbox-Id',
      'access-control-max-age': '600',
      'access-control-expose-headers': 'Retry-After',
      vary: 'Origin',
    });
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('refuses a preflight from another origin or for another method', async () => {
    sandbox = await startLocalSandbox({ cors: [APP] });
    const other = await preflight(sandbox.url, 'http://evil.test');
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(await other.text()).toBe('origin not allowed\n');
    const put = await preflight(sandbox.url, APP, 'PUT');
    expect(put.status).toBe(403);
    expect(await put.text()).toBe('only POST is allowed\n');
  });

  it('lets the browser read the actual answer, errors included, only for allowed origins', async () => {
    sandbox = await startLocalSandbox({ cors: [APP] });
    const post = (origin: string, token: string) =>
      fetch(`${sandbox!.url}/exec/stream`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json', 'x-access-token': token },
        body: '{"command":"echo cors"}',
      });
    const ok = await post(APP, sandbox.accessToken);
    expect(ok.headers.get('access-control-allow-origin')).toBe(APP);
    expect(await ok.text()).toMatch(/"stdout":"cors\\n"/);
    const denied = await post(APP, 'wrong');
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe(APP);
    const foreign = await post('http://evil.test', sandbox.accessToken);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    await foreign.text();
  });

  it("allows any origin with '*', never with credentials", async () => {
    sandbox = await startLocalSandbox({ cors: ['*'] });
    const response = await preflight(sandbox.url, 'http://anything.test:8080');
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(response.headers.get('vary')).toBeNull();
  });

  it.each([
    ['by default', undefined],
    ['with an empty list', []],
  ])('is off %s: OPTIONS is a 405 and no CORS header is sent', async (_name, cors) => {
    sandbox = await startLocalSandbox(cors === undefined ? {} : { cors });
    const response = await preflight(sandbox.url, APP);
    expect(response.status).toBe(405);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('vary')).toBeNull();
  });

  it('takes https origins as well as http ones', async () => {
    sandbox = await startLocalSandbox({ cors: ['https://app.example'] });
    const response = await preflight(sandbox.url, 'https://app.example');
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example');
  });

  it('rejects an entry that is not an origin', async () => {
    await expect(startLocalSandbox({ cors: ['localhost:5173'] })).rejects.toThrow(TypeError);
    await expect(startLocalSandbox({ cors: ['http://localhost:5173/app'] })).rejects.toThrow(/origin/);
  });
});
