import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectNormal, gaussHermite, gaussLegendre } from '../../src/theory/quadrature';

function doubleFactorial(n: number): number {
  let p = 1;
  for (let k = n; k > 1; k -= 2) p *= k;
  return p;
}

test('Gauss–Hermite reproduces normal moments E z² = 1, E z⁴ = 3, E z⁶ = 15 to 1e-10', () => {
  for (const n of [4, 10, 48, 96, 200]) {
    assert.ok(Math.abs(expectNormal((z) => z * z, { order: n }) - 1) < 1e-10, `n=${n} z²`);
    assert.ok(Math.abs(expectNormal((z) => z ** 4, { order: n }) - 3) < 1e-10, `n=${n} z⁴`);
    assert.ok(Math.abs(expectNormal((z) => z ** 6, { order: n }) - 15) < 1e-10, `n=${n} z⁶`);
  }
});

test('Gauss–Hermite with n nodes is exact up to degree 2n−1 (relative 1e-10), odd moments vanish', () => {
  const n = 20;
  for (let k = 0; k <= 2 * n - 1; k++) {
    const got = expectNormal((z) => z ** k, { order: n });
    const want = k % 2 === 1 ? 0 : doubleFactorial(k - 1);
    // Odd moments cancel terms of size ~E|z|^k ≤ (k−1)!!·√k; measure the error against that scale.
    const scale = Math.max(1, doubleFactorial(k - 1) * Math.sqrt(k));
    assert.ok(Math.abs(got - want) <= 1e-10 * scale, `degree ${k}: ${got} vs ${want}`);
  }
});

test('E cos z = e^{-1/2}', () => {
  assert.ok(Math.abs(expectNormal(Math.cos) - Math.exp(-0.5)) < 1e-12);
});

test('Gauss–Hermite nodes are the roots of He₅ = x⁵ − 10x³ + 15x: 0, ±√(5 ± √10)', () => {
  const { nodes, weights } = gaussHermite(5);
  const roots = [-Math.sqrt(5 + Math.sqrt(10)), -Math.sqrt(5 - Math.sqrt(10)), 0, Math.sqrt(5 - Math.sqrt(10)), Math.sqrt(5 + Math.sqrt(10))];
  roots.forEach((r, i) => assert.ok(Math.abs(nodes[i]! - r) < 1e-13, `node ${i}: ${nodes[i]} vs ${r}`));
  // Weight of the middle node: n!/(n²·He₄(0)²) = 120/(25·9) = 8/15.
  assert.ok(Math.abs(weights[2]! - 8 / 15) < 1e-14);
  assert.ok(Math.abs(weights.reduce((a, b) => a + b, 0) - 1) < 1e-14);
});

test('Gauss–Hermite weights are positive and the rule is symmetric', () => {
  const { nodes, weights } = gaussHermite(96);
  for (let i = 0; i < 96; i++) {
    assert.ok(weights[i]! > 0);
    assert.ok(Math.abs(nodes[i]! + nodes[95 - i]!) < 1e-12);
    assert.ok(Math.abs(weights[i]! - weights[95 - i]!) < 1e-15 + 1e-12 * weights[i]!);
  }
});

test('Gauss–Legendre integrates x^{2k} on [−1, 1] to 2/(2k+1)', () => {
  const { nodes, weights } = gaussLegendre(12);
  for (let k = 0; k < 12; k++) {
    let sum = 0;
    for (let i = 0; i < nodes.length; i++) sum += weights[i]! * nodes[i]! ** (2 * k);
    assert.ok(Math.abs(sum - 2 / (2 * k + 1)) < 1e-14, `k=${k}`);
  }
});

test('kinked integrands split at the kink: E max(z,0) = 1/√(2π), E|z| = √(2/π), P(z > 0.7) = Φ(−0.7)', () => {
  assert.ok(Math.abs(expectNormal((z) => Math.max(z, 0), { kinks: [0] }) - 1 / Math.sqrt(2 * Math.PI)) < 1e-13);
  assert.ok(Math.abs(expectNormal(Math.abs, { kinks: [0] }) - Math.sqrt(2 / Math.PI)) < 1e-13);
  // Φ(−0.7) from its tabulated value 0.241963652223073.
  assert.ok(Math.abs(expectNormal((z) => (z > 0.7 ? 1 : 0), { kinks: [0.7] }) - 0.241963652223073) < 1e-12);
  // Without the split the step is resolved poorly: the split is what buys the accuracy.
  assert.ok(Math.abs(expectNormal(Math.abs) - Math.sqrt(2 / Math.PI)) > 1e-6);
});

test('bad orders are rejected with a clear error', () => {
  assert.throws(() => gaussHermite(0), /integer in 1\.\.400/);
  assert.throws(() => gaussHermite(2.5), /integer in 1\.\.400/);
});
