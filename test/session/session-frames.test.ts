import fc from 'fast-check';
import {
  createStdinEncoder,
  decodeSessionFrame,
  ExecDecodeError,
  ExecFailedError,
  isExecIncompleteError,
  isExecNetworkError,
  isExecProtocolError,
  sessionCloseError,
} from 'superserve-rx';

const buffer = (...bytes: number[]) => new Uint8Array(bytes).buffer;

describe('decodeSessionFrame', () => {
  it('reads binary frames by their channel byte, as views of the bytes, with no decoding', () => {
    const frame = new Uint8Array([1, 0xff, 0x00, 0xc3]);
    const event = decodeSessionFrame(frame.buffer);
    expect(event).toEqual({ type: 'stdout', data: new Uint8Array([0xff, 0x00, 0xc3]) });
    expect((event as { data: Uint8Array }).data.buffer).toBe(frame.buffer);
    expect(decodeSessionFrame(buffer(2, 65))).toEqual({ type: 'stderr', data: new Uint8Array([65]) });
    // A view (Node's Buffer, say) works as well as an ArrayBuffer.
    expect(decodeSessionFrame(Buffer.from([2, 66]))).toEqual({ type: 'stderr', data: new Uint8Array([66]) });
    expect(decodeSessionFrame(buffer(1))).toBeUndefined();
  });

  it('reads the terminal text frame: finished with exactly type and exitCode, or the could-not-run error', () => {
    expect(decodeSessionFrame('{"exit_code":137,"finished":true}')).toEqual({
      type: 'finished',
      exitCode: 137,
    });
    expect(
      decodeSessionFrame('{"finished":true,"error":"the command failed to run","code":"exec_failed"}'),
    ).toEqual(new ExecFailedError('the command failed to run', 'exec_failed'));
    expect(decodeSessionFrame('{"finished":true,"error":"old server"}')).toEqual(
      new ExecFailedError('old server'),
    );
  });

  it('is an ExecDecodeError for any other frame, naming what was wrong', () => {
    const cases: Array<[unknown, RegExp]> = [
      [buffer(), /an empty binary frame/],
      [buffer(0, 1), /channel 0 \(expected 1 for stdout or 2 for stderr\)/],
      [buffer(7), /channel 7/],
      ['{"stdout":"x","timestamp":"t"}', /not a terminal event/],
      ['{"exit_code":0,"finished":true,"stdout":"x"}', /not a terminal event/],
      ['nope', /not JSON/],
      ['{"exit_code":"0","finished":true}', /exit_code/],
      [42, /expected a text or binary frame, got number/],
      [new Blob(['x']), /got Blob/],
    ];
    for (const [data, message] of cases) {
      const error = decodeSessionFrame(data);
      expect(error).toBeInstanceOf(ExecDecodeError);
      expect(String(error)).toMatch(message);
    }
    expect((decodeSessionFrame(buffer(9, 0xab)) as ExecDecodeError).data).toBe('09 ab');
  });

  it('keeps the access token out of its errors', () => {
    const error = decodeSessionFrame('{"finished":true,"error":"token secret-123 rejected"}', 'secret-123');
    expect(String(error)).not.toContain('secret-123');
    expect(String(decodeSessionFrame('not json secret-123', 'secret-123'))).not.toContain('secret-123');
  });
});

describe('createStdinEncoder', () => {
  const payload = (frames: Uint8Array[]) => Buffer.concat(frames.map((frame) => frame.subarray(1)));

  it('prefixes each frame with 0x00 and cuts at 32 KiB', () => {
    const frames = createStdinEncoder().encode(new Uint8Array(70_000).fill(5));
    expect(frames.map((frame) => frame.length)).toEqual([32_769, 32_769, 70_000 - 65_536 + 1]);
    expect(frames.every((frame) => frame[0] === 0)).toBe(true);
    expect(createStdinEncoder().encode('')).toEqual([]);
  });

  it('any chunking of strings and bytes arrives as the UTF-8 of the whole, whatever the frame size', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string({ unit: 'binary', maxLength: 20 }), fc.uint8Array({ maxLength: 20 })), {
          maxLength: 12,
        }),
        fc.integer({ min: 1, max: 9 }),
        (chunks, maxPayload) => {
          const encoder = createStdinEncoder(maxPayload);
          const frames = [...chunks.flatMap((chunk) => encoder.encode(chunk)), ...encoder.end()];
          expect(frames.every((frame) => frame.length <= maxPayload + 1 && frame[0] === 0)).toBe(true);
          // What a single encoder would make of the same input, strings joined across chunks.
          const expected: Uint8Array[] = [];
          let text = '';
          for (const chunk of chunks) {
            if (typeof chunk === 'string') text += chunk;
            else {
              expected.push(new TextEncoder().encode(text), chunk);
              text = '';
            }
          }
          expected.push(new TextEncoder().encode(text));
          expect(payload(frames)).toEqual(Buffer.concat(expected));
        },
      ),
    );
  });

  it('holds the first half of a surrogate pair for the next string, and flushes it as U+FFFD at the end', () => {
    const encoder = createStdinEncoder();
    expect(payload(encoder.encode('a\ud83d'))).toEqual(Buffer.from('a'));
    expect(payload(encoder.encode('\ude00'))).toEqual(Buffer.from('😀'));
    expect(payload(encoder.encode('\ud83d'))).toEqual(Buffer.alloc(0));
    expect(payload(encoder.end())).toEqual(Buffer.from('\ufffd'));
    expect(encoder.end()).toEqual([]);
  });
});

describe('sessionCloseError', () => {
  it('maps the service closes for a bad frame to ExecProtocolError naming the code, its meaning and the reason', () => {
    for (const code of [1003, 1008, 1009]) {
      const error = sessionCloseError(code, 'the reason');
      expect(isExecProtocolError(error)).toBe(true);
      expect(error.message).toMatch(new RegExp(`closed the session with ${code} \\(.+\\): the reason$`));
    }
    expect(sessionCloseError(1009, '').message).toMatch(/1009 \(message too big: .*32 KiB\)$/);
  });

  it('maps 1006 to ExecNetworkError (body phase) and any other code to ExecIncompleteError', () => {
    const dropped = sessionCloseError(1006, '');
    expect(isExecNetworkError(dropped) && dropped.phase).toBe('body');
    for (const code of [1000, 1001, 1011, 4000]) {
      const error = sessionCloseError(code, 'bye');
      expect(isExecIncompleteError(error)).toBe(true);
      expect(error.message).toBe(
        `the session closed with ${code} (bye) without a terminal event: the outcome of the command is unknown`,
      );
    }
  });

  it('redacts the access token from the reason', () => {
    expect(sessionCloseError(1008, 'bad token tok-1', 'tok-1').message).toMatch(/bad token \[redacted\]$/);
    expect(sessionCloseError(1000, 'tok-1', 'tok-1').message).not.toContain('tok-1');
  });
});
