// The Householder-product Haar sampler (src/engine/haar.ts) and the device weights built on it (src/engine/weights.ts):
// orthogonality, host and device formations agreeing, factored application against the float64 matrix and reference pass,
// the moments of the uniform (Haar) measure on O(d): E W²ᵢⱼ = 1/d, E W⁴ᵢⱼ = 3/(d(d+2)), E tr W = 0, E (tr W)² = 1, and
// P(det W = −1) = ½ (fails without Mezzadri's sign correction: d−1 reflections alone have det (−1)^(d−1)); the normal
// samplers behind the draws; and redrawing weights in the backward pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor2D } from '@tensorflow/tfjs';
import { selectBackend } from '../../src/engine/backend';
import { drawHouseholderFactors, formHouseholderProduct, formHouseholderProductOnDevice } from '../../src/engine/haar';
import { buildHostNetwork, denseWeight, type DenseOp } from '../../src/engine/network';
import { runDiagnosticPass } from '../../src/engine/pass';
import { Rng } from '../../src/engine/rng';
import { denseWeightTensor, deviceWeight, householderWeight, IMPLICIT_MIN_WIDTH } from '../../src/engine/weights';
import { fillStandardNormal } from '../../src/engine/ziggurat';
import { blocks, gaussianBatch } from './helpers';
import { reference64 } from './reference64';

function orthogonalityError(q: ArrayLike<number>, d: number): number {
  let worst = 0;
  for (let a = 0; a < d; a++)
    for (let b = 0; b < d; b++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += q[i * d + a] * q[i * d + b];
      worst = Math.max(worst, Math.abs(s - (a === b ? 1 : 0)));
    }
  return worst;
}

/** Sign of det by Gaussian elimination with partial pivoting (float64). */
function detSign(q: Float64Array, d: number): number {
  const a = Float64Array.from(q);
  let sign = 1;
  for (let k = 0; k < d; k++) {
    let p = k;
    for (let i = k + 1; i < d; i++) if (Math.abs(a[i * d + k]) > Math.abs(a[p * d + k])) p = i;
    if (p !== k) {
      sign = -sign;
      for (let j = 0; j < d; j++) [a[k * d + j], a[p * d + j]] = [a[p * d + j], a[k * d + j]];
    }
    const pivot = a[k * d + k];
    if (pivot < 0) sign = -sign;
    for (let i = k + 1; i < d; i++) {
      const f = a[i * d + k] / pivot;
      for (let j = k; j < d; j++) a[i * d + j] -= f * a[k * d + j];
    }
  }
  return sign;
}

/** The row-major cols×rows transpose of a row-major rows×cols array. */
function transposed(a: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j];
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

test('the host product of reflections is orthogonal to float64 precision', () => {
  for (const d of [1, 2, 3, 17, 64]) {
    const q = formHouseholderProduct(drawHouseholderFactors(d, new Rng(4, d)));
    assert.ok(orthogonalityError(q, d) < 1e-13, `d = ${d}`);
  }
});

test('reflectors are unit vectors and the factors are reproducible from the seed', () => {
  const f = drawHouseholderFactors(9, new Rng(8, 3));
  assert.equal(f.vectors.length, 8);
  f.vectors.forEach((v, k) => {
    assert.equal(v.length, 9 - k);
    assert.ok(Math.abs(v.reduce((s, x) => s + x * x, 0) - 1) < 1e-14);
  });
  for (const s of f.sign) assert.ok(s === 1 || s === -1);
  assert.deepEqual(drawHouseholderFactors(9, new Rng(8, 3)), f);
  assert.throws(() => drawHouseholderFactors(0, new Rng(1)), /positive integer/);
});

for (const backendName of ['wasm', 'cpu'] as const) {
  test(`${backendName}: the blocked device formation equals the host one, whole and partial blocks`, async () => {
    const { tf } = await selectBackend(backendName);
    const before = tf.memory().numTensors;
    for (const [d, block] of [[1, 4], [2, 4], [8, 3], [37, 8], [40, 13], [33, 64]] as const) {
      const f = drawHouseholderFactors(d, new Rng(12, d));
      const host = formHouseholderProduct(f, 1.5);
      const t = await formHouseholderProductOnDevice(tf, f, 1.5, block);
      const tT = await formHouseholderProductOnDevice(tf, f, 1.5, block, true);
      assert.deepEqual(t.shape, [d, d]);
      const device = (await t.data());
      const deviceT = (await tT.data());
      t.dispose();
      tT.dispose();
      // float32 products of ~d/block factors with entries ≤ 1.5.
      assert.ok(maxAbsDiff(host, device) < 2e-6, `d = ${d}, block = ${block}: ${maxAbsDiff(host, device)}`);
      assert.ok(maxAbsDiff(transposed(host, d, d), deviceT) < 2e-6, `Qᵀ, d = ${d}, block = ${block}`);
    }
    assert.equal(tf.memory().numTensors, before, 'the device formation leaks no tensors');
  });
}

