// Bundles bench/gpu/peak.ts into dist/gpu-peak.js (beside the wasm files that scripts/build.mjs copies into dist/), with the
// same externals as the engine bundle. Usage: node bench/gpu/build-peak.mjs   (after npm run build)
import * as esbuild from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
await esbuild.build({
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  logLevel: 'warning',
  external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'webgpu'],
  entryPoints: [join(root, 'bench/gpu/peak.ts')],
  outfile: join(root, 'dist/gpu-peak.js'),
});
console.log('build-peak: dist/gpu-peak.js');
