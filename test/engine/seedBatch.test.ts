// Several seeds in one diagnostic pass (runDiagnosticPasses) against each seed's own pass (runDiagnosticPass), on wasm and
// on webgpu (SwiftShader), and against the float64 reference; the per-seed kernels (layer norm and rescale over stacked
// seeds) against a float64 host reference; NaN in one seed stays in that seed; cancellation and progress.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import type { LossKind } from '../../src/spec/types';
import { selectBackend, type Backend } from '../../src/engine/backend';
import { buildHostNetwork, type HostNetwork } from '../../src/engine/network';
import { normBackward, normForward, rescaleByMaxAbs, type NormShape } from '../../src/engine/ops';
import { runDiagnosticPass, runDiagnosticPasses, type PassInput, type PassResult } from '../../src/engine/pass';
import { Rng } from '../../src/engine/rng';
import { blocks, gaussianBatch, type BlockOptions } from './helpers';
import { normReference } from './normReference';
import { reference64 } from './reference64';
import { webgpuBackend } from './webgpu';

const FEATURES = 6;
const CLASSES = 3;

interface SeedCase {
  name: string;
  opts: BlockOptions;
  n: number;
  loss: LossKind;
  seeds: number;
  features?: number;
  weightBudgetBytes?: number;
}

const cases: SeedCase[] = [
  { name: 'one seed, gaussian, centred BN, tanh', opts: { depth: 5, width: 8, init: 'gaussian', activation: 'tanh', center: true }, n: 6, loss: 'cross-entropy', seeds: 1 },
  { name: 'orthogonal, BN without mean, identity, MSE', opts: { depth: 6, width: 8, center: false }, n: 8, loss: 'mse', seeds: 2 },
  { name: 'gaussian, centred BN, tanh', opts: { depth: 5, width: 8, init: 'gaussian', activation: 'tanh', center: true }, n: 6, loss: 'cross-entropy', seeds: 3 },
  { name: 'layer norm, sin, linear-act-norm', opts: { depth: 5, width: 8, order: 'linear-act-norm', norm: 'layernorm', activation: 'sin', shaping: 0.4 }, n: 6, loss: 'cross-entropy', seeds: 4 },
  { name: 'residual, no norm, gelu, he init', opts: { depth: 5, width: 8, norm: 'none', init: 'he', activation: 'gelu', residualAlpha: 0.5 }, n: 6, loss: 'cross-entropy', seeds: 3 },
  { name: 'residual with BN, xavier, leaky-relu, MSE', opts: { depth: 4, width: 8, init: 'xavier', activation: 'leaky-relu', residualAlpha: 0.3 }, n: 6, loss: 'mse', seeds: 2 },
  { name: 'norm-linear-act, centred layer norm, selu, eps', opts: { depth: 5, width: 8, order: 'norm-linear-act', norm: 'layernorm', activation: 'selu', eps: 1e-3 }, n: 6, loss: 'cross-entropy', seeds: 3 },
  { name: 'weights drawn again backward, relu', opts: { depth: 4, width: 8, init: 'orthogonal', activation: 'relu' }, n: 6, loss: 'cross-entropy', seeds: 2, weightBudgetBytes: 0 },
  // 3 × 64 × 64 stacked is past the wasm fused kernels' size: the composite ops take the seeds (one seed alone is fused).
  { name: 'width 64 batch 64, layer norm and BN, composite ops', opts: { depth: 3, width: 64, order: 'linear-norm-act', norm: 'layernorm', activation: 'tanh' }, n: 64, loss: 'cross-entropy', seeds: 3, features: 64 },
  // Wide orthogonal weights stay factored on wasm: applied seed by seed inside the batched pass.
  { name: 'factored orthogonal width 256', opts: { depth: 2, width: 256, activation: 'tanh' }, n: 8, loss: 'cross-entropy', seeds: 2, features: 256 },
];

function seedsOf(c: SeedCase): { nets: HostNetwork[]; inputs: PassInput[] } {
  const features = c.features ?? FEATURES;
  const nets: HostNetwork[] = [];
  const inputs: PassInput[] = [];
  for (let s = 0; s < c.seeds; s++) {
    const seed = 40 + 3 * s;
    nets.push(buildHostNetwork(blocks(c.opts), features, CLASSES, seed));
    // Every seed its own samples and labels, as loadBatch draws them per seed.
    const { x, labels } = gaussianBatch(c.n, features, CLASSES, seed);
    inputs.push({ x, n: c.n, features, labels, classes: CLASSES, loss: c.loss, ...(c.weightBudgetBytes !== undefined ? { weightBudgetBytes: c.weightBudgetBytes } : {}) });
  }
  return { nets, inputs };
}

