import { EventEmitter } from 'node:events';
import { type HandshakeResponse, readHandshakeRefusal } from '../../src/client/read-handshake-refusal';
import { ERROR_BODY_DEADLINE_MS, MAX_ERROR_BODY_BYTES } from '../../src/client/read-http-error';
import { ExecHttpError } from '../../src/errors/exec-http-error';

// A refused handshake as the `ws` package hands it over: a Node response whose body arrives in
// chunks, may never end, and must be destroyed once read.
class FakeRefusal extends EventEmitter implements HandshakeResponse {
  destroyed = 0;
  readonly statusCode?: number;
  constructor(
    status: number | undefined,
    readonly headers: Record<string, string> = {},
  ) {
    super();
    if (status !== undefined) this.statusCode = status;
  }
  destroy(): void {
    this.destroyed += 1;
  }
  send(text: string): void {
    this.emit('data', new TextEncoder().encode(text));
  }
}

const SECRET = 'tok_0123456789abcdef';

/** Whether `promise` has settled, after the microtasks already queued have run. */
const settled = async (promise: Promise<unknown>): Promise<boolean> => {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

describe('readHandshakeRefusal', () => {
  it('reads a body sent in chunks, in order, into an ExecHttpError with status, Retry-After and the envelope', async () => {
    const refusal = new FakeRefusal(429, { 'retry-after': '3' });
    const error = readHandshakeRefusal(refusal, SECRET);
    refusal.send('{"error":{"code":"rate_limited",');
    refusal.send('"message":"too many"}}');
    refusal.emit('end');
    expect(await settled(error)).toBe(true);
    const result = await error;
    expect(result).toBeInstanceOf(ExecHttpError);
    expect(result).toMatchObject({
      status: 429,
      body: '{"error":{"code":"rate_limited","message":"too many"}}',
      code: 'rate_limited',
      retryAfterMs: 3000,
    });
    expect(refusal.destroyed).toBe(1);
  });

  it.each(['end', 'error', 'close'])('is done at %s, with what arrived', async (event) => {
    const refusal = new FakeRefusal(403);
    const error = readHandshakeRefusal(refusal, SECRET);
    refusal.send('forbidden origin');
    expect(await settled(error)).toBe(false);
    refusal.emit(event);
    expect(await settled(error)).toBe(true); // at once, not at the 2 s deadline
    expect(await error).toMatchObject({ status: 403, body: 'forbidden origin' });
    expect(refusal.destroyed).toBe(1);
  });

  it('stops at 4 KiB plus the secret: no end needed, destroyed once, later events ignored', async () => {
    const refusal = new FakeRefusal(500);
    const error = readHandshakeRefusal(refusal, SECRET);
    refusal.send('a'.repeat(MAX_ERROR_BODY_BYTES));
    expect(await settled(error)).toBe(false);
    refusal.send('b'.repeat(SECRET.length - 1));
    expect(await settled(error)).toBe(false);
    refusal.send('c'); // exactly the cap
    expect(await settled(error)).toBe(true);
    refusal.send('d'.repeat(100));
    refusal.emit('end');
    refusal.emit('close');
    expect(refusal.destroyed).toBe(1);
    expect((await error).body).toBe('a'.repeat(MAX_ERROR_BODY_BYTES));
  });

  it('redacts a token echoed across the 4 KiB edge: not even its first characters are kept', async () => {
    const refusal = new FakeRefusal(401);
    const error = readHandshakeRefusal(refusal, SECRET);
    const before = MAX_ERROR_BODY_BYTES - 6;
    refusal.send('x'.repeat(before));
    refusal.send(`${SECRET}${'y'.repeat(500)}`);
    const { body } = await error;
    expect(body.startsWith('x'.repeat(before))).toBe(true);
    expect(body).not.toContain(SECRET.slice(0, 4));
    expect(body.length).toBe(MAX_ERROR_BODY_BYTES);
  });

  it('reports an endless body with what arrived within the deadline, then destroys it', async () => {
    jest.useFakeTimers();
    try {
      const refusal = new FakeRefusal(502);
      const error = readHandshakeRefusal(refusal, SECRET);
      refusal.send(': keepalive\n');
      jest.advanceTimersByTime(ERROR_BODY_DEADLINE_MS - 1);
      expect(refusal.destroyed).toBe(0);
      jest.advanceTimersByTime(1);
      expect(refusal.destroyed).toBe(1);
      expect(await error).toMatchObject({ status: 502, body: ': keepalive' });
    } finally {
      jest.useRealTimers();
    }
  });

  it('reads a response without a status as status 0', async () => {
    const refusal = new FakeRefusal(undefined);
    const error = readHandshakeRefusal(refusal, SECRET);
    refusal.emit('close');
    expect(await error).toMatchObject({ status: 0, body: '' });
  });
});
