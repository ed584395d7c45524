// The isometry gap where the float32 Gram cannot resolve it (issue 12 item 5): square and near-square batches, centred BN,
// batches larger than the width. φ from the representation itself (float64) against the float64 eigenvalues of the same
// float32 values; the diagnostic pass against the float64 reference at n = d; healthy nets at batch = width without a
// rank-collapse band, a real collapse still reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor2D } from '@tensorflow/tfjs';
import { analyze } from '../../src/engine';
import { selectBackend } from '../../src/engine/backend';
import { gapFromRepresentation } from '../../src/engine/blockGap';
import { haarOrthogonal } from '../../src/engine/init';
import { isometryGapFromGram, isometryGapFromRepresentation } from '../../src/engine/isometry';
import { rowIsometryGaps } from '../../src/engine/train/metrics';
import { buildHostNetwork } from '../../src/engine/network';
import { runDiagnosticPass } from '../../src/engine/pass';
import { Rng } from '../../src/engine/rng';
import { parseSpec } from '../../src/spec';
import { blocks, gaussianBatch, type BlockOptions } from './helpers';
import { mat, matmul, reference64, referenceGap, symmetricEigenvalues, transpose } from './reference64';

/** W·Y on the wasm backend (float32 products summed over k = W's columns): a d×n representation with float32 error. */
async function backendProduct(w: Float64Array, y: Float64Array, d: number, k: number, n: number): Promise<Float32Array> {
  const { tf } = await selectBackend('wasm');
  const p = tf.tidy(() => tf.matMul(tf.tensor2d(Float32Array.from(w), [d, k]), tf.tensor2d(Float32Array.from(y), [k, n]) as Tensor2D));
  const data = (await p.data()) as Float32Array;
  p.dispose();
  return data;
}

function normal(count: number, seed: number): Float64Array {
  return new Rng(seed, 0x150).fillNormal(new Float64Array(count));
}

/** X with every row's mean removed in float32 arithmetic, as a centred BN leaves it. */
function centredRows(x: Float32Array, d: number, n: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < d; i++) {
    let mean = 0;
    for (let j = 0; j < n; j++) mean = Math.fround(mean + x[i * n + j]);
    mean = Math.fround(mean / n);
    for (let j = 0; j < n; j++) out[i * n + j] = Math.fround(x[i * n + j] - mean);
  }
  return out;
}

/** Eigenvalues of XᵀX of the float32 values, in float64 (Jacobi, test/engine/reference64), ascending. */
function eigenvalues(x: Float32Array, d: number, n: number): number[] {
  const m = mat(d, n, Float64Array.from(x));
  return symmetricEigenvalues(matmul(transpose(m), m).a, n);
}

test('the gap source: the representation for n ≥ d/2, the float32 Gram below', () => {
  assert.equal(gapFromRepresentation(128, 64), true);
  assert.equal(gapFromRepresentation(64, 64), true);
  assert.equal(gapFromRepresentation(64, 100), true);
  assert.equal(gapFromRepresentation(128, 63), false);
  assert.equal(gapFromRepresentation(512, 64), false);
});

// Square products of float32 Gaussians are full rank but ill-conditioned (λ_min/λ_mean ~ 1/d²); the float32 Gram's
// tolerance (~n·3e-8 of its diagonal) misread such batches as rank d − 1. From X in float64: the exact φ of the values.
for (const { d, n, k, centred } of [
  { d: 64, n: 64, k: 64, centred: false },
  { d: 64, n: 64, k: 64, centred: true },
  { d: 128, n: 128, k: 128, centred: false },
  { d: 96, n: 97, k: 96, centred: true }, // n − 1 = d: the complement of 1 is square
  { d: 64, n: 40, k: 64, centred: false },
  { d: 64, n: 40, k: 64, centred: true },
]) {
  test(`φ from X matches float64 eigenvalues of the same float32 values: d = ${d}, n = ${n}${centred ? ', centred' : ''}`, async () => {
    for (const seed of [1, 2, 3]) {
      let x = await backendProduct(haarOrthogonal(d, k, new Rng(seed, 1)), normal(k * n, seed), d, k, n);
      if (centred) x = centredRows(x, d, n);
      const r = isometryGapFromRepresentation(x, d, n, k);
      const expected = referenceGap(mat(d, n, Float64Array.from(x)), centred);
      assert.equal(r.centred, centred, `seed ${seed}: centred`);
      assert.equal(r.degenerate, false, `seed ${seed}: rank ${r.rank}, λ/λ_mean ${eigenvalues(x, d, n).slice(0, 3)}`);
      assert.equal(r.rank, centred ? n - 1 : n);
      // A Gram formed and factored in float64: φ to ~1e-10; 1e-7 leaves room for Jacobi's own convergence.
      assert.ok(Math.abs(r.gap! - expected) < 1e-7, `seed ${seed}: ${r.gap} vs ${expected}`);
    }
  });
}

