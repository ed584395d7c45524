import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor } from '@tensorflow/tfjs';
import { selectBackend, type Tf } from '../../src/engine/backend';
import { CancelledError } from '../../src/engine/errors';
import { buildHostNetwork } from '../../src/engine/network';
import { runTraining } from '../../src/engine/train/index';
import { trainingFindings } from '../../src/engine/train/trainingFindings';
import { logFrobeniusNorms } from '../../src/engine/train/metrics';
import { batchLoss, normalize, TrainableNetwork } from '../../src/engine/train/model';
import { adamUpdate, momentumUpdate, Optimizer, sgdUpdate } from '../../src/engine/train/optimizers';
import type { TrainRun } from '../../src/engine/train/trainer';
import { parseSpec, type Spec } from '../../src/spec/index';

async function wasm(): Promise<Tf> {
  return (await selectBackend('wasm')).tf;
}

function spec(yaml: string): Spec {
  const parsed = parseSpec(`depthlens: 1\nname: train test\n${yaml}`, '/tmp/train-test.depthlens.yaml');
  assert.deepEqual(parsed.problems, []);
  return parsed.spec!;
}

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol * (1 + Math.abs(expected[i])), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

test('update rules match the textbook formulas over two steps', async () => {
  const tf = await wasm();
  const w0 = [0.5, -1, 2, 0];
  const g1 = [0.1, -0.2, 0.3, 0];
  const g2 = [-0.4, 0.5, 0.05, 1];
  const lr = 0.1;
  const t = (v: number[]): Tensor => tf.tensor1d(v);

  close(await sgdUpdate(tf, t(w0), t(g1), lr).data(), w0.map((w, i) => w - lr * g1[i]), 1e-6, 'sgd');

  const mu = 0.9;
  const m1 = momentumUpdate(tf, t(w0), t(g1), t([0, 0, 0, 0]), lr, mu);
  const m2 = momentumUpdate(tf, m1.w, t(g2), m1.v, lr, mu);
  // v1 = g1, w1 = w0 − lr·g1; v2 = μ·g1 + g2, w2 = w1 − lr·v2.
  close(await m2.w.data(), w0.map((w, i) => w - lr * g1[i] - lr * (mu * g1[i] + g2[i])), 1e-6, 'momentum w');
  close(await m2.v.data(), g1.map((g, i) => mu * g + g2[i]), 1e-6, 'momentum v');

  const a1 = adamUpdate(tf, t(w0), t(g1), t([0, 0, 0, 0]), t([0, 0, 0, 0]), 1, lr);
  const a2 = adamUpdate(tf, a1.w, t(g2), a1.m, a1.v, 2, lr);
  const expected = w0.map((w, i) => {
    let m = 0.1 * g1[i];
    let v = 0.001 * g1[i] ** 2;
    w -= (lr * (m / 0.1)) / (Math.sqrt(v / 0.001) + 1e-8);
    m = 0.9 * m + 0.1 * g2[i];
    v = 0.999 * v + 0.001 * g2[i] ** 2;
    return w - (lr * (m / (1 - 0.81))) / (Math.sqrt(v / (1 - 0.999 ** 2)) + 1e-8);
  });
  close(await a2.w.data(), expected, 1e-5, 'adam w');
});

