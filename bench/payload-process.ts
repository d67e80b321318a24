// Starts bench/payload-server.ts as a child process and reads its port and payload stats.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Scenario } from './scenarios.js';

/** What a scenario's body holds. */
export interface ScenarioStats {
  readonly bytes: number;
  readonly events: number;
  readonly lines: number;
  readonly stdoutBytes: number;
}

/** A running payload server. */
export interface PayloadServer {
  readonly baseUrl: string;
  readonly stats: Record<Scenario, ScenarioStats>;
  close(): void;
}

/** Starts the payload server (`BENCH_SCALE` sizes its payloads). */
export async function startPayloadServer(): Promise<PayloadServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'payload-server.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: process.env,
  });
  // Whatever happens to this process, the payload server goes with it.
  process.once('exit', () => child.kill('SIGTERM'));
  const [line] = await new Promise<string[]>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`payload server exited with ${code}`)));
    createInterface({ input: child.stdout! }).once('line', (first) => resolve([first]));
  });
  const { port, stats } = JSON.parse(line!) as { port: number; stats: PayloadServer['stats'] };
  return { baseUrl: `http://127.0.0.1:${port}`, stats, close: () => child.kill('SIGTERM') };
}