test('the weight tensor of a layer is the host weight of that layer (orthogonal and Gaussian)', async () => {
  const { tf } = await selectBackend('wasm');
  const ops: DenseOp[] = [
    { kind: 'dense', index: 3, fanIn: 70, fanOut: 70, init: 'orthogonal', gain: 2, path: 'model' },
    { kind: 'dense', index: 0, fanIn: 12, fanOut: 20, init: 'orthogonal', gain: 1, path: 'model' },
    { kind: 'dense', index: 4, fanIn: 30, fanOut: 9, init: 'orthogonal', gain: 1, path: 'model' },
    { kind: 'dense', index: 1, fanIn: 20, fanOut: 20, init: 'xavier', gain: 1, path: 'model' },
  ];
  for (const op of ops) {
    const t = await denseWeightTensor(tf, op, 5);
    const tT = await denseWeightTensor(tf, op, 5, true);
    assert.deepEqual(t.shape, [op.fanOut, op.fanIn]);
    assert.deepEqual(tT.shape, [op.fanIn, op.fanOut]);
    const host = denseWeight(op, 5);
    const diff = maxAbsDiff(host, await t.data());
    const diffT = maxAbsDiff(transposed(host, op.fanOut, op.fanIn), (await tT.data()));
    t.dispose();
    tT.dispose();
    assert.ok(diff < 4e-6, `${op.init} ${op.fanOut}×${op.fanIn}: ${diff}`);
    assert.ok(diffT < 4e-6, `${op.init} ${op.fanOut}×${op.fanIn} transposed: ${diffT}`);
  }
});

interface Moments {
  m2: number;
  m4: number;
  trace: number;
  trace2: number;
  negativeDet: number;
}

function haarMoments(d: number, draws: number, sample: (t: number) => Float64Array): Moments {
  let m2 = 0;
  let m4 = 0;
  let trace = 0;
  let trace2 = 0;
  let negativeDet = 0;
  for (let t = 0; t < draws; t++) {
    const w = sample(t);
    let tr = 0;
    for (let k = 0; k < d * d; k++) {
      m2 += w[k] ** 2;
      m4 += w[k] ** 4;
    }
    for (let i = 0; i < d; i++) tr += w[i * d + i];
    trace += tr;
    trace2 += tr * tr;
    if (detSign(w, d) < 0) negativeDet++;
  }
  return { m2: m2 / (draws * d * d), m4: m4 / (draws * d * d), trace: trace / draws, trace2: trace2 / draws, negativeDet: negativeDet / draws };
}

/**
 * Tolerances are ~4 standard errors of the sample means: Var(tr W) = 1 and E(tr W)⁴ = 3 for Haar with d ≥ 4 (Diaconis–Shahshahani),
 * so sd(tr) = 1 and sd(tr²) = √2; the det sign is a fair coin; W⁴ entries have relative sd ≈ 2 per entry.
 */
function assertHaar(m: Moments, d: number, draws: number, label: string): void {
  const se = (sd: number): number => sd / Math.sqrt(draws);
  assert.ok(Math.abs(m.m2 - 1 / d) < 1e-6, `${label}: E W² = ${m.m2}, expected ${1 / d}`);
  const e4 = 3 / (d * (d + 2));
  assert.ok(Math.abs(m.m4 / e4 - 1) < 4 * se(2), `${label}: E W⁴ = ${m.m4}, expected ${e4}`);
  assert.ok(Math.abs(m.trace) < 4 * se(1), `${label}: E tr W = ${m.trace}, expected 0`);
  assert.ok(Math.abs(m.trace2 - 1) < 4 * se(Math.SQRT2), `${label}: E (tr W)² = ${m.trace2}, expected 1`);
  assert.ok(Math.abs(m.negativeDet - 0.5) < 4 * se(0.5), `${label}: P(det W = −1) = ${m.negativeDet}, expected ½`);
}

test('host Haar samples have the moments of the uniform measure on O(d)', () => {
  for (const d of [5, 6]) {
    const draws = 4000;
    const rng = new Rng(21, d);
    assertHaar(haarMoments(d, draws, () => formHouseholderProduct(drawHouseholderFactors(d, rng))), d, draws, `host d = ${d}`);
  }
});

