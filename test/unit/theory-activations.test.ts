import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTIVATIONS, activation, erf, normalCdf, SELU_ALPHA, SELU_SCALE } from '../../src/theory/activations';
import { simpsonNormal } from './theory-reference';

test('erf matches tabulated values and is odd', () => {
  const table: [number, number][] = [
    [0, 0],
    [0.1, 0.1124629160182849],
    [0.5, 0.5204998778130465],
    [1, 0.8427007929497149],
    [2, 0.9953222650189527],
    [3, 0.9999779095030014],
    [4, 0.9999999845827421],
  ];
  for (const [x, want] of table) {
    assert.ok(Math.abs(erf(x) - want) < 2e-15, `erf(${x}) = ${erf(x)}`);
    assert.ok(Math.abs(erf(-x) + want) < 2e-15);
  }
  assert.equal(erf(7), 1);
  assert.equal(erf(-7), -1);
});

test('erf′ = (2/√π)e^{−x²} by central differences', () => {
  for (const x of [-2.5, -1, -0.3, 0, 0.7, 1.9, 3.2]) {
    const h = 1e-5;
    const numeric = (erf(x + h) - erf(x - h)) / (2 * h);
    assert.ok(Math.abs(numeric - (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x)) < 1e-9, `x=${x}`);
  }
});

test('normal CDF: Φ(1) = 0.841344746068543, Φ(−1.96) = 0.0249978951482204', () => {
  assert.ok(Math.abs(normalCdf(1) - 0.841344746068543) < 1e-15);
  assert.ok(Math.abs(normalCdf(-1.96) - 0.0249978951482204) < 1e-15);
});

test('every σ′ matches a central difference of σ away from kinks', () => {
  const points = [-2.3, -1.1, -0.4, 0.25, 0.9, 1.7, 3.1];
  for (const name of ACTIVATIONS) {
    const a = activation(name, 0.2);
    for (const x of points) {
      const h = 1e-6;
      const numeric = (a.f(x + h) - a.f(x - h)) / (2 * h);
      assert.ok(Math.abs(numeric - a.df(x)) < 1e-7, `${name} at ${x}: ${numeric} vs ${a.df(x)}`);
    }
  }
});

test('structural flags agree with the functions: centred (σ(0)=0, σ′(0)=1), odd, positively homogeneous', () => {
  const grid = [-3, -1.2, -0.5, 0.3, 0.8, 2.6];
  for (const name of ACTIVATIONS) {
    const a = activation(name);
    const centred = Math.abs(a.f(0)) < 1e-15 && Math.abs(a.df(0) - 1) < 1e-12;
    const odd = grid.every((x) => Math.abs(a.f(-x) + a.f(x)) < 1e-14);
    const homogeneous = grid.every((x) => Math.abs(a.f(2.5 * x) - 2.5 * a.f(x)) < 1e-13);
    assert.equal(a.centred, centred, `${name} centred`);
    assert.equal(a.odd, odd, `${name} odd`);
    assert.equal(a.homogeneous, homogeneous, `${name} homogeneous`);
  }
  assert.deepEqual(ACTIVATIONS.filter((n) => activation(n).centred), ['identity', 'tanh', 'sin']);
});

test('SELU constants make the standard normal a fixed point: E selu(z) = 0, E selu(z)² = 1', () => {
  const a = activation('selu');
  assert.ok(Math.abs(simpsonNormal(a.f)) < 1e-9);
  assert.ok(Math.abs(simpsonNormal((z) => a.f(z) ** 2) - 1) < 1e-9);
  assert.ok(SELU_SCALE > 1.0507 && SELU_SCALE < 1.0508 && SELU_ALPHA > 1.6732 && SELU_ALPHA < 1.6733);
});

test('GELU is x·Φ(x); leaky-relu uses its slope', () => {
  const gelu = activation('gelu');
  assert.ok(Math.abs(gelu.f(1) - 0.841344746068543) < 1e-15);
  assert.ok(Math.abs(gelu.f(-1) + (1 - 0.841344746068543)) < 1e-15);
  const leaky = activation('leaky-relu', 0.1);
  assert.equal(leaky.f(-2), -0.2);
  assert.equal(leaky.df(-2), 0.1);
  assert.equal(activation('leaky-relu').df(-1), 0.01);
});
