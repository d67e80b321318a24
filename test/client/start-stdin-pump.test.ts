import { PassThrough } from 'node:stream';
import { startStdinPump } from '../../src/client/start-stdin-pump';
import { waitFor } from '../helpers/processes';

describe('startStdinPump', () => {
  it('releases a Node stream that is waiting for data when stopped', async () => {
    // A pending next() holds an async iterator's return() back until the next chunk: without
    // more, a terminal's stdin would stay open after its session ended and keep the process up.
    const source = new PassThrough();
    const sent: Array<Uint8Array | string> = [];
    const errors: unknown[] = [];
    const pump = startStdinPump(
      source,
      { send: (frame) => sent.push(frame), unsent: () => 0 },
      { highWaterMark: 1024, maxBuffered: 1024, onError: (error) => errors.push(error) },
    );
    pump.open();
    source.write('a');
    await waitFor(() => sent.length === 1, 5000, 'the first chunk to be sent');
    pump.stop();
    await waitFor(() => source.destroyed, 5000, 'the stream to be destroyed');
    expect(sent).toEqual([new Uint8Array([0, 0x61])]);
    expect(errors).toEqual([]);
  });
});