test('device Haar samples (blocked, several blocks) have the same moments', async () => {
  const { tf } = await selectBackend('wasm');
  const d = 7;
  const draws = 1500;
  const rng = new Rng(33);
  const samples: Float64Array[] = [];
  for (let k = 0; k < draws; k++) {
    const t = await formHouseholderProductOnDevice(tf, drawHouseholderFactors(d, rng), 1, 3);
    samples.push(Float64Array.from(await t.data()));
    t.dispose();
  }
  const m = haarMoments(d, draws, (k) => samples[k]);
  // The float32 rows have unit norm only to ~1e-7.
  assertHaar(m, d, draws, 'device d = 7');
});

test('a factored (implicit) orthogonal weight applies W and Wᵀ like the host matrix', async () => {
  const { tf } = await selectBackend('wasm');
  const before = tf.memory().numTensors;
  const d = 45;
  const n = 7;
  const f = drawHouseholderFactors(d, new Rng(9, 1));
  const w = formHouseholderProduct(f, 0.8);
  const x = new Rng(9, 2).fillNormal(new Float64Array(d * n));
  // float64 references W·X and Wᵀ·X (row-major d×n)
  const wx = new Float64Array(d * n);
  const wtx = new Float64Array(d * n);
  for (let i = 0; i < d; i++)
    for (let j = 0; j < n; j++)
      for (let k = 0; k < d; k++) {
        wx[i * n + j] += w[i * d + k] * x[k * n + j];
        wtx[i * n + j] += w[k * d + i] * x[k * n + j];
      }
  for (const block of [4, 10, 64]) {
    const op = await householderWeight(tf, f, 0.8, 'both', block);
    const xt = tf.tensor2d(Float32Array.from(x), [d, n]);
    const a = op.apply(xt);
    const b = op.applyTransposed(xt);
    assert.ok(maxAbsDiff(wx, (await a.data())) < 1e-5, `W·X, block ${block}: ${maxAbsDiff(wx, (await a.data()))}`);
    assert.ok(maxAbsDiff(wtx, (await b.data())) < 1e-5, `Wᵀ·X, block ${block}: ${maxAbsDiff(wtx, (await b.data()))}`);
    for (const t of [xt, a, b, ...op.tensors]) t.dispose();
  }
  assert.equal(tf.memory().numTensors, before, 'the factored weight holds only the tensors it lists');
});

test('wide orthogonal layers are applied in factored form and match the host weight', async () => {
  const { tf } = await selectBackend('wasm');
  const d = IMPLICIT_MIN_WIDTH;
  const op: DenseOp = { kind: 'dense', index: 2, fanIn: d, fanOut: d, init: 'orthogonal', gain: 1, path: 'model' };
  const weight = await deviceWeight(tf, op, 3, 'both');
  // Factored: it holds reflectors (several blocks), not a d×d matrix.
  assert.ok(weight.tensors.length > 1 && weight.tensors.every((t) => t.shape.join('×') !== `${d}×${d}`));
  const eye = tf.eye(d) as Tensor2D;
  const applied = weight.apply(eye); // W·I = W
  const diff = maxAbsDiff(denseWeight(op, 3), (await applied.data()));
  for (const t of [eye, applied, ...weight.tensors]) t.dispose();
  assert.ok(diff < 4e-6, `factored W vs host W: ${diff}`);
});

for (const [weightForm, label] of [['auto', 'factored'], ['formed', 'formed']] as const) {
  test(`a diagnostic pass through ${label} wide layers matches the float64 reference`, async () => {
    const { tf } = await selectBackend('wasm');
    const width = IMPLICIT_MIN_WIDTH;
    const n = 6;
    const net = buildHostNetwork(blocks({ depth: 3, width, activation: 'tanh', center: true }), width, 4, 17);
    const { x, labels } = gaussianBatch(n, width, 4, 3);
    const r = await runDiagnosticPass(tf, net, { x, n, features: width, labels, classes: 4, loss: 'cross-entropy', weightForm });
    const ref = reference64(net, x, n, labels, 'cross-entropy');
    assert.equal(r.nonFinite, null);
    for (let i = 0; i < net.depth; i++) {
      assert.ok(Math.abs(r.layers[i].logGradNorm - ref.logGradNorm[i]) < 2e-4, `layer ${i}: ${r.layers[i].logGradNorm} vs ${ref.logGradNorm[i]}`);
    }
  });
}