test('a batch larger than the width is rank d exactly (centred: also), with the float32 noise of a real product', async () => {
  for (const { d, n, centred } of [{ d: 32, n: 48, centred: false }, { d: 32, n: 33, centred: false }, { d: 32, n: 48, centred: true }]) {
    let x = await backendProduct(haarOrthogonal(d, d, new Rng(7, 1)), normal(d * n, 7), d, d, n);
    if (centred) x = centredRows(x, d, n);
    const r = isometryGapFromRepresentation(x, d, n, d);
    assert.equal(r.degenerate, true, `d = ${d}, n = ${n}`);
    assert.equal(r.gap, null);
    assert.equal(r.rank, d, `d = ${d}, n = ${n}: rank ${r.rank}`);
  }
});

test('rank lost inside a float32 product (rank-r factors) is found at the float32 noise floor', async () => {
  for (const { d, n, r } of [{ d: 64, n: 64, r: 40 }, { d: 64, n: 64, r: 62 }, { d: 128, n: 96, r: 1 }]) {
    // X = A·B with A d×r, B r×n, each product summed in float32: rank r plus rounding noise of relative size ~2⁻²⁴·√r.
    const b = await backendProduct(normal(r * r, 11), normal(r * n, 12), r, r, n);
    const x = await backendProduct(normal(d * r, 13), Float64Array.from(b), d, r, n);
    const g = isometryGapFromRepresentation(x, d, n, r);
    assert.equal(g.degenerate, true, `rank ${r} of ${n}`);
    assert.equal(g.rank, r, `rank ${r} of ${n}: found ${g.rank}`);
  }
});

test('one eigenvalue below float32 resolution keeps a finite φ, a lower bound; two are a collapse', () => {
  const d = 48;
  const n = 48;
  const base = normal(d * n, 21);
  // Column n−1 (and n−2) made a combination of three others plus a perturbation of relative size 1e-5: λ/λ_mean ~ 1e-12,
  // below the float32 noise floor of X (~1e-11 at d = n = 48) and far above float64 round-off (~1e-14 of λ_max·n).
  const withNearDependent = (count: number, size: number): Float32Array => {
    const x = Float32Array.from(base);
    const tiny = normal(d * count, 22);
    for (let c = 0; c < count; c++) {
      const col = n - 1 - c;
      for (let i = 0; i < d; i++) x[i * n + col] = Math.fround(0.5 * base[i * n] - 0.25 * base[i * n + 1] + 0.125 * base[i * n + 2 + c] + size * tiny[c * d + i]);
    }
    return x;
  };
  const one = withNearDependent(1, 1e-5);
  const ev = eigenvalues(one, d, n);
  const mean = ev.reduce((s, v) => s + v, 0) / n;
  assert.ok(ev[0] / mean < 1e-11 && ev[0] / mean > 1e-13 && ev[1] / mean > 1e-6, `setup: λ/λ_mean ${ev[0] / mean}, ${ev[1] / mean}`);
  const r = isometryGapFromRepresentation(one, d, n, d);
  const exact = referenceGap(mat(d, n, Float64Array.from(one)), false);
  assert.equal(r.degenerate, false, `rank ${r.rank}, λ/λ_mean ${ev[0] / mean}, ${ev[1] / mean}`);
  assert.ok(r.gap! <= exact + 1e-9, `a lower bound: ${r.gap} vs ${exact}`);
  // Floored at the tolerance: off by ln(tol/λ_min)/n ≤ ln(1.3e-11/1e-13)/48 ≈ 0.1.
  assert.ok(exact - r.gap! < 0.1, `${r.gap} vs ${exact}`);

  const two = isometryGapFromRepresentation(withNearDependent(2, 1e-5), d, n, d);
  assert.equal(two.degenerate, true);
  assert.equal(two.rank, n - 2);
  // An exact duplicate is singular in float64 too: a collapse even when it is the only one.
  const dup = Float32Array.from(base);
  for (let i = 0; i < d; i++) dup[i * n + n - 1] = dup[i * n];
  const dupGap = isometryGapFromRepresentation(dup, d, n, d);
  assert.equal(dupGap.degenerate, true);
  assert.equal(dupGap.rank, n - 1);
});

