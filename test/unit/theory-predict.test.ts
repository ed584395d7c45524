import { test } from 'node:test';
import assert from 'node:assert/strict';
import { predict } from '../../src/theory/predict';
import { activation } from '../../src/theory/activations';
import { makeSpec } from './spec-fixture';
import { referenceLambda, simpsonNormal } from './theory-reference';

const close = (got: number, want: number, tol: number, what: string): void =>
  assert.ok(Math.abs(got - want) <= tol, `${what}: got ${got}, want ${want} (±${tol})`);

/** log10 growth of ‖∇W‖ over L − 1 backward steps at squared rate λ: ((L−1)/2)·log10 λ. */
const orders = (L: number, lambda: number): number => ((L - 1) / 2) * Math.log10(lambda);

test('Gaussian-type init + BN + linear: the exact finite-batch rate, per layer √λ', () => {
  for (const init of ['gaussian', 'xavier', 'he'] as const) {
    const centred = predict(makeSpec({ data: { batch: 10 }, model: { init, center: true, depth: 500 } }));
    assert.equal(centred.basis, 'gaussian-bn-linear-centred');
    close(centred.lambda, 8 / 7, 1e-12, `${init} centred λ`);
    close(centred.perLayer, Math.sqrt(8 / 7), 1e-12, `${init} centred √λ`);
    close(centred.log10Range, orders(500, 8 / 7), 1e-9, `${init} centred range`);
  }
  const uncentred = predict(makeSpec({ data: { batch: 100 }, model: { init: 'xavier', depth: 1000 } }));
  assert.equal(uncentred.basis, 'gaussian-bn-linear-uncentred');
  close(uncentred.lambda, 99 / 98, 1e-12, 'uncentred λ');
  close(uncentred.log10Range, orders(1000, 99 / 98), 1e-9, 'uncentred range');
});

test('batch ≤ 3 with centred BN: infinite rate', () => {
  const p = predict(makeSpec({ data: { batch: 3 }, model: { init: 'gaussian', center: true } }));
  assert.equal(p.lambda, Infinity);
  assert.equal(p.log10Range, Infinity);
});

test('orthogonal + BN + linear: bounded, λ = 1', () => {
  const p = predict(makeSpec({ model: { init: 'orthogonal', depth: 1000 } }));
  assert.deepEqual(p, { lambda: 1, perLayer: 1, log10Range: 0, basis: 'orthogonal-linear-bounded' });
});

test('orthogonal + BN + tanh/sin/ReLU unshaped: λ∞ per layer', () => {
  const tanh = activation('tanh');
  const p = predict(makeSpec({ model: { activation: 'tanh', depth: 500 } }));
  assert.equal(p.basis, 'orthogonal-nonlinear');
  close(p.lambda, referenceLambda(tanh.f, tanh.df), 1e-8, 'tanh λ');
  close(p.log10Range, orders(500, referenceLambda(tanh.f, tanh.df)), 1e-5, 'tanh range');
  close(predict(makeSpec({ model: { activation: 'sin', depth: 200 } })).lambda, 1 / Math.tanh(1), 1e-10, 'sin');
  // Shaping does nothing for ReLU: σ(αx) = ασ(x). Centred BN with B = d + 1 leaves n = d directions: no finite-batch factor.
  const relu = predict(makeSpec({ data: { batch: 101 }, model: { activation: 'relu', center: true, depth: 100, shaping: { exponent: 0.4 } } }));
  assert.equal(relu.basis, 'orthogonal-nonlinear');
  close(relu.lambda, Math.PI / (Math.PI - 1), 1e-10, 'relu');
});

test('orthogonal + BN + shaped sin: the shaping sum with the closed form α²coth(α²)', () => {
  for (const [k, L] of [[0.4, 1000], [0.2, 3000]] as const) {
    let want = 0;
    for (let l = 1; l < L; l++) {
      const a2 = l ** (-2 * k);
      want += 0.5 * Math.log10(a2 / Math.tanh(a2));
    }
    const p = predict(makeSpec({ model: { activation: 'sin', depth: L, shaping: { exponent: k } } }));
    assert.equal(p.basis, 'shaped');
    close(p.log10Range, want, 1e-9, `k=${k}`);
    close(p.lambda, 10 ** ((2 * want) / (L - 1)), 1e-12, `k=${k} average λ`);
  }
});

test('Gaussian + BN + nonlinear: λ∞ times the linear finite-batch rate (exact in both limits)', () => {
  const p = predict(makeSpec({ data: { batch: 10 }, model: { init: 'gaussian', center: true, activation: 'sin', depth: 50 } }));
  assert.equal(p.basis, 'gaussian-bn-large-batch');
  close(p.lambda, (8 / 7) / Math.tanh(1), 1e-10, 'sin, B = 10');
  // Large batch: the linear factor → 1 and λ → λ∞.
  const big = predict(makeSpec({ data: { batch: 1e6 }, model: { init: 'gaussian', center: true, activation: 'relu', depth: 50 } }));
  close(big.lambda, Math.PI / (Math.PI - 1), 1e-5, 'relu, B = 10⁶');
});

