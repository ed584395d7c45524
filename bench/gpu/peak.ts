// float32 matmul peak of one DepthLens backend, started the way the engine starts it (src/engine/backend.ts selectBackend),
// for bench/gpu.sh. bench/gpu/prepare.sh (or gpu.sh --smoke) bundles it into dist/gpu-peak.js, next to the wasm files.
// Usage: node dist/gpu-peak.js --backend webgpu|wasm --shapes 4096x4096x4096[,m x k x n ...] [--reps 3] [--seconds 1] [--flops 2e12]
// Prints one JSON line: { backend (the result's BackendInfo, adapter included), initSeconds, matmul: [{shape, gflops, runs}] }.
// Reads are always `await t.data()` (the webgpu backend in Node has no synchronous read).
import { selectBackend } from '../../src/engine/backend';
import type { BackendChoice } from '../../src/shared/result';

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1]! : fallback;
};

async function main(): Promise<void> {
  const choice = option('--backend', 'wasm');
  const shapes = option('--shapes', '512x512x512')
    .split(',')
    .map((s) => s.split('x').map(Number) as [number, number, number]);
  const reps = Number(option('--reps', '3'));
  const seconds = Number(option('--seconds', '1'));
  const t0 = performance.now();
  const backend = await selectBackend(choice as BackendChoice);
  const initSeconds = (performance.now() - t0) / 1000;
  const { tf } = backend;
  const flops = Number(option('--flops', backend.info.name === 'wasm' || backend.info.name === 'cpu' ? '2e10' : '2e12'));
  const matmul: { shape: [number, number, number]; gflops: number; runs: number[] }[] = [];
  for (const [m, k, n] of shapes) {
    const a = tf.randomNormal([m, k], 0, 1, 'float32');
    const b = tf.randomNormal([k, n], 0, 1, 'float32');
    const once = async (count: number): Promise<number> => {
      const t = performance.now();
      for (let i = 0; i < count; i++) {
        const c = tf.matMul(a as never, b as never);
        if (i === count - 1) {
          const corner = tf.slice(c, [0, 0], [1, 1]);
          await corner.data();
          corner.dispose();
        }
        c.dispose();
      }
      return (performance.now() - t) / 1000;
    };
    await once(2); // compile the kernel, allocate
    // As many products per timed run as take about --seconds (calibrated on a short run), at most --flops worth.
    const probe = Math.max(1, Math.min(8, Math.round(flops / (2 * m * k * n) / 20)));
    const perOp = (await once(probe)) / probe;
    const inner = Math.max(1, Math.min(Math.round(flops / (2 * m * k * n)), Math.round(seconds / perOp)));
    const runs: number[] = [];
    for (let r = 0; r < reps; r++) runs.push(await once(inner));
    const best = [...runs].sort((x, y) => x - y)[Math.floor(runs.length / 2)]!;
    matmul.push({ shape: [m, k, n], gflops: (2 * m * k * n * inner) / best / 1e9, runs });
    a.dispose();
    b.dispose();
  }
  process.stdout.write(`${JSON.stringify({ backend: backend.info, initSeconds, matmul })}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`gpu-peak: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exit(1);
  },
);