const CLASSES = 4;

// The pass against the float64 reference at n = d, n < d, n > d, centred and not: short nets (8 blocks) so that float32 and
// float64 trajectories stay within ~1e-5 of each other even for tanh. Tolerance on φ: 2e-3 at n = d (the bias at
// n = d = 256 was 0.017), 1e-4 elsewhere.
for (const c of [
  { name: 'd = n = 64, orthogonal, centred BN, identity', opts: { depth: 8, width: 64, center: true }, n: 64 },
  { name: 'd = n = 64, orthogonal, centred BN, relu', opts: { depth: 8, width: 64, center: true, activation: 'relu' }, n: 64 },
  { name: 'd = n = 64, orthogonal, centred BN, tanh', opts: { depth: 8, width: 64, center: true, activation: 'tanh' }, n: 64 },
  { name: 'd = n = 64, gaussian, BN without centring, tanh', opts: { depth: 8, width: 64, init: 'gaussian', center: false, activation: 'tanh' }, n: 64 },
  { name: 'd = 64, n = 40, orthogonal, centred BN, relu', opts: { depth: 8, width: 64, center: true, activation: 'relu' }, n: 40 },
  { name: 'd = 64, n = 24, orthogonal, BN without centring, tanh (float32 Gram)', opts: { depth: 8, width: 64, center: false, activation: 'tanh' }, n: 24 },
  { name: 'd = 32, n = 48, orthogonal, centred BN, tanh (n > d)', opts: { depth: 6, width: 32, center: true, activation: 'tanh' }, n: 48 },
] satisfies { name: string; opts: BlockOptions; n: number }[]) {
  test(`pass φ matches the float64 reference: ${c.name}`, async () => {
    const { tf } = await selectBackend('wasm');
    for (const seed of [1, 2]) {
      // As many input features as the width: a linear net keeps the rank of its input.
      const features = c.opts.width;
      const net = buildHostNetwork(blocks(c.opts), features, CLASSES, seed);
      const { x, labels } = gaussianBatch(c.n, features, CLASSES, seed);
      const r = await runDiagnosticPass(tf, net, { x, n: c.n, features, labels, classes: CLASSES, loss: 'cross-entropy' });
      const ref = reference64(net, x, c.n, labels, 'cross-entropy');
      const tol = c.n === c.opts.width ? 2e-3 : 1e-4;
      for (let i = 1; i < net.depth; i++) {
        const g = r.layers[i].gap;
        // linear-norm-act: the block output is the third top-level op of each block.
        const out = ref.outputs[3 * i + 2];
        if (c.n > c.opts.width) {
          assert.equal(g.degenerate, true, `seed ${seed}, layer ${i}`);
          assert.equal(g.rank, c.opts.width, `seed ${seed}, layer ${i}`);
          continue;
        }
        const centred = (c.opts.center ?? true) && (c.opts.activation ?? 'identity') === 'identity';
        assert.equal(g.centred, centred, `seed ${seed}, layer ${i}: centred`);
        assert.equal(g.degenerate, false, `seed ${seed}, layer ${i}: rank ${g.rank}`);
        const expected = referenceGap(out, centred);
        assert.ok(Math.abs(g.gap! - expected) < tol, `seed ${seed}, layer ${i}: φ ${g.gap} vs ${expected}`);
      }
    }
  });
}

// At n = d = 256 the float32 Gram read the ReLU block output as rank 255 (φ = ∞) where float64 has φ = 1.375.
for (const c of [
  { name: 'orthogonal, BN without centring, identity', opts: { depth: 3, width: 256, center: false } },
  { name: 'orthogonal, centred BN, relu', opts: { depth: 3, width: 256, center: true, activation: 'relu' } },
] satisfies { name: string; opts: BlockOptions }[]) {
  test(`pass φ at n = d = 256 is within 0.002 of float64: ${c.name}`, async () => {
    const { tf } = await selectBackend('wasm');
    const n = 256;
    // A full-rank square input (256 features): with the usual 5 features every block output would be rank ≤ 5 + 1.
    const net = buildHostNetwork(blocks(c.opts), 256, CLASSES, 3);
    const x = normal(n * 256, 31);
    const labels = Int32Array.from({ length: n }, (_, j) => j % CLASSES);
    const r = await runDiagnosticPass(tf, net, { x, n, features: 256, labels, classes: CLASSES, loss: 'cross-entropy' });
    const ref = reference64(net, x, n, labels, 'cross-entropy');
    for (let i = 0; i < net.depth; i++) {
      const g = r.layers[i].gap;
      const expected = referenceGap(ref.outputs[3 * i + 2], g.centred);
      assert.equal(g.centred, c.opts.center && !('activation' in c.opts), `layer ${i}: centred`);
      assert.equal(g.degenerate, false, `layer ${i}: rank ${g.rank}`);
      assert.ok(Math.abs(g.gap! - expected) < 0.002, `layer ${i}: φ ${g.gap} vs ${expected}`);
    }
  });
}

