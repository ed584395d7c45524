// Every activation at finite batch and width: predict()'s per-layer λ (the activation's rate times the finite-batch factor
// of the weights: Yang's for Gaussian, the measured orthogonal law) against float64 measurements (theory-reference.ts).
// The wider grid, with the errors, is bench/theory/TABLES.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { predict } from '../../src/theory/predict';
import { activation } from '../../src/theory/activations';
import { lambdaMeanFreeBN } from '../../src/theory/meanFreeBN';
import type { Activation } from '../../src/spec/types';
import { makeSpec } from './spec-fixture';
import { measureLnLambda, simpsonNormal } from './theory-reference';

/**
 * Tolerance on the relative error of ln λ (plus 3 standard errors of the measurement), per activation: the largest error
 * on the bench grid at width 128 for these two configurations, rounded up. What remains is a finite-width excess (it
 * shrinks from d = 64 to 256 for GELU and SELU) and, for smooth σ at B = 16, a finite-batch factor smaller than the
 * linear network's.
 */
const TOLERANCE: Record<Exclude<Activation, 'identity'>, number> = {
  relu: 0.08,
  'leaky-relu': 0.08,
  tanh: 0.15,
  sin: 0.22,
  gelu: 0.12,
  selu: 0.12,
  sigmoid: 0.25,
};

const configs = [
  { init: 'gaussian' as const, width: 128, batch: 16, centred: true },
  { init: 'orthogonal' as const, width: 128, batch: 32, centred: false },
];

for (const name of Object.keys(TOLERANCE) as (keyof typeof TOLERANCE)[]) {
  test(`${name}: predicted λ within ${100 * TOLERANCE[name]}% (in ln λ) of float64 at Gaussian B = 16 centred and orthogonal B = 32 mean-free`, () => {
    const a = activation(name);
    for (const c of configs) {
      const r = measureLnLambda({ width: c.width, batch: c.batch, depth: 40, f: a.f, df: a.df, centred: c.centred, init: c.init }, [1, 2, 3]);
      const spec = makeSpec({ data: { batch: c.batch, features: c.width }, model: { init: c.init, activation: name, center: c.centred, width: c.width, depth: 40 } });
      const lnPredicted = Math.log(predict(spec).lambda);
      const tol = TOLERANCE[name] * lnPredicted + 3 * r.se;
      assert.ok(
        Math.abs(r.mean - lnPredicted) <= tol,
        `${c.init} B=${c.batch} ${c.centred ? 'centred' : 'mean-free'}: ln λ measured ${r.mean} ± ${r.se}, predicted ${lnPredicted}, tolerance ${tol}`,
      );
    }
  });
}

/** The mean-free mean field of lambdaMeanFreeBN, recomputed with Simpson integrals and a plain fixed-point loop. */
function meanFreeReference(f: (x: number) => number, df: (x: number) => number): number {
  const row = (m: number) => {
    const s = Math.sqrt(1 - m * m);
    const mean = simpsonNormal((z) => f(m + s * z), 1500);
    const square = simpsonNormal((z) => f(m + s * z) ** 2, 1500);
    return { mean, variance: square - mean * mean, d2: simpsonNormal((z) => df(m + s * z) ** 2, 1500) };
  };
  const xs = Array.from({ length: 41 }, (_, i) => -6 + (12 * i) / 40);
  const w = xs.map((x) => Math.exp(-0.5 * x * x));
  const wsum = w.reduce((p, q) => p + q, 0);
  let r = 1;
  let rows = xs.map(() => row(0));
  for (let it = 0; it < 60; it++) {
    rows = xs.map((x) => row((r * x) / Math.sqrt(1 + r * r * x * x)));
    const ms = rows.reduce((p, q, i) => p + w[i]! * q.mean ** 2, 0);
    const v = rows.reduce((p, q, i) => p + w[i]! * q.variance, 0);
    r = Math.sqrt(ms / v);
  }
  const V = rows.reduce((p, q, i) => p + w[i]! * q.variance, 0) / wsum;
  return rows.reduce((p, q, i) => p + (w[i]! * q.d2) / (V * (1 + (r * xs[i]!) ** 2)), 0) / wsum;
}

test('mean-free BN rate of ReLU: the quadrature agrees with an independent Simpson fixed point, and it sits below λ∞ = π/(π−1)', () => {
  const relu = activation('relu');
  const got = lambdaMeanFreeBN(relu);
  const want = meanFreeReference(relu.f, relu.df);
  assert.ok(Math.abs(got - want) < 2e-3, `${got} vs ${want}`);
  assert.ok(got < Math.PI / (Math.PI - 1) - 0.1);
  // Odd σ: no offsets, λ∞ exactly (sin: coth 1).
  assert.ok(Math.abs(lambdaMeanFreeBN(activation('sin')) - 1 / Math.tanh(1)) < 1e-9);
});
