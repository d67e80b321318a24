import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

/**
 * Runs a file of `examples/` the way the README says (under tsx), on its embedded local
 * sandbox (the environment's sandbox variables are cleared), and returns its stdout.
 */
export async function runExample(file: string, args: string[] = []): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', `examples/${file}`, ...args],
    {
      cwd: resolve(__dirname, '../..'),
      env: { ...process.env, SUPERSERVE_SANDBOX_URL: '', SUPERSERVE_ACCESS_TOKEN: '' },
      timeout: 20_000,
    },
  );
  return stdout;
}
