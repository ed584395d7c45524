// The predicted per-layer gradient growth against a seeded float64 simulation of small BN networks (hand-written
// backward pass in theory-reference.ts). Width 256 is far from the infinite-width limit, so tolerances are 15%.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { predict } from '../../src/theory/predict';
import { activation } from '../../src/theory/activations';
import type { Activation } from '../../src/spec/types';
import { makeSpec } from './spec-fixture';
import { simulateGradientGrowth } from './theory-reference';

function check(name: Activation, init: 'gaussian' | 'orthogonal', batch: number, centred: boolean, width: number, depth: number): void {
  const a = activation(name);
  const measured = simulateGradientGrowth({ width, batch, depth, f: a.f, df: a.df, centred, init, seed: 11 });
  const p = predict(makeSpec({ data: { batch }, model: { init, activation: name, center: centred, width, depth } }));
  const predicted = Math.log(p.perLayer);
  const what = `${name} ${init} B=${batch}${centred ? ' centred' : ''}: measured ${measured}, predicted ${predicted}`;
  if (predicted === 0) assert.ok(Math.abs(measured) < 0.01, what);
  else assert.ok(Math.abs(measured / predicted - 1) < 0.15, what);
}

test('Gaussian + BN + linear: measured growth per layer ≈ ½·ln (B−2)/(B−3) and ½·ln (B−1)/(B−2)', () => {
  check('identity', 'gaussian', 8, true, 256, 30);
  check('identity', 'gaussian', 8, false, 256, 30);
});

test('Gaussian + BN + ReLU/tanh at B = 16: measured growth ≈ ½·ln(λ∞·λ_B)', () => {
  check('relu', 'gaussian', 16, true, 256, 30);
  check('tanh', 'gaussian', 16, true, 256, 30);
});

test('orthogonal + BN + linear with batch = width: flat', () => {
  check('identity', 'orthogonal', 16, false, 16, 60);
});