// Tiny net without normalization: H = X·Aᵀ (A: 2×3), logits Z = H·Rᵀ (R: 2×2), mean cross-entropy. Gradients by hand:
// dZ = (softmax(Z) − Y)/n, dR = dZᵀ·H, dA = (dZ·R)ᵀ·X.
function handGradients(x: number[][], y: number[], a: number[][], r: number[][]): { gA: number[][]; gR: number[][] } {
  const n = x.length;
  const h = x.map((xi) => a.map((ak) => ak.reduce((s, v, j) => s + v * xi[j], 0)));
  const z = h.map((hi) => r.map((rc) => rc.reduce((s, v, k) => s + v * hi[k], 0)));
  const dz = z.map((zi, i) => {
    const m = Math.max(...zi);
    const e = zi.map((v) => Math.exp(v - m));
    const sum = e.reduce((s, v) => s + v, 0);
    return e.map((v, c) => (v / sum - (c === y[i] ? 1 : 0)) / n);
  });
  const gR = r.map((rc, c) => rc.map((_, k) => dz.reduce((s, dzi, i) => s + dzi[c] * h[i][k], 0)));
  const dh = dz.map((dzi) => r[0].map((_, k) => dzi.reduce((s, v, c) => s + v * r[c][k], 0)));
  const gA = a.map((ak, k) => ak.map((_, j) => dh.reduce((s, dhi, i) => s + dhi[k] * x[i][j], 0)));
  return { gA, gR };
}

for (const kind of ['momentum', 'adam'] as const) {
  test(`${kind}: two training steps on a tiny net match a hand computation`, async () => {
    const tf = await wasm();
    const s = spec(`data: { source: gaussian, features: 3, batch: 4, classes: 2 }
model: { depth: 1, width: 2, init: gaussian, norm: none, activation: identity }
train: { steps: 2, optimizer: ${kind}, lr: 0.1, momentum: 0.8 }`);
    const net = await TrainableNetwork.create(tf, buildHostNetwork(s.model.layers, 3, 2, 7), s.model.layers);
    const opt = new Optimizer(tf, kind, net.variables, 0.1, 0.8);
    const x = [[1, 0.5, -1], [0, 2, 1], [-1, 1, 0.5], [0.3, -0.7, 2]];
    const y = [0, 1, 1, 0];
    // Variables hold Wᵀ; the hand computation uses W.
    const transpose = (m: number[][]): number[][] => m[0].map((_, j) => m.map((row) => row[j]));
    let a = transpose((await net.weights[0].array()) as number[][]);
    let r = transpose((await net.readoutT.array()) as number[][]);
    const state = { mA: a.map((row) => row.map(() => 0)), vA: a.map((row) => row.map(() => 0)), mR: r.map((row) => row.map(() => 0)), vR: r.map((row) => row.map(() => 0)) };
    const xs = tf.tensor2d(x);
    const ys = tf.tensor1d(y, 'int32');
    for (let t = 1; t <= 2; t++) {
      const { grads } = tf.variableGrads(() => batchLoss(tf, 'cross-entropy', net.forward(xs).logits, ys), net.variables);
      opt.apply(net.variables.map((v) => grads[v.name]));
      tf.dispose(Object.values(grads));
      const { gA, gR } = handGradients(x, y, a, r);
      const step = (w: number[][], g: number[][], m: number[][], v: number[][]): number[][] =>
        w.map((row, i) =>
          row.map((wij, j) => {
            if (kind === 'momentum') {
              m[i][j] = 0.8 * m[i][j] + g[i][j];
              return wij - 0.1 * m[i][j];
            }
            m[i][j] = 0.9 * m[i][j] + 0.1 * g[i][j];
            v[i][j] = 0.999 * v[i][j] + 0.001 * g[i][j] ** 2;
            return wij - (0.1 * m[i][j]) / (1 - 0.9 ** t) / (Math.sqrt(v[i][j] / (1 - 0.999 ** t)) + 1e-8);
          }),
        );
      a = step(a, gA, state.mA, state.vA);
      r = step(r, gR, state.mR, state.vR);
    }
    close(transpose((await net.weights[0].array()) as number[][]).flat(), a.flat(), 1e-5, `${kind} W0`);
    close(transpose((await net.readoutT.array()) as number[][]).flat(), r.flat(), 1e-5, `${kind} readout`);
    opt.dispose();
    net.dispose();
    tf.dispose([xs, ys]);
  });
}