/** Per seed: loss, ln‖∇W‖, gap and activation statistics of the batched pass against the seed's own pass. */
function assertSame(batched: PassResult[], single: PassResult[], slack: number, label: string): void {
  assert.equal(batched.length, single.length);
  for (const [s, b] of batched.entries()) {
    const one = single[s];
    assert.deepEqual(b.nonFinite, one.nonFinite, `${label}, seed ${s}: non-finite`);
    assert.ok(Math.abs(b.loss - one.loss) < slack * 1e-5 * Math.max(1, Math.abs(one.loss)), `${label}, seed ${s}: loss ${b.loss} vs ${one.loss}`);
    assert.equal(b.layers.length, one.layers.length);
    for (const [i, layer] of b.layers.entries()) {
      const other = one.layers[i];
      const at = `${label}, seed ${s}, layer ${i}`;
      assert.ok(Math.abs(layer.logGradNorm - other.logGradNorm) < slack * 1e-4, `${at}: ln‖∇W‖ ${layer.logGradNorm} vs ${other.logGradNorm}`);
      const [g1, g2] = [layer.gap.gap, other.gap.gap];
      assert.equal(g1 === null, g2 === null, `${at}: gap ${g1} vs ${g2}`);
      if (g1 !== null && g2 !== null) assert.ok(Math.abs(g1 - g2) < slack * 1e-4 * Math.max(1, g2), `${at}: gap ${g1} vs ${g2}`);
      assert.equal(layer.activations === null, other.activations === null, `${at}: statistics sampled alike`);
      if (layer.activations && other.activations) {
        for (const key of ['mean', 'rms', 'saturated'] as const) {
          assert.ok(Math.abs(layer.activations[key] - other.activations[key]) < slack * 1e-4, `${at}: ${key} ${layer.activations[key]} vs ${other.activations[key]}`);
        }
      }
    }
  }
}

async function backendFor(name: 'wasm' | 'webgpu', t: TestContext): Promise<Backend | null> {
  return name === 'webgpu' ? await webgpuBackend(t) : await selectBackend('wasm');
}

for (const c of cases) {
  test(`wasm: ${c.seeds} seeds in one pass match each seed's own pass: ${c.name}`, async () => {
    const { tf } = await selectBackend('wasm');
    const before = tf.memory().numTensors;
    const { nets, inputs } = seedsOf(c);
    const batched = await runDiagnosticPasses(tf, nets, inputs);
    const single: PassResult[] = [];
    for (const [s, net] of nets.entries()) single.push(await runDiagnosticPass(tf, net, inputs[s]));
    assertSame(batched, single, 1, c.name);
    // Seeds differ in weights and data: their results must too (a pass that gave every seed seed 0's would pass above for S = 1 only).
    if (c.seeds > 1) assert.notEqual(batched[0].layers[0].logGradNorm, batched[1].layers[0].logGradNorm);
    assert.equal(tf.memory().numTensors, before);
  });
}

for (const c of [cases[3], cases[4], cases[6], cases[8]]) {
  test(`webgpu: ${c.seeds} seeds in one pass match each seed's own pass on wasm: ${c.name}`, async (t) => {
    const gpu = await webgpuBackend(t);
    if (!gpu) return;
    const { nets, inputs } = seedsOf(c);
    const batched = await runDiagnosticPasses(gpu.tf, nets, inputs);
    const wasm = await selectBackend('wasm');
    const single: PassResult[] = [];
    for (const [s, net] of nets.entries()) single.push(await runDiagnosticPass(wasm.tf, net, inputs[s]));
    // WGSL's built-ins are allowed more error than wasm's libm (test/engine/pass.test.ts), hence 10×.
    assertSame(batched, single, 10, c.name);
  });
}

