// The browser example's server: the page on one origin, a local sandbox (with CORS for that
// origin) on another, so that the page really makes cross-origin requests.
//   npx tsx examples/browser/serve.ts     then open the printed URL
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import { type LocalSandbox, startLocalSandbox } from 'superserve-rx/server';

/** The running example: the page's URL, the sandbox, and how to stop both. */
export interface BrowserExample {
  readonly pageUrl: string;
  readonly sandbox: LocalSandbox;
  /** The directory the Files tab starts in (a fresh temporary one, removed on close). */
  readonly filesDir: string;
  close(): Promise<void>;
}

const root = join(__dirname, '../..');

/** Bundles superserve-rx (rxjs left to the page's import map, one copy for both) and rxjs. */
async function bundles(): Promise<Record<string, string>> {
  const bundle = async (contents: string, external: string[]): Promise<string> => {
    const result = await build({
      stdin: { contents, resolveDir: root, loader: 'ts' },
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      external,
      write: false,
      minify: true,
    });
    return result.outputFiles[0]!.text;
  };
  return {
    '/vendor/superserve-rx.js': await bundle("export * from './src/index.ts';", ['rxjs']),
    '/vendor/rxjs.js': await bundle("export * from 'rxjs';", []),
    // The Terminal tab's widget: xterm.js and its fit addon, as the page imports them by name.
    '/vendor/xterm.js': await bundle("export * from '@xterm/xterm';", []),
    '/vendor/xterm-addon-fit.js': await bundle("export * from '@xterm/addon-fit';", []),
  };
}

/**
 * Starts the example on 127.0.0.1: the page server and a local sandbox that allows the page's
 * origin.
 *
 * @param port - The page server's port (0: any free one).
 */
export async function startBrowserExample(port = 0): Promise<BrowserExample> {
  const files: Record<string, { type: string; body: string }> = {};
  for (const [path, body] of Object.entries(await bundles())) files[path] = { type: 'text/javascript', body };
  files['/'] = { type: 'text/html', body: await readFile(join(__dirname, 'index.html'), 'utf8') };
  files['/app.js'] = { type: 'text/javascript', body: await readFile(join(__dirname, 'app.js'), 'utf8') };
  files['/vendor/xterm.css'] = {
    type: 'text/css',
    body: await readFile(join(root, 'node_modules/@xterm/xterm/css/xterm.css'), 'utf8'),
  };

  const server: Server = createServer((request, response) => {
    const file = files[(request.url ?? '/').split('?', 1)[0]!];
    if (request.method !== 'GET' || file === undefined) {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    response
      .writeHead(200, { 'Content-Type': `${file.type}; charset=utf-8`, 'Cache-Control': 'no-store' })
      .end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const pageUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sandbox = await startLocalSandbox({ cors: [pageUrl] });
  // The local sandbox's paths are this machine's: the Files tab works in a directory of its own.
  const filesDir = await mkdtemp(join(tmpdir(), 'superserve-rx-browser-files-'));
  files['/config.json'] = {
    type: 'application/json',
    body: JSON.stringify({ sandboxUrl: sandbox.url, accessToken: sandbox.accessToken, filesDir }),
  };
  return {
    pageUrl,
    sandbox,
    filesDir,
    close: async () => {
      await sandbox.close();
      await rm(filesDir, { recursive: true, force: true });
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

if (require.main === module) {
  void startBrowserExample().then((example) => {
    console.log(`page:    ${example.pageUrl}`);
    console.log(`sandbox: ${example.sandbox.url} (CORS allowed for the page's origin)`);
    console.log('Ctrl-C to stop.');
    process.once('SIGINT', () => void example.close());
  });
}
