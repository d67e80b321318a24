// One runnable example per operator, the same code as the README's API section:
//   npx tsx examples/operators.ts
import { isRight } from 'fp-ts/lib/Either.js';
import { defer, filter, lastValueFrom, map, toArray } from 'rxjs';
import {
  collectOutput,
  exec$,
  execEither$,
  isExecFailedError,
  isExecTimeoutError,
  lines,
  retryOnExecFailed,
  stderrText,
  stdoutText,
  untilFinished,
  withTimeout,
} from 'superserve-rx';
import { startLocalSandbox } from 'superserve-rx/server';

async function main(): Promise<void> {
  const sandbox = await startLocalSandbox();
  const options = { baseUrl: sandbox.url, accessToken: sandbox.accessToken };
  try {
    // stdoutText() / stderrText(): the text of one stream.
    const both = { command: 'echo out; echo err >&2' };
    const out = await lastValueFrom(exec$(both, options).pipe(stdoutText(), toArray()));
    const err = await lastValueFrom(exec$(both, options).pipe(stderrText(), toArray()));
    console.log('stdoutText:', JSON.stringify(out.join('')), 'stderrText:', JSON.stringify(err.join('')));

    // lines(): text chunks to lines, however the chunks fall.
    const listed = await lastValueFrom(
      exec$({ command: 'printf "one\\ntwo\\r\\n\\nthree"' }, options).pipe(stdoutText(), lines(), toArray()),
    );
    console.log('lines:', JSON.stringify(listed));

    // collectOutput(): a whole run as one value; a non-zero exit code is a value, not an error.
    const result = await lastValueFrom(exec$({ command: 'echo hi; exit 3' }, options).pipe(collectOutput()));
    console.log('collectOutput:', JSON.stringify(result));

    // withTimeout(): the client's deadline; the request is aborted, so the command is killed.
    const late = await lastValueFrom(
      exec$({ command: 'sleep 30' }, options).pipe(withTimeout({ total: 500 })),
    ).catch((error: unknown) => error);
    console.log(
      'withTimeout:',
      isExecTimeoutError(late) ? `${late.name} (${late.timeout}, ${late.ms} ms)` : late,
    );

    // retryOnExecFailed(): re-runs on the service's "try again" failures, then errors typed.
    let attempts = 0;
    const failed = await lastValueFrom(
      defer(() => {
        attempts++;
        return exec$({ command: 'ls', working_dir: '/no/such/dir' }, options);
      }).pipe(retryOnExecFailed({ count: 2, delay: 50 })),
    ).catch((error: unknown) => error);
    console.log(
      'retryOnExecFailed:',
      isExecFailedError(failed) ? `${failed.code} after ${attempts} attempts` : failed,
    );

    // untilFinished(): the terminal contract, for events unwrapped from execEither$ yourself.
    const events = await lastValueFrom(
      execEither$({ command: 'echo either' }, options).pipe(
        filter(isRight),
        map((either) => either.right),
        untilFinished(),
        toArray(),
      ),
    );
    console.log('untilFinished:', events.map((event) => event.type).join(' -> '));
  } finally {
    await sandbox.close();
  }
}

void main();