test('wasm: each seed of a batched pass matches the float64 reference', async () => {
  const { tf } = await selectBackend('wasm');
  const c = cases[6];
  const { nets, inputs } = seedsOf(c);
  const results = await runDiagnosticPasses(tf, nets, inputs);
  for (const [s, r] of results.entries()) {
    const ref = reference64(nets[s], inputs[s].x, c.n, inputs[s].labels, c.loss);
    assert.ok(Math.abs(r.loss - ref.loss) < 1e-5 * Math.max(1, ref.loss), `seed ${s}: loss ${r.loss} vs ${ref.loss}`);
    for (let i = 0; i < nets[s].depth; i++) {
      assert.ok(Math.abs(r.layers[i].logGradNorm - ref.logGradNorm[i]) < 2e-4, `seed ${s}, layer ${i}: ${r.layers[i].logGradNorm} vs ${ref.logGradNorm[i]}`);
    }
  }
});

for (const name of ['wasm', 'webgpu'] as const) {
  test(`${name}: NaN in one seed's batch marks that seed non-finite and leaves the others as their own passes`, async (t) => {
    const b = await backendFor(name, t);
    if (!b) return;
    const c = cases[2];
    // NaN in the middle seed; then in the first and the last, the clean one between them.
    for (const bad of [[1], [0, 2]]) {
      const { nets, inputs } = seedsOf(c);
      for (const s of bad) inputs[s] = { ...inputs[s], x: Float64Array.from(inputs[s].x, (v, i) => (i === 3 ? NaN : v)) };
      const batched = await runDiagnosticPasses(b.tf, nets, inputs);
      for (const s of bad) assert.deepEqual(batched[s].nonFinite, { phase: 'forward', layer: 0 }, `seed ${s} of ${bad}`);
      const wasm = await selectBackend('wasm');
      for (const s of [0, 1, 2].filter((k) => !bad.includes(k))) {
        assertSame([batched[s]], [await runDiagnosticPass(wasm.tf, nets[s], inputs[s])], name === 'webgpu' ? 10 : 1, `seed ${s}, NaN in ${bad}`);
      }
    }
  });

  test(`${name}: a cancelled batched pass throws CancelledError and frees every tensor; progress counts the layers`, async (t) => {
    const b = await backendFor(name, t);
    if (!b) return;
    const { tf } = b;
    const { CancelledError } = await import('../../src/engine/errors');
    const before = tf.memory().numTensors;
    const c: SeedCase = { name: 'deep', opts: { depth: 400, width: 32, activation: 'tanh' }, n: 16, loss: 'cross-entropy', seeds: 3 };
    const { nets, inputs } = seedsOf(c);
    const controller = new AbortController();
    const seen: [number, number][] = [];
    await assert.rejects(
      runDiagnosticPasses(tf, nets, inputs, {
        signal: controller.signal,
        onProgress: (fraction, layer) => {
          seen.push([fraction, layer]);
          if (fraction > 0.2) controller.abort();
        },
      }),
      (e: unknown) => e instanceof CancelledError,
    );
    assert.ok(seen.length >= 1);
    for (const [fraction, layer] of seen) {
      assert.ok(fraction >= 0 && fraction <= 1 && layer >= 0 && layer < 400, `progress ${fraction} at layer ${layer}`);
    }
    for (let k = 1; k < seen.length; k++) assert.ok(seen[k][0] >= seen[k - 1][0], 'progress never goes back');
    assert.equal(tf.memory().numTensors, before);
  });

  test(`${name}: layer norm and rescale over stacked seeds act per seed (float64 reference; the rescale's two-dispatch size)`, async (t) => {
    const b = await backendFor(name, t);
    if (!b) return;
    const { tf } = b;
    const seeds = 3;
    for (const [d, n] of [[8, 6], [200, 100]] as const) {
      const rng = new Rng(d + n);
      const xv = rng.fillNormal(new Float64Array(seeds * d * n));
      const gv = rng.fillNormal(new Float64Array(seeds * d * n));
      // Seeds of very different size: a shared maximum or a shared layer-norm statistic would show.
      for (let i = 0; i < gv.length; i++) gv[i] *= 10 ** Math.floor(i / (d * n));
      const x = tf.tensor2d(Float32Array.from(xv), [seeds * d, n]) as Tensor2D;
      const g = tf.tensor2d(Float32Array.from(gv), [seeds * d, n]) as Tensor2D;
      const norm: NormShape = { axis: 0, center: true };
      const [y, inv] = normForward(tf, x, norm, 1e-3, seeds);
      const dx = normBackward(tf, g, y, inv, norm, seeds);
      const [scaled, logScale] = rescaleByMaxAbs(tf, g, 1e-30, seeds);
      const [yv, dxv, sv, lv] = await Promise.all([y.data(), dx.data(), scaled.data(), logScale.data()]);
      assert.deepEqual(inv.shape, [seeds, n]);
      assert.deepEqual(logScale.shape, [seeds]);
      for (let s = 0; s < seeds; s++) {
        const block = (a: ArrayLike<number>): number[] => Array.from({ length: d * n }, (_, i) => a[s * d * n + i]);
        const ref = normReference(block(xv), block(gv), d, n, norm, 1e-3);
        const maxDiff = (a: number[], r: ArrayLike<number>): number => Math.max(...a.map((v, i) => Math.abs(v - r[i]) / Math.max(1, Math.abs(r[i]))));
        assert.ok(maxDiff(block(yv), ref.y) < 1e-4, `${d}×${n} seed ${s}: y`);
        assert.ok(maxDiff(block(dxv), ref.dx) < 1e-4 * 10 ** s, `${d}×${n} seed ${s}: dx`);
        const m = Math.max(...block(gv).map(Math.abs));
        assert.ok(Math.abs(lv[s] - Math.log(m)) < 1e-5 * Math.max(1, Math.abs(Math.log(m))), `${d}×${n} seed ${s}: ln max ${lv[s]} vs ${Math.log(m)}`);
        assert.ok(maxDiff(block(sv), block(gv).map((v) => v / m)) < 1e-6, `${d}×${n} seed ${s}: scaled`);
      }
      for (const u of [x, g, y, inv, dx, scaled, logScale] as Tensor[]) u.dispose();
    }
  });
}

