import { access, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
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

  /** Runs `command` on `on` (the example's page by default), as a session when `interactive`. */
  async function run(command: string, { interactive = false, on = page } = {}): Promise<void> {
    await on.setChecked('#interactive', interactive);
    await on.fill('#command', command);
    await on.click('#run');
  }

  const lines = (stream: 'stdout' | 'stderr' | 'stdin') =>
    page.locator(`#output .${stream}`).allTextContents();

  /** Types a line into the session's stdin box and sends it. */
  async function send(line: string): Promise<void> {
    await page.fill('#stdin', line);
    await page.click('#send');
  }

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

  it('sends typed lines to cat in a session and gets them back; EOF ends it with exit 0', async () => {
    await run('cat', { interactive: true });
    await send('hello, session');
    await page.waitForSelector('#output .stdout:text("hello, session")');
    // Non-ASCII typed into the box goes out as UTF-8 and comes back whole.
    await send('grüße, café 😀');
    await page.waitForSelector('#output .stdout:text("grüße")');
    expect(await lines('stdout')).toEqual(['hello, session', 'grüße, café 😀']);
    expect(await lines('stdin')).toEqual(['› hello, session', '› grüße, café 😀']);
    // cat is still running: only the end of its stdin ends it.
    expect(await page.textContent('#status')).toBe('running…');
    await page.screenshot({ path: join(OUTPUT, 'session.png') });
    await page.click('#eof');
    await page.waitForSelector('#status:text("exit 0")');
    expect(await page.textContent('#status')).toBe('exit 0');
    expect(await page.isDisabled('#send')).toBe(true);
    expect(await page.isDisabled('#ctrl-c')).toBe(true);
  });

  it('stops sleep 30 with Ctrl-C: SIGINT to the process group, exit 130', async () => {
    const pidFile = join(dir, 'sigint.pid');
    // exec: the recorded pid is sleep's own, the process SIGINT has to stop.
    await run(`echo $$ > ${pidFile}; echo started; exec sleep 30`, { interactive: true });
    await page.waitForSelector('#output .stdout:text("started")');
    const [pid] = await readPids(pidFile);
    expect(isAlive(pid!)).toBe(true);
    await page.click('#ctrl-c');
    await page.waitForSelector('#status:text("exit 130")');
    expect(await page.textContent('#status')).toBe('exit 130');
    await waitFor(() => !isAlive(pid!), 10_000, 'sleep to have stopped');
  });

  it('closes a session with Cancel, and the sandbox kills its command', async () => {
    const pidFile = join(dir, 'session-cancel.pid');
    // cat with stdin still open: only the closed socket can end it.
    await run(`echo $$ > ${pidFile}; echo started; exec cat`, { interactive: true });
    await page.waitForSelector('#output .stdout:text("started")');
    const [pid] = await readPids(pidFile);
    expect(isAlive(pid!)).toBe(true);
    await page.click('#cancel');
    await page.waitForSelector('#status:text("cancelled")');
    expect(await page.isDisabled('#send')).toBe(true);
    await waitFor(() => !isAlive(pid!), 10_000, 'the cancelled session to be killed');
  });

  it('keeps session output byte-exact: a character split across writes whole, invalid UTF-8 in hex', async () => {
    // The emoji's four bytes come in two writes 0.2 s apart, so in two frames; 0xff is no UTF-8.
    await run(String.raw`printf '\360\237'; sleep 0.2; printf '\230\200\n'; printf 'x\377y\n'`, {
      interactive: true,
    });
    await page.waitForSelector('#status:text("exit 0")');
    expect(await lines('stdout')).toEqual(['😀', 'x\uFFFDy']);
    expect(await page.textContent('#bytes')).toBe('stdout bytes (9): f0 9f 98 80 0a 78 ff 79 0a');
    expect(await page.isVisible('#bytes')).toBe(true);
  });

  it('refuses a session to a page from an origin the sandbox does not allow', async () => {
    // The same page server under another name: http://localhost is not http://127.0.0.1.
    const foreign = new URL(example.pageUrl);
    foreign.hostname = 'localhost';
    const other = await browser.newPage();
    try {
      await other.goto(foreign.href);
      await other.waitForSelector('body[data-ready="true"]');
      const marker = join(dir, 'foreign-origin-ran');
      await run(`touch ${marker}`, { interactive: true, on: other });
      await other.waitForSelector('#status:not(:has-text("running"))');
      // The sandbox answers 403, which browsers hide: the socket just never opens.
      expect(await other.textContent('#status')).toMatch(
        /^ExecNetworkError: GET \/exec\/connect: the WebSocket did not open/,
      );
      await expect(access(marker)).rejects.toThrow();
    } finally {
      await other.close();
    }
  });

  it('Files tab: uploads a file with a progress bar, lists it and downloads it back', async () => {
    const bytes = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i += 4096) bytes[i] = i % 251;
    await page.click('#tab-files');
    expect(await page.isVisible('#files-panel')).toBe(true);
    expect(await page.isVisible('#run-output')).toBe(false);
    // Progress as the browser reports it: record every value the bar takes.
    await page.evaluate(() => {
      const bar = document.getElementById('upload-progress') as HTMLProgressElement;
      const seen: number[] = [];
      (window as unknown as { progressSeen: number[] }).progressSeen = seen;
      new MutationObserver(() => seen.push(bar.value)).observe(bar, { attributes: true });
      const setter = Object.getOwnPropertyDescriptor(HTMLProgressElement.prototype, 'value')!.set!;
      Object.defineProperty(bar, 'value', {
        get: () => Number(bar.getAttribute('value')),
        set: (v: number) => {
          seen.push(v);
          setter.call(bar, v);
        },
      });
    });
    await page.setInputFiles('#upload-file', {
      name: 'data.bin',
      mimeType: 'application/octet-stream',
      buffer: bytes,
    });
    await page.click('#upload');
    const path = join(example.filesDir, 'data.bin');
    await page.waitForSelector(`#files-status:text("written ${path} (${bytes.length} bytes)")`);
    const seen = await page.evaluate(() => (window as unknown as { progressSeen: number[] }).progressSeen);
    expect(seen.at(-1)).toBe(bytes.length);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(await page.getAttribute('#upload-progress', 'max')).toBe(String(bytes.length));
    expect((await readFile(path)).equals(bytes)).toBe(true);
    await page.waitForSelector('#file-list li[data-name="data.bin"]');
    expect(await page.textContent('#file-list li[data-name="data.bin"]')).toContain(
      `data.bin ${bytes.length} bytes`,
    );
    await page.screenshot({ path: join(OUTPUT, 'files.png') });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#file-list li[data-name="data.bin"] button'),
    ]);
    expect(download.suggestedFilename()).toBe('data.bin');
    const saved = join(dir, 'downloaded.bin');
    await download.saveAs(saved);
    expect((await readFile(saved)).equals(bytes)).toBe(true);
    await page.waitForSelector(`#files-status:text("downloaded data.bin (${bytes.length} bytes)")`);
    await page.click('#tab-run');
    expect(await page.isVisible('#run-output')).toBe(true);
  });

  /** The terminal's screen as xterm.js renders it, one string per row, trailing blanks cut. */
  async function screen(on: Page = page): Promise<string> {
    const rows = await on.locator('#terminal .xterm-rows > div').allTextContents();
    return rows.map((row) => row.replace(/\s+$/, '')).join('\n');
  }
  const waitForScreen = (text: RegExp, on: Page = page) =>
    waitFor(async () => text.test(await screen(on)), 15_000, `the terminal to show ${String(text)}`);

  it('Terminal tab: xterm.js attached to the shell: typing, the fitted size, a resize, Ctrl-C, exit', async () => {
    await page.click('#tab-terminal');
    await page.waitForSelector('#terminal .xterm-rows');
    await page.waitForSelector('#terminal-status:text("connected")');
    // Typing into xterm.js: its keystrokes go to the remote bash.
    await page.keyboard.type('echo "<$((6*7))>"');
    await page.keyboard.press('Enter');
    await waitForScreen(/^<42>$/m);
    // The widget was fitted to its box, and the shell was told that size.
    const fitted = await page.getAttribute('body', 'data-terminal-size');
    expect(fitted).toMatch(/^\d+ \d+$/);
    expect(fitted).not.toBe('24 80');
    await page.keyboard.type('echo "[$(stty size)]"');
    await page.keyboard.press('Enter');
    await waitForScreen(new RegExp(`^\\[${fitted}\\]$`, 'm'));
    // Resizing the page refits the widget, and the shell sees the new size.
    await page.setViewportSize({ width: 760, height: 640 });
    await waitFor(
      async () => (await page.getAttribute('body', 'data-terminal-size')) !== fitted,
      5000,
      'a refit',
    );
    const resized = await page.getAttribute('body', 'data-terminal-size');
    await page.keyboard.type('clear; echo "[$(stty size)]"');
    await page.keyboard.press('Enter');
    await waitForScreen(new RegExp(`^\\[${resized}\\]$`, 'm'));
    // Ctrl-C (the byte 0x03) stops sleep 30, and the prompt comes back.
    const pidFile = join(dir, 'terminal-sleep.pid');
    await page.keyboard.type(`clear; sh -c 'echo $$ > ${pidFile}; exec sleep 30'`);
    await page.keyboard.press('Enter');
    await waitFor(async () => (await readPids(pidFile)).length === 1, 10_000, 'the pid file');
    await page.keyboard.press('Control+C');
    const [sleeping] = await readPids(pidFile);
    await waitFor(() => !isAlive(sleeping!), 5000, 'sleep to be stopped');
    await page.keyboard.type('echo "back $((2+3))"');
    await page.keyboard.press('Enter');
    await waitForScreen(/^back 5$/m);
    await page.screenshot({ path: join(OUTPUT, 'terminal.png') });
    // exit ends the shell, and the page says so.
    await page.keyboard.type('exit');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#terminal-status:text("shell exited")');
    await page.setViewportSize({ width: 1000, height: 640 });
    await page.click('#tab-run');
  });

  it('Terminal tab: a page from an origin the sandbox does not allow gets no shell', async () => {
    const foreign = new URL(example.pageUrl);
    foreign.hostname = 'localhost';
    const other = await browser.newPage();
    try {
      await other.goto(foreign.href);
      await other.waitForSelector('body[data-ready="true"]');
      await other.click('#tab-terminal');
      await other.waitForSelector('#terminal-status.error');
      // The sandbox answers 403, which browsers hide: the socket just never opens.
      expect(await other.textContent('#terminal-status')).toMatch(
        /^ExecNetworkError: GET \/terminal: the WebSocket did not open/,
      );
    } finally {
      await other.close();
    }
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
