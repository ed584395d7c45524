// The hand-written diagnostic pass against the independent float64 reference (test/engine/reference64.ts), the reference
// against finite differences, and gradients past the float32 range.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { LossKind } from '../../src/spec/types';
import { selectBackend } from '../../src/engine/backend';
import { buildHostNetwork, type HostNetwork } from '../../src/engine/network';
import { runDiagnosticPass, type PassResult } from '../../src/engine/pass';
import { blocks, gaussianBatch, type BlockOptions } from './helpers';
import { collectWeights, reference64, referenceGap } from './reference64';
import { webgpuBackend } from './webgpu';

const FEATURES = 5;
const CLASSES = 3;

async function engineRun(net: HostNetwork, x: Float64Array, n: number, labels: Int32Array, loss: LossKind): Promise<PassResult> {
  const { tf } = await selectBackend('wasm');
  return runDiagnosticPass(tf, net, { x, n, features: net.features, labels, classes: net.classes, loss });
}

/** The pass on wasm or on webgpu (null: no adapter here, the test is marked skipped). */
async function runOn(backend: 'wasm' | 'webgpu', t: TestContext, net: HostNetwork, x: Float64Array, n: number, labels: Int32Array, loss: LossKind) {
  const b = backend === 'webgpu' ? await webgpuBackend(t) : await selectBackend('wasm');
  return b && runDiagnosticPass(b.tf, net, { x, n, features: net.features, labels, classes: net.classes, loss });
}

const cases: { name: string; opts: BlockOptions; n: number; loss: LossKind }[] = [
  { name: 'gaussian init, centred BN, tanh', opts: { depth: 6, width: 8, init: 'gaussian', activation: 'tanh', center: true }, n: 6, loss: 'cross-entropy' },
  { name: 'orthogonal, BN without mean, identity, MSE', opts: { depth: 6, width: 8, center: false }, n: 8, loss: 'mse' },
  { name: 'norm-linear-act, selu, eps', opts: { depth: 5, width: 8, order: 'norm-linear-act', activation: 'selu', eps: 1e-3 }, n: 6, loss: 'cross-entropy' },
  { name: 'linear-act-norm, layernorm, sin, shaping', opts: { depth: 5, width: 8, order: 'linear-act-norm', norm: 'layernorm', activation: 'sin', shaping: 0.4 }, n: 6, loss: 'cross-entropy' },
  { name: 'residual, no norm, gelu, he init, bias', opts: { depth: 5, width: 8, norm: 'none', init: 'he', activation: 'gelu', residualAlpha: 0.5, bias: true }, n: 6, loss: 'cross-entropy' },
  { name: 'residual with BN, xavier, leaky-relu, MSE', opts: { depth: 4, width: 8, init: 'xavier', activation: 'leaky-relu', residualAlpha: 0.3 }, n: 6, loss: 'mse' },
  { name: 'sigmoid, BN', opts: { depth: 4, width: 8, activation: 'sigmoid' }, n: 6, loss: 'cross-entropy' },
];

for (const c of cases) for (const backend of ['wasm', 'webgpu'] as const) {
  test(`${backend}: pass matches the float64 reference: ${c.name}`, async (t) => {
    const net = buildHostNetwork(blocks(c.opts), FEATURES, CLASSES, 11);
    const { x, labels } = gaussianBatch(c.n, FEATURES, CLASSES, 2);
    const r = await runOn(backend, t, net, x, c.n, labels, c.loss);
    if (!r) return;
    const ref = reference64(net, x, c.n, labels, c.loss);
    assert.equal(r.nonFinite, null);
    // float32 against float64 on a few layers: ~1e-6 relative in the norm, i.e. ~1e-6 absolute in its log. WGSL allows its
    // built-ins more error than wasm's libm (sin/cos: 2⁻¹¹ absolute on [−π, π]; exp: 3 + 2|x| ulp), hence 10× on webgpu.
    const slack = backend === 'webgpu' ? 10 : 1;
    assert.ok(Math.abs(r.loss - ref.loss) < slack * 1e-5 * Math.max(1, ref.loss), `loss ${r.loss} vs ${ref.loss}`);
    for (let i = 0; i < net.depth; i++) {
      const diff = Math.abs(r.layers[i].logGradNorm - ref.logGradNorm[i]);
      assert.ok(diff < slack * 2e-4, `layer ${i}: ${r.layers[i].logGradNorm} vs ${ref.logGradNorm[i]}`);
    }
  });
}