test('webgpu: a run batches its seeds (diagnostics and sweep), reports per-seed progress and matches the same run on wasm', async (t) => {
  if (!(await webgpuBackend(t))) return;
  const { analyze } = await import('../../src/engine');
  const { parseSpec } = await import('../../src/spec');
  const parsed = parseSpec(
    `depthlens: 1
data: { source: gaussian, features: 8, batch: 8, classes: 3 }
model: { depth: 6, width: 8, init: gaussian, norm: layernorm, activation: tanh }
diagnostics: { seeds: 3, depths: [3, 6] }`,
    'batched.depthlens.yaml',
  );
  assert.ok(parsed.spec, JSON.stringify(parsed));
  const messages: string[] = [];
  const fractions: number[] = [];
  const gpu = await analyze(parsed.spec, { backend: 'webgpu', train: false }, {
    onProgress: (p) => {
      messages.push(p.message);
      fractions.push(p.fraction);
    },
  });
  assert.ok(messages.some((m) => /^seeds 1–3 of 3: (forward|backward) pass/.test(m)), 'the diagnostics run the three seeds in one pass');
  for (const seed of [0, 1, 2]) assert.ok(messages.includes(`seed ${seed} done`) && messages.includes(`depth 3, seed ${seed} done`), `seed ${seed} reported done`);
  assert.ok(messages.every((m) => !/^seed \d of 3:/.test(m)), 'no seed ran alone');
  for (let k = 1; k < fractions.length; k++) assert.ok(fractions[k] >= fractions[k - 1] - 1e-12, `progress went back: ${fractions[k - 1]} → ${fractions[k]}`);
  const wasm = await analyze(parsed.spec, { backend: 'wasm', train: false });
  for (const [i, layer] of gpu.layers.entries()) {
    const other = wasm.layers[i];
    for (const key of ['mean', 'min', 'max'] as const) {
      assert.ok(Math.abs(layer.logGradNorm[key]! - other.logGradNorm[key]!) < 1e-3, `layer ${i} ln‖∇W‖ ${key}: ${layer.logGradNorm[key]} vs ${other.logGradNorm[key]}`);
    }
  }
  gpu.depthSweep!.forEach((p, k) => assert.ok(Math.abs(p.logGradNormW1.mean! - wasm.depthSweep![k].logGradNormW1.mean!) < 1e-3, `sweep depth ${p.depth}`));
  await selectBackend('wasm');
});