test('the fused normalization gradient equals autodiff through the plain BN / LN formula', async () => {
  const tf = await wasm();
  const h = tf.randomNormal([6, 5], 0.3, 1.7, 'float32', 11) as import('@tensorflow/tfjs').Tensor2D;
  const probe = tf.randomNormal([6, 5], 0, 1, 'float32', 12);
  for (const axis of [0, 1] as const) {
    for (const center of [true, false]) {
      const plain = (x: Tensor): Tensor => {
        const u = center ? tf.sub(x, tf.mean(x, axis, true)) : x;
        return tf.div(u, tf.sqrt(tf.add(tf.mean(tf.square(u), axis, true), 1e-3)));
      };
      const reference = tf.grad((x: Tensor) => tf.sum(tf.mul(plain(x), probe)))(h);
      const fused = tf.grad((x: Tensor) => tf.sum(tf.mul(normalize(tf, x as import('@tensorflow/tfjs').Tensor2D, axis, center, 1e-3), probe)))(h);
      close(await fused.data(), await reference.data(), 1e-4, `axis ${axis} center ${center}`);
      close(await normalize(tf, h, axis, center, 1e-3).data(), await plain(h).data(), 1e-5, `forward axis ${axis} center ${center}`);
    }
  }
});

test('ln‖g‖ stays finite and exact where the float32 sum of squares overflows', async () => {
  const tf = await wasm();
  const big = tf.tensor1d([1e30, -1e30, 1e30, 1e30]);
  const small = tf.tensor2d([[3, 4], [0, 0]]);
  const zero = tf.zeros([3]);
  const [lb, ls, lz] = await logFrobeniusNorms(tf, [big, small, zero]);
  assert.ok(Math.abs(lb - Math.log(2e30)) < 1e-5, `${lb}`);
  assert.ok(Math.abs(ls - Math.log(5)) < 1e-6, `${ls}`);
  assert.equal(lz, -Infinity);
  tf.dispose([big, small, zero]);
});

test('a learnable SkipInit α starts at 0 and is trained', async () => {
  const tf = await wasm();
  const s = spec(`data: { source: gaussian, features: 8, batch: 8, classes: 2 }
model: { depth: 4, width: 8, init: he, norm: none, activation: relu, residual: { alpha: 0, learnable: true } }
train: { steps: 1, optimizer: sgd, lr: 0.5 }`);
  const net = await TrainableNetwork.create(tf, buildHostNetwork(s.model.layers, 8, 2, 1), s.model.layers);
  // 4 weights + readout + one α for each residual block (blocks 2..4).
  assert.equal(net.variables.length, 4 + 1 + 3);
  const alphas = net.variables.filter((v) => v.rank === 0);
  assert.deepEqual(await Promise.all(alphas.map(async (a) => (await a.data())[0])), [0, 0, 0]);
  const x = tf.randomNormal([8, 8], 0, 1, 'float32', 3) as import('@tensorflow/tfjs').Tensor2D;
  const y = tf.tensor1d([0, 1, 0, 1, 1, 0, 0, 1], 'int32');
  const { grads } = tf.variableGrads(() => batchLoss(tf, 'cross-entropy', net.forward(x).logits, y), net.variables);
  const opt = new Optimizer(tf, 'sgd', net.variables, 0.5, 0);
  opt.apply(net.variables.map((v) => grads[v.name]));
  assert.ok((await Promise.all(alphas.map(async (a) => (await a.data())[0]))).some((v) => v !== 0), 'no α moved');
  tf.dispose([...Object.values(grads), x, y]);
  opt.dispose();
  net.dispose();
});

// The must-hold comparison (issue 6): same size and depth, same data, optimizer and steps.
const comparison = (model: string, seed: number): string => `data: { source: gaussian, features: 16, batch: 16, classes: 4 }
model: { depth: 50, width: 16, ${model} }
diagnostics: { seed: ${seed} }
train: { steps: 150, optimizer: sgd, lr: 0.1, record-every: 50 }`;

