// Interactive runs with execSession$: answer a prompt, interrupt, read bytes, pipe a stream.
//   npx tsx examples/interactive-session.ts
import { Readable } from 'node:stream';
import { filter, lastValueFrom, map, of, Subject, take, tap, timer, toArray } from 'rxjs';
import WebSocket from 'ws'; // Node 20 has no global WebSocket; browsers and Node 22+ need nothing
import { collectOutput, execSession$, lines, stdoutText } from 'superserve-rx';
import { startLocalSandbox } from 'superserve-rx/server';

async function main(): Promise<void> {
  const sandbox = await startLocalSandbox();
  const options = { baseUrl: sandbox.url, accessToken: sandbox.accessToken, webSocket: WebSocket };
  try {
    // 1. A conversation: answer the command's question once it has asked it.
    const stdin = new Subject<string>();
    const asking = execSession$(
      { command: 'printf "name? "; read -r name; echo "hello, $name"' },
      { stdin },
      options,
    ).pipe(stdoutText());
    const said = await lastValueFrom(
      asking.pipe(
        tap((text) => {
          if (text.includes('name?')) {
            stdin.next('Ada\n');
            stdin.complete();
          }
        }),
        toArray(),
      ),
    );
    console.log(`conversation: ${JSON.stringify(said.join(''))}`);

    // 2. Lines in, lines out, through a read loop.
    const echoed = await lastValueFrom(
      execSession$(
        { command: 'while read -r line; do echo "you said: $line"; done; echo bye' },
        { stdin: of('one\n', 'two\n') },
        options,
      ).pipe(stdoutText(), lines(), toArray()),
    );
    console.log(`read loop: ${echoed.join(' | ')}`);

    // 3. Interrupt: SIGINT once the command says it is ready; it exits with 130.
    const signals = new Subject<'SIGINT'>();
    const interrupted = await lastValueFrom(
      execSession$({ command: 'echo ready; exec sleep 30' }, { signals }, options).pipe(
        tap((event) => event.type === 'stdout' && signals.next('SIGINT')),
        filter((event) => event.type === 'finished'),
        map((event) => (event.type === 'finished' ? event.exitCode : -1)),
      ),
    );
    console.log(`interrupted: exit ${interrupted}`);

    // 4. Bytes, exactly: no UTF-8 decoding unless you ask for text.
    const bytes = await lastValueFrom(
      execSession$({ command: "printf '\\000\\377\\376\\200'" }, {}, options).pipe(
        filter((event) => event.type === 'stdout'),
        map((event) => (event.type === 'stdout' ? Buffer.from(event.data).toString('hex') : '')),
        toArray(),
      ),
    );
    console.log(`bytes: ${bytes.join('')}`);

    // 5. A Node stream as stdin, read only as fast as the socket sends (backpressure).
    const megabytes = Readable.from(
      (function* () {
        for (let i = 0; i < 8; i++) yield Buffer.alloc(1024 * 1024, i);
      })(),
    );
    const counted = await lastValueFrom(
      execSession$({ command: 'wc -c' }, { stdin: megabytes }, options).pipe(collectOutput()),
    );
    console.log(`piped: ${counted.stdout.trim()} bytes, exit ${counted.exitCode}`);

    // 6. A timer as the only input: signals can come from anything reactive.
    const stopped = await lastValueFrom(
      execSession$(
        { command: 'sleep 30' },
        {
          signals: timer(100).pipe(
            map(() => 'SIGTERM' as const),
            take(1),
          ),
        },
        options,
      ).pipe(collectOutput()),
    );
    console.log(`stopped by a timer: exit ${stopped.exitCode}`);
  } finally {
    await sandbox.close();
  }
}

void main();
