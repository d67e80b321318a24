import { of } from 'rxjs';
import { type ExecOptions, type ExecSessionEvent, execSession$ } from 'superserve-rx';
import WebSocket from 'ws';
import { localSandboxes } from '../helpers/local-sandbox';
import { outcome } from '../helpers/outcome';

// Which binaryType the session leaves on its socket, and that output is byte-exact with each.
const sandboxes = localSandboxes();
afterEach(() => sandboxes.closeAll());

const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

/** Each socket's binaryType once the session has opened, in dial order. */
const seen: string[] = [];
afterEach(() => void seen.splice(0));

/** `ws`, recording the binaryType it ends up with. */
class RecordingWs extends WebSocket {
  constructor(url: string, protocols: string[]) {
    super(url, protocols);
    this.once('open', () => seen.push(this.binaryType));
  }
}

/**
 * `ws` behind undici's binaryType setter (Node 22's global WebSocket): a value other than
 * 'blob' or 'arraybuffer' becomes 'blob', whose frames the session cannot read as bytes.
 */
class UndiciLike extends RecordingWs {
  constructor(url: string, protocols: string[]) {
    super(url, protocols);
    const { get, set } = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'binaryType')!;
    Object.defineProperty(this, 'binaryType', {
      get: () => get!.call(this) as string,
      set: (type: string) => set!.call(this, type === 'arraybuffer' ? type : 'blob'),
    });
  }
}

async function catThrough(options: ExecOptions): Promise<Buffer> {
  const result = await outcome(execSession$({ command: 'cat' }, { stdin: of(bytes) }, options));
  expect(result.error).toBeUndefined();
  const stdout = result.values.filter(
    (event): event is Extract<ExecSessionEvent, { type: 'stdout' }> => event.type === 'stdout',
  );
  return Buffer.concat(stdout.map((event) => event.data));
}

describe("execSession$: the socket's binaryType", () => {
  it("takes ws's own buffers ('nodebuffer') rather than a copy per frame", async () => {
    const options = await sandboxes.start();
    expect(await catThrough({ ...options, webSocket: RecordingWs })).toEqual(bytes);
    expect(seen).toEqual(['nodebuffer']);
  });

  it("falls back to 'arraybuffer' where the implementation does not keep 'nodebuffer'", async () => {
    const options = await sandboxes.start();
    expect(await catThrough({ ...options, webSocket: UndiciLike })).toEqual(bytes);
    expect(seen).toEqual(['arraybuffer']);
  });
});
