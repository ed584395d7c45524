// The short training run on the webgpu backend gives the records of the wasm backend, to float32 noise: same spec, same seed,
// same data. Needs a WebGPU adapter (./webgpu: SwiftShader on a machine without a GPU; skipped without one, failed under CI).
// SwiftShader is a slow software GPU (seconds per step on a small machine): the run is kept small.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TrainRecord } from '../../src/shared/result';
import { selectBackend } from '../../src/engine/backend';
import { runTraining } from '../../src/engine/train/index';
import { parseSpec, type Spec } from '../../src/spec/index';
import { webgpuBackend } from './webgpu';

/**
 * Tolerances, webgpu against wasm (both float32; measured on SwiftShader: loss ≤ 3e-7 relative, ln‖∇W‖ ≤ 1e-6, φ ≤ 2e-6
 * relative). Loss and held-out loss: relative 1e-4. ln‖∇W_ℓ‖: absolute 1e-4 (a relative 1e-4 on the norm). φ of the
 * representations: relative 1e-3 (a ratio of Gram eigenvalues, more sensitive). φ(W): absolute 1e-6 (W starts orthogonal:
 * φ ≈ 1e-14, float32 noise, and stays below 1e-2). Accuracies: equal (8 samples, no near-tie logits).
 */
const LOSS_RTOL = 1e-4;
const LOG_GRAD_ATOL = 1e-4;
const GAP_RTOL = 1e-3;
const WEIGHT_GAP_ATOL = 1e-6;

const SPEC = `depthlens: 1
name: train on webgpu
data: { source: gaussian, features: 16, batch: 8, classes: 4 }
model: { depth: 6, width: 16, init: orthogonal, norm: batchnorm, activation: tanh }
diagnostics: { seed: 3 }
train: { steps: 5, optimizer: momentum, lr: 0.05, momentum: 0.9, record-every: 1 }`;

function spec(): Spec {
  const parsed = parseSpec(SPEC, '/tmp/train-webgpu.depthlens.yaml');
  assert.deepEqual(parsed.problems, []);
  return parsed.spec!;
}

function relative(actual: number, expected: number): number {
  return actual === expected ? 0 : Math.abs(actual - expected) / Math.abs(expected);
}

test('training on webgpu gives the records of wasm to float32 noise', { timeout: 600_000 }, async (t) => {
  const wasm = await selectBackend('wasm');
  const reference = await runTraining(wasm.tf, spec());

  const gpu = await webgpuBackend(t);
  if (!gpu) return;
  try {
    const tf = gpu.tf;
    assert.equal(tf.getBackend(), 'webgpu');
    t.diagnostic(`adapter: ${gpu.info.adapter ? `${gpu.info.adapter.vendor} ${gpu.info.adapter.architecture} (${gpu.info.adapter.description})` : 'unknown'}`);
    const before = tf.memory().numTensors;
    const out = await runTraining(tf, spec());
    assert.equal(tf.getBackend(), 'webgpu', 'the run stayed on webgpu');
    assert.equal(tf.memory().numTensors, before, 'no leaked tensors');

    const ref = reference.train;
    const got = out.train;
    assert.equal(ref.diverged, null);
    assert.deepEqual(got.diverged, ref.diverged);
    assert.deepEqual(out.findings, reference.findings);
    assert.deepEqual(got.records.map((r) => r.step), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(got.records.map((r) => r.step), ref.records.map((r) => r.step));

    const worst = { loss: 0, evalLoss: 0, logGradNorm: 0, isometryGap: 0, weightIsometry: 0 };
    got.records.forEach((g: TrainRecord, i) => {
      const r = ref.records[i];
      const at = `step ${r.step}`;
      const dLoss = relative(g.loss, r.loss);
      assert.ok(dLoss <= LOSS_RTOL, `${at}: loss ${g.loss} vs wasm ${r.loss} (relative ${dLoss})`);
      assert.equal(g.accuracy, r.accuracy, `${at}: accuracy`);
      assert.ok(r.evalLoss !== undefined && g.evalLoss !== undefined, `${at}: held-out metrics recorded`);
      const dEval = relative(g.evalLoss, r.evalLoss);
      assert.ok(dEval <= LOSS_RTOL, `${at}: held-out loss ${g.evalLoss} vs wasm ${r.evalLoss} (relative ${dEval})`);
      assert.equal(g.evalAccuracy, r.evalAccuracy, `${at}: held-out accuracy`);
      assert.equal(g.logGradNorm.length, 6);
      g.logGradNorm.forEach((v, l) => {
        const d = Math.abs(v - r.logGradNorm[l]);
        assert.ok(d <= LOG_GRAD_ATOL, `${at}: ln‖∇W${l}‖ ${v} vs wasm ${r.logGradNorm[l]} (difference ${d})`);
        worst.logGradNorm = Math.max(worst.logGradNorm, d);
      });
      assert.deepEqual(g.isometryGap?.map((x) => x.layer), r.isometryGap?.map((x) => x.layer), `${at}: gap layers`);
      g.isometryGap!.forEach((x, k) => {
        const y = r.isometryGap![k].value;
        assert.ok(x.value !== null && y !== null, `${at}: φ at layer ${x.layer} is finite`);
        const d = relative(x.value, y);
        assert.ok(d <= GAP_RTOL, `${at}: φ at layer ${x.layer} ${x.value} vs wasm ${y} (relative ${d})`);
        worst.isometryGap = Math.max(worst.isometryGap, d);
      });
      assert.deepEqual(g.weightIsometry?.map((x) => x.layer), r.weightIsometry?.map((x) => x.layer), `${at}: φ(W) layers`);
      g.weightIsometry!.forEach((x, k) => {
        const y = r.weightIsometry![k].value;
        assert.ok(x.value !== null && y !== null, `${at}: φ(W${x.layer}) is finite`);
        const d = Math.abs(x.value - y);
        assert.ok(d <= WEIGHT_GAP_ATOL, `${at}: φ(W${x.layer}) ${x.value} vs wasm ${y} (difference ${d})`);
        worst.weightIsometry = Math.max(worst.weightIsometry, d);
      });
      worst.loss = Math.max(worst.loss, dLoss);
      worst.evalLoss = Math.max(worst.evalLoss, dEval);
    });
    // The run trained: the weights moved away from orthogonality (so the comparison covers the updates, not only step 0).
    const last = got.records[got.records.length - 1];
    assert.ok(last.weightIsometry!.some((w) => w.value! > 1e-6), `φ(W) after training: ${last.weightIsometry!.map((w) => w.value).join(', ')}`);
    t.diagnostic(
      `max difference webgpu vs wasm: loss ${worst.loss.toExponential(1)} (relative), held-out loss ${worst.evalLoss.toExponential(1)} ` +
        `(relative), ln‖∇W‖ ${worst.logGradNorm.toExponential(1)}, φ ${worst.isometryGap.toExponential(1)} (relative), ` +
        `φ(W) ${worst.weightIsometry.toExponential(1)}`,
    );
  } finally {
    await selectBackend('wasm');
  }
});
