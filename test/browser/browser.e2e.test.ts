import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type BrowserExample, startBrowserExample } from '../../examples/browser/serve';
import { chromiumRequirement, describeWithExternal } from '../helpers/external';
import { isAlive, readPids, waitFor } from '../helpers/processes';

// The root entry in a real browser: Debian's Chromium (installed by .ci/run, or CHROMIUM_PATH)
// driven by playwright-core, loading examples/browser from one origin against a local sandbox on
// another. Without a launchable Chromium these tests are skipped with a line saying so, unless
// SUPERSERVE_RX_REQUIRE_BROWSER=1 (.ci/run), under which that is a failure.
const OUTPUT = resolve(__dirname, '../../test-output/browser');

describeWithExternal(chromiumRequirement(), 'the browser example in headless Chromium', (chromiumPath) => {
  let browser: Browser;
  let example: BrowserExample;
  let page: Page;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'superserve-rx-browser-'));
    await mkdir(OUTPUT, { recursive: true });
    example = await startBrowserExample();
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1000, height: 640 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(example.pageUrl);
    await page.waitForSelector('body[data-ready="true"]');
    expect(errors).toEqual([]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await example?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function run(command: string): Promise<void> {
    await page.fill('#command', command);
    await page.click('#run');
  }

  const lines = (stream: 'stdout' | 'stderr') => page.locator(`#output .${stream}`).allTextContents();

  it('streams stdout and stderr line by line across origins and shows the exit code', async () => {
    expect(new URL(example.pageUrl).origin).not.toBe(new URL(example.sandbox.url).origin);
    await run('for i in 1 2 3 4 5; do echo "line $i"; sleep 0.05; done; echo "warning: late" >&2; exit 3');
    await page.waitForSelector('#status:text("exit 3")');
    expect(await lines('stdout')).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5']);
    expect(await lines('stderr')).toEqual(['warning: late']);
    await page.screenshot({ path: join(OUTPUT, 'page.png') });
  });

  it('kills the remote command when Cancel unsubscribes', async () => {
    const pidFile = join(dir, 'cancel.pid');
    await run(`echo $$ > ${pidFile}; echo started; sleep 30`);
    await page.waitForSelector('#output .stdout:text("started")');
    const [pid] = await readPids(pidFile);
    expect(isAlive(pid!)).toBe(true);
    await page.click('#cancel');
    await page.waitForSelector('#status:text("cancelled")');
    await waitFor(() => !isAlive(pid!), 5000, 'the cancelled command to be killed');
  });

  it('shows a wrong token as the typed HTTP error', async () => {
    const token = await page.inputValue('#token');
    await page.fill('#token', 'wrong-token');
    await run('echo never');
    await page.waitForSelector('#status.error');
    expect(await page.textContent('#status')).toBe('ExecHttpError 401: invalid access token');
    await page.fill('#token', token);
  });
});