test('residual with normalization: Var ∝ ℓ makes ‖∇‖ grow like √(1 + α²(L−1)); SkipInit keeps it flat', () => {
  const p = predict(makeSpec({ model: { residual: { alpha: 1, learnable: false }, depth: 101 } }));
  assert.equal(p.basis, 'residual-bn');
  close(p.log10Range, 0.5 * Math.log10(101), 1e-12, 'α = 1');
  const negative = predict(makeSpec({ model: { residual: { alpha: -1, learnable: false }, depth: 101 } }));
  assert.equal(negative.basis, 'residual-bn', 'the branch scale counts by magnitude');
  close(negative.log10Range, 0.5 * Math.log10(101), 1e-12, 'α = −1');
  const skip = predict(makeSpec({ model: { residual: { alpha: 0, learnable: true }, depth: 1000 } }));
  assert.equal(skip.basis, 'residual-skipinit');
  close(skip.log10Range, 0, 1e-15, 'α = 0');
});

test('residual without normalization: bounded odd σ by the trunk mean field (float64 in theory-residual); α ≤ 1/√L is SkipInit; ReLU declines', () => {
  const t = predict(makeSpec({ model: { norm: 'none', init: 'he', activation: 'tanh', residual: { alpha: 1, learnable: false }, depth: 50 } }));
  assert.equal(t.basis, 'residual-unnormalized');
  assert.ok(t.lambda > 1, 'tanh passes more gradient than variance');
  const small = predict(makeSpec({ model: { norm: 'none', init: 'xavier', activation: 'tanh', residual: { alpha: 0.1, learnable: false }, depth: 100 } }));
  assert.equal(small.basis, 'residual-skipinit');
  // He + ReLU: the branch mean drifts every sample along one direction, which the per-block gains ignore; float64 (d = 64,
  // B = 16, 40 blocks, α = 1) shows ln‖∇W_ℓ‖ spanning 1.3 nats where they predict flat — so no prediction.
  for (const alpha of [1, 0.1]) {
    const relu = predict(makeSpec({ model: { norm: 'none', init: 'he', activation: 'relu', residual: { alpha, learnable: false }, depth: 50 } }));
    assert.equal(relu.basis, 'unknown', `α = ${alpha}`);
  }
});

test('no normalization, positively homogeneous σ: the gradient profile is flat whatever the weight scale', () => {
  for (const gain of [0.5, 1, 3]) {
    const p = predict(makeSpec({ model: { norm: 'none', init: 'gaussian', initGain: gain, activation: 'relu', depth: 300 } }));
    assert.equal(p.basis, 'no-normalization');
    close(p.log10Range, 0, 1e-12, `gain ${gain}`);
  }
});

test('no normalization, tanh in the ordered phase (w² < 1): tanh acts linearly, the profile is flat', () => {
  const p = predict(makeSpec({ model: { norm: 'none', init: 'gaussian', initGain: 0.5, activation: 'tanh', depth: 5000 } }));
  assert.equal(p.basis, 'no-normalization');
  assert.ok(Math.abs(p.log10Range) < 0.05, `${p.log10Range}`);
});

test('no normalization, tanh at a chaotic-phase fixed point: per layer χ₁ = w²·E[σ′(√q* z)²] with q* = w²·E[σ(√q* z)²]', () => {
  // Independent fixed point by Simpson; at the fixed point the m_ℓ term is constant so ln range → ½(L−1)·ln χ₁.
  const w2 = 4;
  let q = 1;
  for (let i = 0; i < 200; i++) q = w2 * simpsonNormal((z) => Math.tanh(Math.sqrt(q) * z) ** 2, 2000);
  const chi = w2 * simpsonNormal((z) => (1 - Math.tanh(Math.sqrt(q) * z) ** 2) ** 2, 2000);
  const L = 2000;
  const p = predict(makeSpec({ model: { norm: 'none', init: 'gaussian', initGain: 2, activation: 'tanh', depth: L } }));
  close(p.log10Range / ((L - 1) / 2), Math.log10(chi), 2e-3, 'per-layer log10 χ₁');
});

test('layer normalization: mean-field rate E[σ′²]/E[σ²]; ReLU and identity flat', () => {
  const relu = predict(makeSpec({ model: { norm: 'layernorm', activation: 'relu', depth: 100 } }));
  assert.equal(relu.basis, 'layernorm-mean-field');
  close(relu.lambda, 1, 1e-12, 'relu');
  const tanh = activation('tanh');
  const t = predict(makeSpec({ model: { norm: 'layernorm', activation: 'tanh', depth: 100 } }));
  close(t.lambda, simpsonNormal((z) => tanh.df(z) ** 2) / simpsonNormal((z) => tanh.f(z) ** 2), 1e-8, 'tanh');
});

test('depth 1: no backward step, λ of the single layer, zero range', () => {
  const p = predict(makeSpec({ data: { batch: 10 }, model: { init: 'gaussian', center: true, depth: 1 } }));
  close(p.lambda, 8 / 7, 1e-12, 'λ');
  assert.equal(p.log10Range, 0);
});
