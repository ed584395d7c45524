// All seeds of a run in one batched diagnostic pass against one pass per seed, on one backend:
// `node --import tsx bench/seed-batch.ts [wasm|webgpu] [seeds]`. Prints each size's seconds both ways (init + diagnostic,
// warm, best of two) and the ratio; ../src/engine/seedPlan decides from such numbers where batching is used.
import { existsSync } from 'node:fs';
import { selectBackend, type Backend } from '../src/engine/backend';
import { buildHostNetwork, type HostNetwork } from '../src/engine/network';
import { runDiagnosticPass, runDiagnosticPasses, type PassInput } from '../src/engine/pass';
import { Rng } from '../src/engine/rng';
import type { Activation, InitKind, LayerSpec } from '../src/spec/types';

const ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES && existsSync(ICD)) process.env.VK_ICD_FILENAMES = ICD;

function layers(depth: number, width: number, activation: Activation, init: InitKind): LayerSpec[] {
  const out: LayerSpec[] = [];
  for (let l = 0; l < depth; l++) {
    const path = `model.layers[${l}]`;
    out.push({ kind: 'dense', units: width, init, gain: 1, bias: false, path });
    out.push({ kind: 'batchnorm', center: true, eps: 0, path } as LayerSpec);
    out.push({ kind: 'activation', fn: activation, gain: 1, path });
  }
  return out;
}

async function best(f: () => Promise<unknown>): Promise<number> {
  let min = Infinity;
  for (let r = 0; r < 2; r++) {
    const t0 = performance.now();
    await f();
    min = Math.min(min, (performance.now() - t0) / 1000);
  }
  return min;
}

async function main(): Promise<void> {
  const backendName = (process.argv[2] ?? 'wasm') as 'wasm' | 'webgpu';
  const seeds = Number(process.argv[3] ?? 3);
  const backend: Backend = await selectBackend(backendName);
  const { tf } = backend;
  const sizes: [number, number, number, InitKind][] =
    backendName === 'wasm'
      ? [[128, 32, 1000, 'orthogonal'], [128, 32, 1000, 'gaussian'], [512, 64, 300, 'orthogonal'], [512, 64, 300, 'gaussian']]
      : [[128, 32, 200, 'orthogonal'], [128, 32, 200, 'gaussian'], [256, 32, 50, 'gaussian']];
  console.log(`${backendName}, ${seeds} seeds`);
  console.log('| width/batch/depth | init | one pass per seed (s) | one batched pass (s) | ratio |');
  console.log('|---|---|---:|---:|---:|');
  for (const [width, batch, depth, init] of sizes) {
    const nets: HostNetwork[] = [];
    const inputs: PassInput[] = [];
    for (let s = 0; s < seeds; s++) {
      nets.push(buildHostNetwork(layers(depth, width, 'tanh', init), width, 10, s));
      const x = new Rng(100 + s).fillNormal(new Float64Array(batch * width));
      const labels = Int32Array.from({ length: batch }, (_, i) => (i + s) % 10);
      inputs.push({ x, n: batch, features: width, labels, classes: 10, loss: 'cross-entropy' });
    }
    // Warm: compile kernels, grow the heap.
    await runDiagnosticPasses(tf, nets.map((n) => ({ ...n })).slice(0, seeds), inputs);
    const unbatched = await best(async () => {
      for (const [s, net] of nets.entries()) await runDiagnosticPass(tf, net, inputs[s]);
    });
    const batched = await best(() => runDiagnosticPasses(tf, nets, inputs));
    console.log(`| ${width}/${batch}/${depth} | ${init} | ${unbatched.toFixed(2)} | ${batched.toFixed(2)} | ${(unbatched / batched).toFixed(2)} |`);
  }
}

void main();
