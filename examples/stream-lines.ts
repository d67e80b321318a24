// stdout line by line: stdoutText() + lines(), however the output is chunked.
//   npx tsx examples/stream-lines.ts
import { exec$, lines, stdoutText } from 'superserve-rx';
import { startLocalSandbox } from 'superserve-rx/server';

async function main(): Promise<void> {
  const sandbox = await startLocalSandbox();
  const options = { baseUrl: sandbox.url, accessToken: sandbox.accessToken };
  let count = 0;
  try {
    await new Promise<void>((resolve, reject) =>
      exec$(
        { command: 'for i in 1 2 3; do echo "line $i"; sleep 0.1; done; printf "last, no newline"' },
        options,
      )
        .pipe(stdoutText(), lines())
        .subscribe({
          next: (line) => console.log(`${++count}: ${line}`),
          error: reject,
          complete: resolve,
        }),
    );
    console.log(`${count} lines`);
  } finally {
    await sandbox.close();
  }
}

void main();
