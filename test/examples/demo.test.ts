import { runExample } from '../helpers/run-example';

describe('npm start (examples/demo.ts)', () => {
  it('runs every command on an embedded sandbox, prints live prefixed lines and a summary, exits 0', async () => {
    const stdout = await runExample('demo.ts');
    expect(stdout).toMatch(
      /^superserve-rx demo: 7 runs, 3 at a time, on a local sandbox at http:\/\/127\.0\.0\.1:\d+/,
    );
    const live = stdout.split('\n').filter((line) => line.startsWith('['));
    expect(live.filter((line) => line.startsWith('[count    ]'))).toEqual(
      [1, 2, 3, 4, 5].map((i) => `[count    ] tick ${i}`),
    );
    expect(live).toContain('[exit-3   ] ! about to fail');
    const table = stdout.slice(stdout.indexOf('\nrun '));
    const rows = Object.fromEntries(
      table
        .trim()
        .split('\n')
        .slice(1)
        .map((row) => {
          const [name, ...rest] = row.split(/\s{2,}/);
          return [name, rest.slice(0, 2)];
        }),
    );
    expect(rows).toEqual({
      system: ['exit 0', '2'],
      count: ['exit 0', '5'],
      sort: ['exit 0', '3'],
      'exit-3': ['exit 3', '1'],
      'bad-dir': ['ExecFailedError (exec_failed)', '0'],
      timeout_s: ['exit 124', '1'],
      deadline: ['ExecTimeoutError (total, 1500 ms)', '1'],
    });
  });
});
