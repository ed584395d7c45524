// float32 matmul peak of one DepthLens backend, started the way the engine starts it (src/engine/backend.ts selectBackend),
// for bench/gpu.sh. bench/gpu/prepare.sh (or gpu.sh --smoke) bundles it into dist/gpu-peak.js, next to the wasm files.
// Usage: node dist/gpu-peak.js --backend webgpu|wasm --shapes 4096x4096x4096[,MxKxN[:ta|:tb] ...] [--kernel tfjs|tiled|both]
//        [--reps 3] [--seconds 1] [--flops 2e12]
// A shape MxKxN is op(A)·op(B) with op(A) M×K and op(B) K×N; ':ta' stores A transposed (K×M, as the pass's W·X from a
// stored Wᵀ and its XᵀX Grams), ':tb' B. --kernel (webgpu only): tfjs's matmul, DepthLens's tiled one
// (src/engine/kernels/webgpu/matmul.ts), or both one after the other on the same operands (their products compared once).
// Prints one JSON line: { backend (the result's BackendInfo, adapter included), initSeconds,
//   matmul: [{shape, transposeA, transposeB, kernel, gflops, runs, relDiffToTfjs?}] }.
// Reads are always `await t.data()` (the webgpu backend in Node has no synchronous read).
import type { Tensor } from '@tensorflow/tfjs';
import { selectBackend } from '../../src/engine/backend';
import { registerWebGpuKernels, setMatMulKernel, type MatMulKernel } from '../../src/engine/kernels/webgpu';
import type { BackendChoice } from '../../src/shared/result';

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1]! : fallback;
};

async function main(): Promise<void> {
  const shapes = option('--shapes', '512x512x512')
    .split(',')
    .map((spec) => {
      const [dims, flag] = spec.split(':');
      const [m, k, n] = dims!.split('x').map(Number) as [number, number, number];
      if (![m, k, n].every((x) => Number.isInteger(x) && x > 0) || (flag && flag !== 'ta' && flag !== 'tb')) throw new Error(`bad shape "${spec}" (MxKxN[:ta|:tb])`);
      return { m, k, n, transposeA: flag === 'ta', transposeB: flag === 'tb' };
    });
  const kernelOption = option('--kernel', 'tfjs');
  if (!['tfjs', 'tiled', 'both'].includes(kernelOption)) throw new Error(`--kernel must be tfjs, tiled or both, got ${kernelOption}`);
  const reps = Number(option('--reps', '3'));
  const seconds = Number(option('--seconds', '1'));
  const t0 = performance.now();
  const backend = await selectBackend(option('--backend', 'wasm') as BackendChoice);
  const initSeconds = (performance.now() - t0) / 1000;
  const { tf } = backend;
  const onWebGpu = backend.info.name === 'webgpu';
  if (!onWebGpu && kernelOption !== 'tfjs') throw new Error('--kernel tiled|both needs --backend webgpu');
  const device = onWebGpu ? (tf.backend() as unknown as { device: GPUDevice }).device : null;
  if (device) registerWebGpuKernels();
  const kernels: MatMulKernel[] = kernelOption === 'both' ? ['tfjs', 'tiled'] : [kernelOption as MatMulKernel];
  const flops = Number(option('--flops', backend.info.name === 'wasm' || backend.info.name === 'cpu' ? '2e10' : '2e12'));
  const matmul: { shape: [number, number, number]; transposeA: boolean; transposeB: boolean; kernel: MatMulKernel; gflops: number; runs: number[]; relDiffToTfjs?: number }[] = [];
  for (const { m, k, n, transposeA, transposeB } of shapes) {
    const a = tf.randomNormal(transposeA ? [k, m] : [m, k], 0, 1, 'float32');
    const b = tf.randomNormal(transposeB ? [n, k] : [k, n], 0, 1, 'float32');
    const product = (): Tensor => tf.matMul(a as never, b as never, transposeA, transposeB);
    let reference: Tensor | null = null;
    for (const kernel of kernels) {
      if (device) setMatMulKernel(device, kernel, { everyProduct: true });
      const once = async (count: number): Promise<number> => {
        const t = performance.now();
        for (let i = 0; i < count; i++) {
          const c = product();
          if (i === count - 1) {
            const corner = tf.slice(c, [0, 0], [1, 1]);
            await corner.data();
            corner.dispose();
          }
          c.dispose();
        }
        return (performance.now() - t) / 1000;
      };
      let relDiffToTfjs: number | undefined;
      if (kernels.length > 1) {
        // The products of both kernels compared once (relative to the largest entry), before timing.
        const c = product();
        if (!reference) reference = c;
        else {
          const rel = tf.tidy(() => tf.div(tf.max(tf.abs(tf.sub(reference!, c))), tf.max(tf.abs(reference!))));
          relDiffToTfjs = ((await rel.data()) as Float32Array)[0];
          rel.dispose();
          c.dispose();
        }
      }
      await once(2); // compile the kernel, allocate
      // As many products per timed run as take about --seconds (calibrated on a short run), at most --flops worth.
      const probe = Math.max(1, Math.min(8, Math.round(flops / (2 * m * k * n) / 20)));
      const perOp = (await once(probe)) / probe;
      const inner = Math.max(1, Math.min(Math.round(flops / (2 * m * k * n)), Math.round(seconds / perOp)));
      const runs: number[] = [];
      for (let r = 0; r < reps; r++) runs.push(await once(inner));
      const best = [...runs].sort((x, y) => x - y)[Math.floor(runs.length / 2)]!;
      matmul.push({ shape: [m, k, n], transposeA, transposeB, kernel, gflops: (2 * m * k * n * inner) / best / 1e9, runs, ...(relDiffToTfjs !== undefined ? { relDiffToTfjs } : {}) });
    }
    reference?.dispose();
    a.dispose();
    b.dispose();
  }
  if (device) setMatMulKernel(device, 'tfjs');
  process.stdout.write(`${JSON.stringify({ backend: backend.info, initSeconds, matmul })}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`gpu-peak: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exit(1);
  },
);
