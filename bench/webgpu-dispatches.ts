// Counts the GPU dispatches and tfjs kernel calls per layer of the diagnostic pass on the webgpu backend (SwiftShader is
// enough: the count does not depend on the device), split into weight init and the pass proper, for the configurations the
// GPU benchmark times; and the dispatches per layer of SEEDS seeds as SEEDS passes against one batched pass
// (runDiagnosticPasses). `node --import tsx bench/webgpu-dispatches.ts [depth scale]`: a scale below 1 (e.g. 0.2) cuts every
// depth, for a slow software adapter; the counts per layer barely change. Dispatch latency (~6–60 µs each on an H200,
// shared/notes/webgpu-in-node.md) times this count is the floor of a small layer's cost on a GPU.
import { existsSync } from 'node:fs';
import { selectBackend } from '../src/engine/backend';
import { buildHostNetwork } from '../src/engine/network';
import { runDiagnosticPass, runDiagnosticPasses } from '../src/engine/pass';
import { Rng } from '../src/engine/rng';
import type { Activation, LayerSpec } from '../src/spec/types';

const SEEDS = 3;
const ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES && existsSync(ICD)) process.env.VK_ICD_FILENAMES = ICD;

function layers(depth: number, width: number, activation: Activation, init: 'orthogonal' | 'gaussian'): LayerSpec[] {
  const out: LayerSpec[] = [];
  for (let l = 0; l < depth; l++) {
    const path = `model.layers[${l}]`;
    out.push({ kind: 'dense', units: width, init, gain: 1, bias: false, path });
    out.push({ kind: 'batchnorm', center: false, eps: 0, path } as LayerSpec);
    out.push({ kind: 'activation', fn: activation, gain: 1, path });
  }
  return out;
}

async function main(): Promise<void> {
  const backend = await selectBackend('webgpu');
  const { tf } = backend;
  const encoder = (globalThis as unknown as { GPUComputePassEncoder: { prototype: { dispatchWorkgroups: (...a: unknown[]) => void } } }).GPUComputePassEncoder;
  let dispatches = 0;
  const original = encoder.prototype.dispatchWorkgroups;
  encoder.prototype.dispatchWorkgroups = function (this: unknown, ...a: unknown[]) {
    dispatches++;
    return original.apply(this, a);
  };
  console.log(`adapter: ${JSON.stringify(backend.info.adapter)}`);
  console.log(
    `| width/batch/depth | init | activation | dispatches per layer (whole pass) | of which weight init | tfjs kernels per layer | ${SEEDS} seeds, a pass each | ${SEEDS} seeds, one batched pass |`,
  );
  console.log('|---|---|---|---:|---:|---:|---:|---:|');
  const scale = Number(process.argv[2] ?? 1);
  for (const [width, batch, fullDepth, activation, init] of [
    [128, 32, 200, 'identity', 'orthogonal'],
    [128, 32, 200, 'tanh', 'orthogonal'],
    [128, 32, 200, 'identity', 'gaussian'],
    [512, 16, 20, 'identity', 'orthogonal'],
  ] as const) {
    const depth = Math.max(2, Math.round(fullDepth * scale));
    const net = buildHostNetwork(layers(depth, width, activation, init), width, 10, 1);
    const x = new Rng(2).fillNormal(new Float64Array(batch * width));
    const labels = Int32Array.from({ length: batch }, (_, i) => i % 10);
    const input = { x, n: batch, features: width, labels, classes: 10, loss: 'cross-entropy' as const };
    await runDiagnosticPass(tf, net, input); // compile pipelines first
    const profile = await tf.profile(async () => {
      dispatches = 0;
      await runDiagnosticPass(tf, net, input);
    });
    const kernelCalls = profile.kernels.length;
    const total = dispatches;
    // The weights alone, drawn as the pass draws them.
    const { deviceWeight } = await import('../src/engine/weights');
    dispatches = 0;
    for (const op of net.ops) {
      if (op.kind !== 'dense') continue;
      const w = await deviceWeight(tf, op, 1, 'both');
      for (const t of w.tensors) t.dispose();
    }
    const initDispatches = dispatches;
    // SEEDS seeds (each its own weights and batch), batched into one pass.
    const nets = Array.from({ length: SEEDS }, (_, s) => buildHostNetwork(layers(depth, width, activation, init), width, 10, 1 + s));
    const inputs = nets.map((_, s) => ({ ...input, x: new Rng(2 + s).fillNormal(new Float64Array(batch * width)) }));
    await runDiagnosticPasses(tf, nets, inputs); // compile the batched shapes' pipelines first
    dispatches = 0;
    await runDiagnosticPasses(tf, nets, inputs);
    const batchedDispatches = dispatches;
    console.log(
      `| ${width}/${batch}/${depth} | ${init} | ${activation} | ${(total / depth).toFixed(1)} | ${(initDispatches / depth).toFixed(1)} | ${(kernelCalls / depth).toFixed(1)} | ` +
        `${((SEEDS * total) / depth).toFixed(1)} | ${(batchedDispatches / depth).toFixed(1)} |`,
    );
  }
}

void main();
