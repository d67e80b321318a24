// A shell in a pseudo-terminal with terminal$: type, resize, interrupt, exit.
//   npx tsx examples/terminal.ts
import { filter, firstValueFrom, lastValueFrom, map, ReplaySubject, scan, Subject } from 'rxjs';
import WebSocket from 'ws'; // Node 20 has no global WebSocket; browsers and Node 22+ need nothing
import { stdoutText, type TerminalSize, terminal$ } from 'superserve-rx';
import { startLocalSandbox } from 'superserve-rx/server';

async function main(): Promise<void> {
  const sandbox = await startLocalSandbox();
  const options = { baseUrl: sandbox.url, accessToken: sandbox.accessToken, webSocket: WebSocket };
  try {
    const input = new Subject<string>();
    const resize = new Subject<TerminalSize>();
    // One subscription, one shell: the screen so far as text, for everyone who waits on it
    // (a real app hands the bytes to xterm.js instead: attachTerminal).
    const screen = new ReplaySubject<string>(1);
    terminal$({ input, resize }, options)
      .pipe(
        stdoutText(),
        scan((text, chunk) => text + chunk, ''),
      )
      .subscribe(screen);
    const done = lastValueFrom(screen).then(() => 'exited');
    /** Resolves once the screen shows `pattern`, with what its group captured. */
    const shows = (pattern: RegExp): Promise<string> =>
      firstValueFrom(
        screen.pipe(
          map((text) => pattern.exec(text)?.[1]),
          filter((found): found is string => found !== undefined),
        ),
      );

    // 1. Type a command: the shell echoes it, then prints what it printed.
    resize.next({ cols: 100, rows: 30 });
    input.next('echo "answer: $((6*7))"\r');
    console.log(`typed: answer ${await shows(/answer: (\d+)\r\n/)}`);

    // 2. Resize: programs see the new size (stty size, $COLUMNS, SIGWINCH).
    input.next('echo "size: $(stty size)"\r');
    console.log(`size: ${await shows(/size: (\d+ \d+)\r\n/)}`);

    // 3. Ctrl-C is the byte 0x03: it interrupts the running program, and the prompt comes back.
    input.next('sleep 30; echo "not reached"\r');
    await shows(/(sleep 30; echo "not reached"\r\n)/);
    input.next('\x03');
    input.next('echo "interrupted: $?"\r');
    console.log(await shows(/(interrupted: \d+)\r\n/));

    // 4. exit ends the shell, and the Observable completes.
    input.next('exit\r');
    console.log(`shell: ${await done}`);
  } finally {
    await sandbox.close();
  }
}

void main();
