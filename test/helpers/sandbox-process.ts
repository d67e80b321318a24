import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LocalSandboxOptions } from 'superserve-rx/server';

/** A local sandbox in a process of its own, so that its memory can be measured apart. */
export interface SandboxProcess {
  readonly url: string;
  readonly accessToken: string;
  readonly pid: number;
  /** Its resident set size now, in bytes, from /proc. */
  rss(): number;
  /** Closes the sandbox (SIGTERM) and waits for the process to exit. */
  close(): Promise<void>;
}

const root = resolve(__dirname, '../..');

/** Starts `startLocalSandbox(options)` in a child Node process (through tsx, from source). */
export function startSandboxProcess(options: LocalSandboxOptions = {}): Promise<SandboxProcess> {
  const script = `
    const { startLocalSandbox } = require('./src/server/index.ts');
    startLocalSandbox(${JSON.stringify(options)}).then((sandbox) => {
      process.stdout.write(JSON.stringify({ url: sandbox.url, accessToken: sandbox.accessToken }) + '\\n');
      process.once('SIGTERM', () => sandbox.close().then(() => process.exit(0)));
    });`;
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return new Promise((resolveStarted, reject) => {
    let text = '';
    child.once('exit', (code) => reject(new Error(`sandbox process exited with ${code} before starting`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (!text.includes('\n')) return;
      const { url, accessToken } = JSON.parse(text) as { url: string; accessToken: string };
      resolveStarted({
        url,
        accessToken,
        pid: child.pid!,
        rss: () =>
          Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) * 1024,
        close: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      });
    });
  });
}