test('isometry gap of each block output matches eigenvalues of the float64 Gram', async () => {
  const net = buildHostNetwork(blocks({ depth: 4, width: 12, activation: 'tanh', center: false }), FEATURES, CLASSES, 4);
  const n = 8;
  const { x, labels } = gaussianBatch(n, FEATURES, CLASSES, 5);
  const r = await engineRun(net, x, n, labels, 'cross-entropy');
  const ref = reference64(net, x, n, labels, 'cross-entropy');
  // linear-norm-act: three top-level ops per block, the block output is the activation's output.
  for (let i = 0; i < 4; i++) {
    const expected = referenceGap(ref.outputs[3 * i + 2], false);
    assert.ok(Math.abs((r.layers[i].gap.gap as number) - expected) < 1e-4, `block ${i}: ${r.layers[i].gap.gap} vs ${expected}`);
  }
});

test('the float64 reference agrees with central finite differences of its own loss', () => {
  const opts: BlockOptions = { depth: 3, width: 6, init: 'gaussian', activation: 'tanh', center: true, eps: 1e-4 };
  const net = buildHostNetwork(blocks(opts), 4, CLASSES, 3);
  const n = 5;
  const { x, labels } = gaussianBatch(n, 4, CLASSES, 9);
  for (const loss of ['cross-entropy', 'mse'] as const) {
    const base = reference64(net, x, n, labels, loss);
    const w = collectWeights(net);
    for (let layer = 0; layer < net.depth; layer++) {
      let sq = 0;
      const h = 1e-6;
      for (let k = 0; k < w[layer].length; k++) {
        const keep = w[layer][k];
        w[layer][k] = keep + h;
        const up = reference64(net, x, n, labels, loss, w).loss;
        w[layer][k] = keep - h;
        const down = reference64(net, x, n, labels, loss, w).loss;
        w[layer][k] = keep;
        sq += ((up - down) / (2 * h)) ** 2;
      }
      const fd = 0.5 * Math.log(sq);
      assert.ok(Math.abs(fd - base.logGradNorm[layer]) < 1e-5, `${loss} layer ${layer}: fd ${fd} vs ${base.logGradNorm[layer]}`);
    }
  }
});

test('gradients past the float32 range come out finite and right', async () => {
  // A Gaussian + BN network in its non-chaotic regime (float32 tracks float64 here) and a readout scaled by 1e37: the
  // true ‖∂loss/∂W‖ exceeds float32's 3.4e38 at every layer, so any unscaled float32 computation of it overflows.
  const net = buildHostNetwork(blocks({ depth: 60, width: 64, init: 'gaussian', center: true }), 8, CLASSES, 3);
  for (let k = 0; k < net.readout.length; k++) net.readout[k] *= 1e37;
  const n = 8;
  const { x, labels } = gaussianBatch(n, 8, CLASSES, 1);
  const r = await engineRun(net, x, n, labels, 'cross-entropy');
  const ref = reference64(net, x, n, labels, 'cross-entropy');
  const float32Max = Math.log(3.4028234663852886e38);
  assert.equal(r.nonFinite, null);
  assert.ok(ref.logGradNorm[0] > float32Max + 1, `reference ln‖∇W₀‖ = ${ref.logGradNorm[0]} should be past float32`);
  for (let i = 0; i < net.depth; i++) {
    assert.ok(Number.isFinite(r.layers[i].logGradNorm));
    assert.ok(Math.abs(r.layers[i].logGradNorm - ref.logGradNorm[i]) < 1e-3, `layer ${i}: ${r.layers[i].logGradNorm} vs ${ref.logGradNorm[i]}`);
  }
});

