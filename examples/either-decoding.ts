// execEither$ and the codec layer's Either values: a bad frame is skipped with fp-ts instead of
// failing the run. The injected fetch corrupts the stream on purpose, as a broken proxy might.
//   npx tsx examples/either-decoding.ts
// A Node script, so fp-ts/lib; a bundled browser app imports from 'fp-ts/Either' instead
// (README, "fp-ts in your own code"), or it bundles a second, CommonJS copy of fp-ts.
import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { lastValueFrom, tap, toArray } from 'rxjs';
import { decodeExecEvents, exec$, execEither$, type ExecOptions } from 'superserve-rx';
import { startLocalSandbox } from 'superserve-rx/server';

/** A fetch that puts an undecodable frame in front of every event stream. */
const corruptingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  if (response.body === null) return response;
  const garbage = new TextEncoder().encode('data: {"stdout": 42}\n\ndata: not json\n\n');
  const body = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      start: (controller) => controller.enqueue(garbage),
    }),
  );
  return new Response(body, { status: response.status, headers: response.headers });
};

async function main(): Promise<void> {
  const sandbox = await startLocalSandbox();
  const options: ExecOptions = {
    baseUrl: sandbox.url,
    accessToken: sandbox.accessToken,
    fetch: corruptingFetch,
  };
  try {
    // The codec on its own: Either values, issues naming the path.
    const decoded = decodeExecEvents('{"exit_code": 1.5, "finished": true}');
    if (isLeft(decoded))
      console.log(`decodeExecEvents: ${decoded.left.reason}: ${decoded.left.issues[0]?.path}`);

    // execEither$: Lefts are values; keep the Rights, report the Lefts, the run goes on.
    const events = await lastValueFrom(
      execEither$({ command: 'echo kept' }, options).pipe(
        tap((either) => {
          if (isLeft(either)) console.log(`skipped (${either.left.reason}): ${either.left.message}`);
        }),
        toArray(),
      ),
    );
    const rights = events.filter(isRight).map((either) => either.right.type);
    console.log(`execEither$: ${rights.join(', ')}`);

    // exec$ is strict: the first bad frame is an ExecDecodeError.
    await lastValueFrom(exec$({ command: 'echo lost' }, options)).catch((error: Error) =>
      console.log(`exec$: ${error.name}`),
    );
  } finally {
    await sandbox.close();
  }
}

void main();