function spec(yaml: string) {
  const p = parseSpec(`depthlens: 1\n${yaml}`, 'test.depthlens.yaml');
  assert.ok(p.spec, JSON.stringify(p.problems));
  return p.spec;
}

// Healthy nets at batch = width: the float32 Gram showed "rank collapse · rank 63" on up to 28 of 120 layers here.
for (const activation of ['identity', 'relu', 'tanh'] as const) {
  test(`batch = width = 64, orthogonal, centred BN, ${activation}, 120 layers: no collapsed layer, finite gaps, no DL203`, async () => {
    const r = await analyze(
      spec(`
data: { source: gaussian, features: 64, batch: 64, classes: 4 }
model: { depth: 120, width: 64, init: orthogonal, norm: batchnorm, center: true, eps: 0, activation: ${activation} }
diagnostics: { seeds: 2 }`),
      { backend: 'wasm' },
    );
    const collapsed = r.layers.filter((l) => l.degenerate).map((l) => `${l.index} (rank ${l.rank})`);
    assert.deepEqual(collapsed, []);
    assert.ok(r.layers.every((l) => l.isometryGap.mean !== null && Number.isFinite(l.isometryGap.mean) && Number.isFinite(l.isometryGap.max!)));
    assert.equal(r.findings.find((f) => f.code === 'DL203'), undefined);
  });
}

test('a real collapse at batch = width is still reported: Gaussian weights, centred BN, linear (float64 agrees)', async () => {
  const d = 48;
  const net = buildHostNetwork(blocks({ depth: 30, width: d, init: 'gaussian', center: true }), d, CLASSES, 5);
  const x = normal(d * d, 41);
  const labels = new Int32Array(d);
  const { tf } = await selectBackend('wasm');
  const r = await runDiagnosticPass(tf, net, { x, n: d, features: d, labels, classes: CLASSES, loss: 'cross-entropy' });
  const ref = reference64(net, x, d, labels, 'cross-entropy');
  // The float64 representation at the last block: its complement of 1 has eigenvalues at float64 round-off.
  const out = ref.outputs[3 * 29 + 2];
  const ev = symmetricEigenvalues(matmul(transpose(out), out).a, d).slice(1);
  const mean = ev.reduce((s, v) => s + v, 0) / ev.length;
  assert.ok(ev[1] / mean < 1e-13, `float64: λ₂/λ_mean = ${ev[1] / mean}`);
  const last = r.layers[29].gap;
  assert.equal(last.degenerate, true);
  assert.ok(last.rank <= d - 3, `rank ${last.rank}`);
});

test('training records take φ of a square representation from its values: finite where the float32 Gram misread it', async () => {
  const { tf } = await selectBackend('wasm');
  const n = 64;
  const d = 64;
  // Sample-per-row M (n×d) whose last sample is a combination of three others plus 1e-4 of noise: λ_min/λ_mean ~ 1e-8,
  // below the float32 Gram's tolerance (~n·3e-8 of its diagonal), far above X's own noise floor (~1e-11).
  const m = Float32Array.from(normal(n * d, 51));
  const noise = normal(d, 52);
  for (let i = 0; i < d; i++) m[(n - 1) * d + i] = Math.fround(0.5 * m[i] - 0.25 * m[d + i] + 0.125 * m[2 * d + i] + 1e-4 * noise[i]);
  const x = transpose(mat(n, d, Float64Array.from(m))); // d×n, samples as columns
  const expected = referenceGap(x, false);
  const t = tf.tensor2d(m, [n, d]);
  try {
    const [gap] = await rowIsometryGaps(tf, [t as Tensor2D]);
    assert.ok(gap !== null && Math.abs(gap - expected) < 1e-6, `${gap} vs ${expected}`);
    // The float32 Gram path on the same matrix: rank-deficient (the premise of the test).
    const gram = tf.tidy(() => tf.matMul(t, tf.transpose(t)));
    const g = (await gram.data()) as Float32Array;
    gram.dispose();
    assert.equal(isometryGapFromGram(g, n).degenerate, true);
  } finally {
    t.dispose();
  }
});