for (const backend of ['wasm', 'webgpu'] as const) {
  test(`${backend}: a forward overflow is reported with its first layer, not thrown`, async (t) => {
    // No normalization, identity, orthogonal gain 10: activations grow 10× per layer and pass 3.4e38 after ~38 layers.
    const net = buildHostNetwork(blocks({ depth: 60, width: 8, norm: 'none', gain: 10 }), FEATURES, CLASSES, 1);
    const n = 4;
    const { x, labels } = gaussianBatch(n, FEATURES, CLASSES, 1);
    const r = await runOn(backend, t, net, x, n, labels, 'cross-entropy');
    if (!r) return;
    assert.equal(r.nonFinite?.phase, 'forward');
    const layer = r.nonFinite!.layer;
    // ‖X_ℓ‖ ≈ 10^ℓ·‖X_0‖; the Gram (‖X‖² entries) overflows first, at 10^(2ℓ) ≈ 3.4e38 → ℓ ≈ 19.
    assert.ok(layer >= 15 && layer <= 40, `first non-finite layer ${layer}`);
    for (let i = 0; i < layer - 2; i++) assert.ok(r.layers[i].gap.gap !== null || r.layers[i].gap.degenerate);
  });

  test(`${backend}: tensors are all released after a pass`, async (t) => {
    const b = backend === 'webgpu' ? await webgpuBackend(t) : await selectBackend('wasm');
    if (!b) return;
    const before = b.tf.memory().numTensors;
    const net = buildHostNetwork(blocks({ depth: 8, width: 8, activation: 'tanh', residualAlpha: 0.5 }), FEATURES, CLASSES, 1);
    const { x, labels } = gaussianBatch(6, FEATURES, CLASSES, 1);
    await runOn(backend, t, net, x, 6, labels, 'cross-entropy');
    assert.equal(b.tf.memory().numTensors, before);
  });
}

test('a residual branch scaled by α = 0 has exactly zero weight gradients, reported as −∞ and not as NaN', async () => {
  const net = buildHostNetwork(blocks({ depth: 4, width: 8, norm: 'none', activation: 'tanh', residualAlpha: 0 }), FEATURES, CLASSES, 2);
  const n = 6;
  const { x, labels } = gaussianBatch(n, FEATURES, CLASSES, 3);
  const r = await engineRun(net, x, n, labels, 'cross-entropy');
  const ref = reference64(net, x, n, labels, 'cross-entropy');
  assert.equal(r.nonFinite, null);
  assert.ok(Number.isFinite(r.layers[0].logGradNorm) && Math.abs(r.layers[0].logGradNorm - ref.logGradNorm[0]) < 2e-4);
  for (let i = 1; i < 4; i++) {
    assert.equal(ref.logGradNorm[i], -Infinity);
    assert.equal(r.layers[i].logGradNorm, -Infinity);
  }
});

for (const backend of ['wasm', 'webgpu'] as const) {
  test(`${backend}: a cancelled pass throws CancelledError and frees every tensor it made`, async (t) => {
    const b = backend === 'webgpu' ? await webgpuBackend(t) : await selectBackend('wasm');
    if (!b) return;
    const { tf } = b;
    const { CancelledError } = await import('../../src/engine/errors');
    const before = tf.memory().numTensors;
    const net = buildHostNetwork(blocks({ depth: 400, width: 64, activation: 'tanh' }), FEATURES, CLASSES, 1);
    const { x, labels } = gaussianBatch(16, FEATURES, CLASSES, 1);
    const controller = new AbortController();
    let progressCalls = 0;
    await assert.rejects(
      runDiagnosticPass(tf, net, { x, n: 16, features: FEATURES, labels, classes: CLASSES, loss: 'cross-entropy' }, {
        signal: controller.signal,
        onProgress: () => {
          progressCalls++;
          controller.abort();
        },
      }),
      (e: unknown) => e instanceof CancelledError,
    );
    assert.ok(progressCalls >= 1);
    assert.equal(tf.memory().numTensors, before);
  });
}
