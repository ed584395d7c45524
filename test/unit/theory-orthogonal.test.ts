// Orthogonal + BN + identity with batch ≠ width: the predicted per-layer λ (an empirical law, src/theory/lambda.ts) against
// float64 measurements (theory-reference.ts; Haar weights, hand-written backward). The full grid is in bench/theory/TABLES.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { predict } from '../../src/theory/predict';
import { makeSpec } from './spec-fixture';
import { gradientProfile, growthPerStep, measureLnLambda } from './theory-reference';

const id = (x: number): number => x;
const one = (): number => 1;

// Tolerance: |λ measured − λ predicted| ≤ 3 standard errors + 0.0015 (the law's largest error on the bench grid at
// n ≥ 12 is 0.0035, at d = 32; at d ≥ 64 and n ≥ 16 it is 0.0029).
const grid: { width: number; batch: number; centred: boolean }[] = [
  { width: 64, batch: 16, centred: false },
  { width: 64, batch: 32, centred: false },
  { width: 64, batch: 48, centred: false },
  { width: 64, batch: 33, centred: true },
  { width: 32, batch: 12, centred: false },
];

for (const g of grid) {
  test(`orthogonal + BN (${g.centred ? 'centred' : 'mean-free'}), d = ${g.width}, B = ${g.batch}: predicted λ matches float64`, () => {
    const r = measureLnLambda({ ...g, depth: 200, f: id, df: one, init: 'orthogonal' }, [1, 2, 3, 4]);
    const measured = Math.exp(r.mean);
    const spec = makeSpec({ data: { batch: g.batch, features: g.width }, model: { width: g.width, center: g.centred, depth: 200 } });
    const p = predict(spec);
    assert.equal(p.basis, 'orthogonal-bn-finite-batch');
    const tol = 3 * measured * r.se + 0.0015;
    assert.ok(Math.abs(measured - p.lambda) <= tol, `measured ${measured} ± ${measured * r.se}, predicted ${p.lambda}, tolerance ${tol}`);
    // The prediction is not the Gaussian-weight law: that one is off by more than the tolerance here.
    const yang = g.centred ? (g.batch - 2) / (g.batch - 3) : (g.batch - 1) / (g.batch - 2);
    assert.ok(Math.abs(measured - yang) > tol, `Yang's ${yang} is also within ${tol} of ${measured}`);
  });
}

test('batch = width (mean-free): bounded — the slope decays to zero once the isometry gap has, and the theory says 1 (proven)', () => {
  const d = 32;
  const profile = gradientProfile({ width: d, batch: d, depth: 700, f: id, df: one, centred: false, init: 'orthogonal', seed: 5 });
  // Layers 300–600 of 700: the representation reaching them has passed ~300 layers (≫ d²/10) of gap decay.
  assert.ok(Math.abs(growthPerStep(profile, 300, 600)) < 2e-4, String(growthPerStep(profile, 300, 600)));
  const p = predict(makeSpec({ data: { batch: d, features: d }, model: { width: d, depth: 700 } }));
  assert.deepEqual([p.lambda, p.basis], [1, 'orthogonal-linear-bounded']);
});

test('a batch larger than the width, or repeated samples: no theory line (the theory does not know)', () => {
  for (const data of [{ batch: 80 }, { batch: 64, source: 'repeated' as const, unique: 16 }]) {
    const p = predict(makeSpec({ data: { features: 64, ...data }, model: { width: 64 } }));
    assert.equal(p.basis, 'unknown');
    assert.ok(Number.isNaN(p.lambda));
  }
});
