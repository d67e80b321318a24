// Run by bench/run.ts in its own process: streams `mem:<bytes>` from the payload server through
// one contender while sampling RSS every 100 ms, and prints the figures as JSON.
import { execLines, type Contender, vendorSdk } from './contenders.js';

const [baseUrl, contenderName, bytesText] = process.argv.slice(2) as [string, string, string];
const contenders: Record<string, Contender> = { 'exec$ lines': execLines, '@superserve/sdk': vendorSdk };
const contender = contenders[contenderName]!;
const target = { baseUrl, accessToken: 'bench' };

async function main(): Promise<void> {
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
  } catch (error) {
    failure = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
  peak = Math.max(peak, process.memoryUsage.rss());
  clearInterval(sampler);
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
