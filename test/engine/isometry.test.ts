// The isometry gap φ: definition, invariances (scale, orthogonal rotation, Gram computed on the backend), the centred-BN
// complement rule, and rank collapse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor2D } from '@tensorflow/tfjs';
import { selectBackend } from '../../src/engine/backend';
import { haarOrthogonal } from '../../src/engine/init';
import { isometryGapFromGram } from '../../src/engine/isometry';
import { Rng } from '../../src/engine/rng';
import { mat, matmul, referenceGap, transpose } from './reference64';

/** XᵀX on the wasm backend with the engine's explicit-transpose matmul. */
async function backendGram(x: Float64Array, d: number, n: number): Promise<Float32Array> {
  const { tf } = await selectBackend('wasm');
  const t = tf.tensor2d(Float32Array.from(x), [d, n]);
  const g = tf.tidy(() => tf.matMul(tf.transpose(t), t as Tensor2D));
  const data = (await g.data()) as Float32Array;
  t.dispose();
  g.dispose();
  return data;
}

function randomMatrix(d: number, n: number, seed: number): Float64Array {
  return new Rng(seed).fillNormal(new Float64Array(d * n));
}

test('φ is zero for orthogonal samples of equal norm and positive otherwise', () => {
  const n = 5;
  const eye = new Float64Array(n * n);
  for (let i = 0; i < n; i++) eye[i * n + i] = 3;
  assert.ok(Math.abs(isometryGapFromGram(eye, n).gap!) < 1e-15);
  // Eigenvalues 1 and 4 (n = 2): φ = log(2.5) − log(2).
  const g = Float64Array.from([2.5, 1.5, 1.5, 2.5]);
  assert.ok(Math.abs(isometryGapFromGram(g, 2).gap! - Math.log(2.5 / 2)) < 1e-14);
});

test('φ from the backend Gram matches float64 eigenvalues and is invariant to scale and rotation', async () => {
  const d = 16;
  const n = 8;
  const x = randomMatrix(d, n, 1);
  const expected = referenceGap(mat(d, n, x), false);
  const gap = isometryGapFromGram(await backendGram(x, d, n), n).gap!;
  assert.ok(Math.abs(gap - expected) < 1e-4, `${gap} vs ${expected}`);
  const scaled = x.map((v) => v * 37.5);
  assert.ok(Math.abs(isometryGapFromGram(await backendGram(scaled, d, n), n).gap! - expected) < 1e-4);
  const u = mat(d, d, haarOrthogonal(d, d, new Rng(2)));
  const rotated = matmul(u, mat(d, n, x)).a;
  assert.ok(Math.abs(isometryGapFromGram(await backendGram(rotated, d, n), n).gap! - expected) < 1e-4);
});

test('centred representations use the complement of the all-ones vector', async () => {
  const d = 12;
  const n = 6;
  const x = randomMatrix(d, n, 4);
  for (let i = 0; i < d; i++) {
    let mean = 0;
    for (let j = 0; j < n; j++) mean += x[i * n + j] / n;
    for (let j = 0; j < n; j++) x[i * n + j] -= mean;
  }
  const r = isometryGapFromGram(await backendGram(x, d, n), n);
  assert.equal(r.centred, true);
  assert.equal(r.degenerate, false);
  assert.equal(r.rank, n - 1);
  const expected = referenceGap(mat(d, n, x), true);
  assert.ok(Math.abs(r.gap! - expected) < 1e-4, `${r.gap} vs ${expected}`);
});

test('a batch with repeated samples is a rank collapse with its numerical rank', async () => {
  const d = 10;
  const n = 6;
  const base = randomMatrix(d, 4, 5);
  const x = new Float64Array(d * n);
  for (let i = 0; i < d; i++) for (let j = 0; j < n; j++) x[i * n + j] = base[i * 4 + (j % 4)];
  const r = isometryGapFromGram(await backendGram(x, d, n), n);
  assert.equal(r.degenerate, true);
  assert.equal(r.gap, null);
  assert.equal(r.rank, 4);
  // More samples than features: rank ≤ d.
  const wide = isometryGapFromGram(matmul(transpose(mat(3, 5, randomMatrix(3, 5, 6))), mat(3, 5, randomMatrix(3, 5, 6))).a, 5);
  assert.equal(wide.degenerate, true);
  assert.equal(wide.rank, 3);
});

test('non-finite Grams are flagged, not reported as a gap', () => {
  const r = isometryGapFromGram(Float64Array.from([1, NaN, NaN, 1]), 2);
  assert.equal(r.nonFinite, true);
  assert.equal(r.gap, null);
});
