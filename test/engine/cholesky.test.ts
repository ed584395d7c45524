// The host pivoted Cholesky behind every isometry gap: log-determinant against Jacobi eigenvalues (test/engine/reference64),
// numerical rank of Grams of known rank, and pivoting on matrices whose largest diagonal is not first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pivotedCholesky } from '../../src/engine/isometry';
import { Rng } from '../../src/engine/rng';
import { symmetricEigenvalues } from './reference64';

/** G = XᵀX for X (d×n) with i.i.d. normal entries, columns scaled by `scales` (so diagonals differ and pivots move). */
function gram(d: number, n: number, seed: number, rank = n, scales?: number[]): Float64Array {
  const rng = new Rng(seed, 0xc401);
  const basis = rng.fillNormal(new Float64Array(d * rank));
  const mix = rng.fillNormal(new Float64Array(rank * n));
  const g = new Float64Array(n * n);
  const x = new Float64Array(d * n); // X = B·M: rank ≤ `rank`
  for (let i = 0; i < d; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let r = 0; r < rank; r++) s += basis[i * rank + r] * mix[r * n + j];
      x[i * n + j] = s * (scales?.[j] ?? 1);
    }
  for (let a = 0; a < n; a++)
    for (let b = 0; b < n; b++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += x[i * n + a] * x[i * n + b];
      g[a * n + b] = s;
    }
  return g;
}

test('log det of positive definite Grams equals the sum of log eigenvalues', () => {
  for (const [d, n, seed] of [[12, 5, 1], [40, 30, 2], [90, 64, 3]] as const) {
    const scales = Array.from({ length: n }, (_, j) => 0.2 + ((j * 7) % 11)); // the largest diagonal sits mid-matrix
    const g = gram(d, n, seed, n, scales);
    const { rank, logDet } = pivotedCholesky(g, n, 1e-10);
    const eig = symmetricEigenvalues(g, n);
    const expected = eig.reduce((s, e) => s + Math.log(e), 0);
    assert.equal(rank, n);
    assert.ok(Math.abs(logDet - expected) < 1e-8 * Math.max(1, Math.abs(expected)), `${n}×${n}: ${logDet} vs ${expected}`);
  }
});

test('Grams of known rank stop at that rank', () => {
  for (const [d, n, r, seed] of [[30, 20, 7, 4], [64, 48, 1, 5], [50, 40, 39, 6]] as const) {
    const { rank } = pivotedCholesky(gram(d, n, seed, r), n, 1e-9);
    assert.equal(rank, r, `rank-${r} Gram of size ${n}`);
  }
});
