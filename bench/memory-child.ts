// Run by bench/run.ts in its own process: streams `mem:<bytes>` from the payload server through
// one contender, or pipes that many bytes of stdin through execSession$ into `wc -c` (against
// a sandbox's URL, or 'embedded': a local sandbox in this process), while sampling RSS every
// 100 ms, and prints the figures as JSON.
import { startLocalSandbox } from 'superserve-rx/server';
import { CliWebSocket } from '../src/cli/cli-web-socket.js';
import { execLines, type Contender, type Target, vendorSdk } from './contenders.js';
import { sessionStdin } from './sessions.js';

const [baseUrl, contenderName, bytesText, accessToken] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
];
const contenders: Record<string, Contender> = {
  'exec$ lines': execLines,
  '@superserve/sdk': vendorSdk,
  // Counts what `wc -c` counted, so a short read shows as a failure below.
  'execSession$ stdin': (target, command) => sessionStdin(target, Number(command.slice('mem:'.length))),
  'execSession$ + CliWebSocket stdin': (target, command) =>
    sessionStdin(target, Number(command.slice('mem:'.length)), CliWebSocket),
};
const contender = contenders[contenderName]!;

async function main(): Promise<void> {
  const embedded = baseUrl === 'embedded' ? await startLocalSandbox() : undefined;
  const target: Target = embedded
    ? { baseUrl: embedded.url, accessToken: embedded.accessToken }
    : { baseUrl, accessToken };
  // Warm up: load and JIT everything, then let the heap settle before the baseline.
  await contender(target, `mem:${8 * 1024 * 1024}`);
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 100);
  const started = performance.now();
  let counted = 0;
  let failure: string | undefined;
  try {
    counted = await contender(target, `mem:${bytesText}`);
    if (contenderName.endsWith('stdin') && counted !== Number(bytesText)) {
      failure = `wc -c counted ${counted} bytes`;
    }
  } catch (error) {
    failure = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
  peak = Math.max(peak, process.memoryUsage.rss());
  clearInterval(sampler);
  await embedded?.close();
  console.log(
    JSON.stringify({
      baseline,
      peak,
      growth: peak - baseline,
      ms: performance.now() - started,
      counted,
      failure,
    }),
  );
}

void main();