test('depth 50: orthogonal + BN + shaped tanh learns the teacher task; Gaussian + BN + ReLU trains measurably worse', async () => {
  const tf = await wasm();
  for (const seed of [0, 1]) {
    const healthy = await runTraining(tf, spec(comparison('init: orthogonal, norm: batchnorm, center: true, activation: tanh, shaping: { exponent: 0.4 }', seed)));
    const exploding = await runTraining(tf, spec(comparison('init: gaussian, norm: batchnorm, center: true, activation: relu', seed)));
    const first = healthy.train.records[0];
    const last = healthy.train.records[healthy.train.records.length - 1];
    assert.equal(last.step, 150);
    assert.ok(last.evalLoss! < first.evalLoss! - 0.15, `seed ${seed}: healthy held-out loss ${first.evalLoss} → ${last.evalLoss}`);
    assert.ok(last.evalAccuracy! > 0.4, `seed ${seed}: healthy held-out accuracy ${last.evalAccuracy} (chance 0.25)`);
    assert.deepEqual(healthy.findings, []);
    const bad = exploding.train.records[exploding.train.records.length - 1];
    if (!exploding.train.diverged) {
      assert.ok(bad.evalLoss! > last.evalLoss! + 0.1, `seed ${seed}: exploding held-out loss ${bad.evalLoss} vs healthy ${last.evalLoss}`);
      assert.ok(bad.evalAccuracy! < last.evalAccuracy! - 0.1, `seed ${seed}: exploding accuracy ${bad.evalAccuracy} vs healthy ${last.evalAccuracy}`);
    }
    // The exploding net starts with a far larger first-layer gradient than its last (Yang et al.: λ^{L/2}).
    const g = exploding.train.records[0].logGradNorm;
    assert.ok(g[0] - g[g.length - 1] > 5, `exploding ln‖∇W₀‖ − ln‖∇W_L‖ = ${g[0] - g[g.length - 1]}`);
  }
});

test('records: schedule, per-layer gradients, isometry gaps, depth runs, no leaked tensors', async () => {
  const tf = await wasm();
  const before = tf.memory().numTensors;
  const partials: number[] = [];
  const fractions: number[] = [];
  const out = await runTraining(
    tf,
    spec(`data: { source: gaussian, features: 8, batch: 8, classes: 3 }
model: { depth: 6, width: 8, init: orthogonal, norm: batchnorm, activation: identity }
diagnostics: { depths: [3, 6] }
train: { steps: 7, optimizer: adam, lr: 0.01, record-every: 3 }`),
    { onPartial: (t) => partials.push(t.records.length), onProgress: (p) => fractions.push(p.fraction) },
  );
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(out.train.records.map((r) => r.step), [0, 3, 6, 7]);
  for (const r of out.train.records) {
    assert.equal(r.logGradNorm.length, 6);
    assert.ok(r.logGradNorm.every(Number.isFinite));
    assert.ok(r.accuracy >= 0 && r.accuracy <= 1);
    assert.ok(r.evalLoss !== undefined && r.evalAccuracy !== undefined);
    assert.ok(r.isometryGap!.length >= 3);
    assert.ok(r.weightIsometry!.length === 3);
  }
  // φ(W) of a Haar-orthogonal W is exactly 0 (WᵀW = I); float32 rounding leaves it far below 1e-4.
  for (const w of out.train.records[0].weightIsometry!) assert.ok(w.value !== null && w.value < 1e-4, `φ(W${w.layer}) = ${w.value}`);
  // Adam moves W away from orthogonality.
  assert.ok(out.train.records[3].weightIsometry!.some((w) => w.value! > out.train.records[0].weightIsometry![0].value!));
  assert.deepEqual(out.train.depthRuns!.map((r) => [r.depth, r.records.length]), [[3, 4], [6, 4]]);
  assert.equal(out.train.depthRuns![0].records[0].logGradNorm.length, 3);
  assert.ok(partials.length >= 8);
  assert.ok(fractions.every((f, i) => i === 0 || f >= fractions[i - 1]));
  assert.equal(fractions[fractions.length - 1], 1);
  assert.ok(out.seconds > 0);
});

