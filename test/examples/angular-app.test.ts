import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type BuiltAngularApp, buildAngularAppInChild } from '../../examples/angular-app/build';
import { type AngularApp, startAngularApp } from '../../examples/angular-app/serve';
import { chromiumRequirement, describeWithExternal } from '../helpers/external';
import { isAlive, readPids, waitFor } from '../helpers/processes';

// superserve-rx/angular in a real Angular app: examples/angular-app built by the Angular CLI's
// application builder in production mode (AOT, optimisation) against the package as installed
// (its exports, not src/), served on one origin, run in headless Chromium against a local
// sandbox on another (CORS). Skipped with a line saying so without a launchable Chromium, unless
// SUPERSERVE_RX_REQUIRE_BROWSER=1 (.ci/run).
const OUTPUT = resolve(__dirname, '../../test-output/angular-app-screens');

describeWithExternal(
  chromiumRequirement(),
  'the Angular app (production build) in headless Chromium',
  (chromiumPath) => {
    let built: BuiltAngularApp;
    let app: AngularApp;
    let browser: Browser;
    let page: Page;
    let dir: string;
    const pageErrors: string[] = [];

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'superserve-rx-angular-app-'));
      await mkdir(OUTPUT, { recursive: true });
      built = await buildAngularAppInChild();
      app = await startAngularApp(built.browserDir);
      browser = await chromium.launch({
        executablePath: chromiumPath,
        headless: true,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-sync',
        ],
      });
      page = await browser.newPage({ viewport: { width: 1000, height: 640 } });
      page.on('pageerror', (error) => pageErrors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') pageErrors.push(message.text());
      });
    }, 240_000);

    afterAll(async () => {
      await browser?.close();
      await app?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    /** The built app's JavaScript, all chunks together. */
    async function builtScripts(): Promise<string> {
      const files = (await readdir(built.browserDir)).filter((name) => name.endsWith('.js'));
      return (await Promise.all(files.map((name) => readFile(join(built.browserDir, name), 'utf8')))).join(
        '\n',
      );
    }

    it('is an optimised AOT build that bundles the installed superserve-rx/angular', async () => {
      const files = await readdir(built.browserDir);
      expect(files.filter((name) => /^main-[A-Z0-9]{8}\.js$/.test(name))).toHaveLength(1);
      const scripts = await builtScripts();
      // The entry's own message is there; Angular's dev-mode messages (behind ngDevMode, false in
      // production builds) are not, nor the templates' text: AOT compiled them to instructions.
      expect(scripts).toContain('runSignals: keepLines must be a positive integer');
      expect(scripts).not.toContain('can only be used within an injection context');
      expect(scripts).not.toContain('@for (line of run.lines()');
      const installed = resolve(built.browserDir, '../../node_modules/superserve-rx');
      expect(
        JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')).exports['./angular'],
      ).toBeDefined();
    });

    it('shows the lines of a command and its exit code, across origins', async () => {
      expect(new URL(app.pageUrl).origin).not.toBe(new URL(app.sandbox.url).origin);
      const command = 'for i in 1 2 3; do echo "line $i"; sleep 0.05; done; echo oops >&2; exit 3';
      await page.goto(`${app.pageUrl}/run?command=${encodeURIComponent(command)}`);
      await page.waitForSelector('#exit');
      expect(await page.textContent('#exit')).toBe('exit 3');
      expect(await page.locator('#lines .line').allTextContents()).toEqual(['line 1', 'line 2', 'line 3']);
      expect(await page.textContent('#status')).toBe('done');
      expect(pageErrors).toEqual([]);
      await page.screenshot({ path: join(OUTPUT, 'run.png') });
    });

    it('navigating through the app starts the run of the route it opens', async () => {
      await page.goto(app.pageUrl);
      await page.waitForSelector('#home-page');
      await page.click('#run-uname');
      await page.waitForSelector('#exit');
      expect(await page.textContent('#exit')).toBe('exit 0');
      expect(await page.locator('#lines .line').allTextContents()).toEqual([
        expect.stringMatching(/^Linux /),
      ]);
    });

    it('runs uname as an rxResource keyed by a signal: a new key runs again', async () => {
      await page.goto(app.pageUrl);
      await page.waitForSelector('#uname');
      expect(await page.textContent('#uname')).toBe(
        `-s: ${execFileSync('uname', ['-s'], { encoding: 'utf8' }).trim()}`,
      );
      await page.click('#uname-m');
      const machine = `-m: ${execFileSync('uname', ['-m'], { encoding: 'utf8' }).trim()}`;
      await page.waitForSelector(`#uname:text-is("${machine}")`);
      expect(pageErrors).toEqual([]);
    });

    it('kills the command when the route is left', async () => {
      const pidFile = join(dir, 'leave.pid');
      const command = `echo $$ > ${pidFile}; echo started; exec sleep 300`;
      await page.goto(`${app.pageUrl}/run?command=${encodeURIComponent(command)}`);
      await page.waitForSelector('#lines .line:text("started")');
      expect(await page.textContent('#status')).toBe('running…');
      const [pid] = await readPids(pidFile);
      expect(isAlive(pid!)).toBe(true);
      // Through the router: the page stays, the component is destroyed.
      await page.click('#home');
      await page.waitForSelector('#home-page');
      await waitFor(() => !isAlive(pid!), 10_000, 'the command of the left route to be killed');
      expect(pageErrors).toEqual([]);
    });

    it('shows the typed error of a command that cannot run, and no exit code', async () => {
      await page.goto(`${app.pageUrl}/run?command=ls&working_dir=${encodeURIComponent('/no/such/dir')}`);
      await page.waitForSelector('#error');
      expect(await page.textContent('#error')).toMatch(/^ExecFailedError: /);
      expect(await page.isVisible('#exit')).toBe(false);
      expect(await page.textContent('#status')).toBe('done');
      expect(pageErrors).toEqual([]);
    });
  },
);
