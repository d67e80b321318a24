// Serves the built Angular app (build.ts) on one origin, and a local sandbox that allows that
// origin (CORS) on another: the app's requests are really cross-origin.
//   npx tsx examples/angular-app/serve.ts      builds, then prints the page's URL; open it
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { type LocalSandbox, startLocalSandbox } from 'superserve-rx/server';
import { buildAngularApp } from './build';

/** The running app: the page's URL, the sandbox, and how to stop both. */
export interface AngularApp {
  readonly pageUrl: string;
  readonly sandbox: LocalSandbox;
  close(): Promise<void>;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain',
};

/**
 * Serves `browserDir` on 127.0.0.1 (paths that are no file get index.html, as the router
 * needs), with `/config.json` telling the app where the sandbox is.
 *
 * @param browserDir - The build's `dist/browser`.
 */
export async function startAngularApp(browserDir: string): Promise<AngularApp> {
  let config = '';
  const server: Server = createServer((request, response) => {
    void (async () => {
      const path = normalize(decodeURIComponent((request.url ?? '/').split('?', 1)[0]!));
      if (request.method !== 'GET' || path.includes('..')) {
        response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
        return;
      }
      if (path === '/config.json') {
        response
          .writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
          .end(config);
        return;
      }
      const file = extname(path) === '' ? 'index.html' : path;
      const body = await readFile(join(browserDir, file)).catch(() => undefined);
      if (body === undefined) {
        response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
        return;
      }
      const type = TYPES[extname(file)] ?? 'application/octet-stream';
      response.writeHead(200, { 'Content-Type': `${type}; charset=utf-8` }).end(body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const pageUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sandbox = await startLocalSandbox({ cors: [pageUrl] });
  config = JSON.stringify({ sandboxUrl: sandbox.url, accessToken: sandbox.accessToken });
  return {
    pageUrl,
    sandbox,
    close: async () => {
      await sandbox.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

if (require.main === module) {
  void buildAngularApp()
    .then(({ browserDir }) => startAngularApp(browserDir))
    .then((app) => {
      console.log(`page:    ${app.pageUrl}`);
      console.log(`sandbox: ${app.sandbox.url} (CORS allowed for the page's origin)`);
      console.log('Ctrl-C to stop.');
      process.once('SIGINT', () => void app.close());
    });
}