test('DL204: a huge learning rate diverges; the finding names the step and proposes lr/10', async () => {
  const tf = await wasm();
  const out = await runTraining(
    tf,
    spec(`data: { source: gaussian, features: 8, batch: 8, classes: 3 }
model: { depth: 10, width: 8, init: gaussian, norm: none, activation: relu }
train: { steps: 50, optimizer: sgd, lr: 100, record-every: 10 }`),
  );
  const d = out.train.diverged;
  assert.ok(d, 'expected divergence');
  assert.ok(d.step < 50);
  assert.equal(out.train.records[out.train.records.length - 1].step, d.step, 'training stops at the divergence');
  assert.equal(out.findings.length, 1);
  const f = out.findings[0];
  assert.equal(f.code, 'DL204');
  assert.equal(f.measured, true);
  assert.equal(f.path, 'train.lr');
  assert.match(f.message, new RegExp(`diverged at step ${d.step} of 50`));
  assert.deepEqual([f.fix?.path, f.fix?.value], ['train.lr', 10]);
});

test('DL204 when the loss did not decrease; none when it did', () => {
  const train = { steps: 100, optimizer: 'sgd' as const, lr: 0.03, batch: 8, recordEvery: 10, momentum: 0.9, holdout: 0 };
  const run = (lossStart: number, lossEnd: number): TrainRun => ({ depth: 20, records: [], diverged: null, lossStart, lossEnd, labels: 'teacher', skipped: null });
  const flat = trainingFindings(train, run(1.1, 1.1), []);
  assert.equal(flat.length, 1);
  assert.match(flat[0].message, /did not decrease over 100 steps: 1\.100 at the start, 1\.100 at the end/);
  assert.equal(flat[0].fix?.value, 0.003);
  assert.deepEqual(trainingFindings(train, run(1.1, 0.9), []), []);
});

test('a run too large for the wasm heap is skipped with the reason, not attempted', async () => {
  const tf = await wasm();
  const out = await runTraining(
    tf,
    spec(`data: { source: gaussian, features: 512, batch: 512, classes: 10 }
model: { depth: 1000, width: 512, init: orthogonal, norm: batchnorm, activation: identity }
train: { steps: 10, optimizer: adam, lr: 0.001 }`),
  );
  // Per layer at least the weight, its gradient and Adam's two moments: 4 × 512² floats × 1000 layers = 4 GiB > the 4 GiB heap.
  assert.match(out.train.skipped ?? '', /depth 1000, width 512, batch 512 needs about \d+\.\d GiB/);
  assert.deepEqual(out.train.records, []);
  assert.equal(out.findings.length, 1);
  assert.equal(out.findings[0].severity, 'info');
  assert.match(out.findings[0].message, /^Training skipped: /);
});

test('cancelling stops training within a second and frees its tensors', { timeout: 120_000 }, async () => {
  const tf = await wasm();
  const before = tf.memory().numTensors;
  const controller = new AbortController();
  let abortedAt = 0;
  const started = runTraining(
    tf,
    spec(`data: { source: gaussian, features: 16, batch: 16, classes: 4 }
model: { depth: 50, width: 16, init: orthogonal, norm: batchnorm, activation: tanh }
train: { steps: 3000, optimizer: sgd, lr: 0.01 }`),
    {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.step >= 3 && abortedAt === 0) {
          abortedAt = performance.now();
          controller.abort();
        }
      },
    },
  );
  await assert.rejects(started, CancelledError);
  assert.ok(performance.now() - abortedAt < 1000, `stopped ${performance.now() - abortedAt} ms after the abort`);
  assert.equal(tf.memory().numTensors, before);
});
