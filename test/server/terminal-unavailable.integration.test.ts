import { lastValueFrom } from 'rxjs';
import { collectOutput, exec$ } from 'superserve-rx';
import { localSandboxes } from '../helpers/local-sandbox';
import { dialTerminal } from '../helpers/raw-terminal';

// A machine where the pseudo-terminal library cannot load (no prebuilt binary for it, the
// optional dependency not installed): /terminal says so, every other endpoint works.
jest.mock('@lydell/node-pty', () => {
  throw new Error('no prebuilt binary for this platform\nsecond line');
});

const sandboxes = localSandboxes();
afterEach(() => sandboxes.closeAll());

describe('/terminal without its pseudo-terminal library', () => {
  it('closes 1011 "shell did not start", warns once per sandbox with why, and everything else works', async () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const { sandbox, ...options } = await sandboxes.start();
      for (let i = 0; i < 2; i++) {
        const session = dialTerminal(sandbox);
        expect(await session.handshake).toMatchObject({ opened: true });
        expect(await session.closed).toEqual({ code: 1011, reason: 'shell did not start' });
      }
      const output = await lastValueFrom(
        exec$({ command: 'echo still here' }, options).pipe(collectOutput()),
      );
      expect(output).toMatchObject({ stdout: 'still here\n', exitCode: 0 });
      expect(warn.mock.calls).toEqual([
        [
          'superserve-rx local sandbox: /terminal is unavailable, @lydell/node-pty could not load ' +
            '(no prebuilt binary for this platform); every other endpoint works',
          'TerminalUnavailableWarning',
        ],
      ]);
    } finally {
      warn.mockRestore();
    }
  });
});