test('the bulk normal fill draws N(0, std²), reproducibly from the seed', () => {
  const n = 200_000;
  const a = new Rng(31, 4).fillNormal(new Float64Array(n), 1.5);
  assert.deepEqual(a, new Rng(31, 4).fillNormal(new Float64Array(n), 1.5), 'same seed and stream, same numbers');
  assert.notDeepEqual(a.subarray(0, 100), new Rng(31, 5).fillNormal(new Float64Array(100), 1.5), 'another stream differs');
  let m1 = 0;
  let m2 = 0;
  for (const v of a) {
    m1 += v;
    m2 += v * v;
  }
  m1 /= n;
  m2 /= n;
  // Standard errors: mean 1.5/√n ≈ 0.0034, second moment 2.25·√2/√n ≈ 0.0071.
  assert.ok(Math.abs(m1) < 0.02, `mean ${m1}`);
  assert.ok(Math.abs(m2 - 2.25) < 0.04, `second moment ${m2}`);
});

test('ziggurat normals have the N(0, 1) moments, tails and distribution function', () => {
  const n = 400_000;
  const z = fillStandardNormal(new Float64Array(n), new Rng(77));
  let m1 = 0;
  let m2 = 0;
  let m4 = 0;
  let beyond3 = 0;
  for (const x of z) {
    m1 += x;
    m2 += x * x;
    m4 += x ** 4;
    if (Math.abs(x) > 3) beyond3++;
  }
  // standard errors: mean 1/√n, E z² √(2/n), E z⁴ √(96/n); P(|z| > 3) = 0.0026998, binomial.
  const se = (v: number): number => Math.sqrt(v / n);
  assert.ok(Math.abs(m1 / n) < 4 * se(1), `mean ${m1 / n}`);
  assert.ok(Math.abs(m2 / n - 1) < 4 * se(2), `E z² ${m2 / n}`);
  assert.ok(Math.abs(m4 / n - 3) < 4 * se(96), `E z⁴ ${m4 / n}`);
  const p3 = 0.0026997960632601866;
  assert.ok(Math.abs(beyond3 / n - p3) < 4 * se(p3 * (1 - p3)), `P(|z| > 3) = ${beyond3 / n}`);
  // Kolmogorov–Smirnov against Φ at a few thousand quantiles; the 0.1% critical value is 1.95/√n.
  const sorted = Float64Array.from(z).sort();
  let ks = 0;
  for (let i = 0; i < n; i += 97) ks = Math.max(ks, Math.abs(standardNormalCdf(sorted[i]) - (i + 0.5) / n));
  assert.ok(ks < 1.95 / Math.sqrt(n), `KS distance ${ks}`);
});

/** Φ(x) by the complementary error function's continued fraction / series, to ~1e-12 (independent of the sampler). */
function standardNormalCdf(x: number): number {
  // Φ(x) = ½ erfc(−x/√2); erf by its Taylor series for |t| < 3, the tail by Laplace's continued fraction beyond.
  const t = x / Math.SQRT2;
  if (Math.abs(t) < 3) {
    let term = t;
    let sum = t;
    for (let k = 1; k < 200; k++) {
      term *= (-t * t) / k;
      sum += term / (2 * k + 1);
      if (Math.abs(term) < 1e-17) break;
    }
    return 0.5 * (1 + (2 / Math.sqrt(Math.PI)) * sum);
  }
  const a = Math.abs(t);
  let cf = 0;
  for (let k = 60; k >= 1; k--) cf = (k / 2) / (a + cf);
  const erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / (a + cf);
  return t > 0 ? 1 - 0.5 * erfc : 0.5 * erfc;
}

for (const [width, form] of [[IMPLICIT_MIN_WIDTH, 'factored'], [48, 'formed']] as const) test(`drawing ${form} weights again in the backward pass (over the memory budget) gives the same pass, and frees everything`, async () => {
  const { tf } = await selectBackend('wasm');
  const n = 8;
  const net = buildHostNetwork(blocks({ depth: 4, width, activation: 'sin', center: false }), width, 3, 23);
  const { x, labels } = gaussianBatch(n, width, 3, 5);
  const input = { x, n, features: width, labels, classes: 3, loss: 'cross-entropy' as const };
  const before = tf.memory().numTensors;
  const kept = await runDiagnosticPass(tf, net, input);
  const redrawn = await runDiagnosticPass(tf, net, { ...input, weightBudgetBytes: 0 });
  assert.equal(tf.memory().numTensors, before);
  // Same seeds, same draws, same kernels: identical numbers, and the redraw is counted as init time.
  assert.deepEqual(redrawn.layers.map((l) => l.logGradNorm), kept.layers.map((l) => l.logGradNorm));
  assert.deepEqual(redrawn.layers.map((l) => l.gap.gap), kept.layers.map((l) => l.gap.gap));
  assert.ok(redrawn.layers.every((l) => Number.isFinite(l.logGradNorm)));
});
