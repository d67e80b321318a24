// A Jest transform for Angular's packages, which ship only ES modules (fesm2022/*.mjs): Jest's
// CommonJS runtime on Node 20 cannot load them as they are, so esbuild rewrites each file to
// CommonJS as it is loaded. Used for node_modules/@angular only (jest.config.ts).
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { transformSync } from 'esbuild';

const esbuildVersion = createRequire(import.meta.url)('esbuild/package.json').version;

export default {
  canInstrument: false,
  getCacheKey(source, filename) {
    return createHash('sha256')
      .update(`esm-to-cjs ${esbuildVersion}\0${filename}\0`)
      .update(source)
      .digest('hex');
  },
  process(source, filename) {
    const { code, map } = transformSync(source, {
      format: 'cjs',
      loader: 'js',
      target: 'node20',
      sourcemap: 'external',
      sourcefile: filename,
      logLevel: 'silent',
    });
    return { code, map };
  },
};
