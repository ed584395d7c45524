// Weight inits: Haar moments (E W²ᵢⱼ = 1/d, E W⁴ᵢⱼ = 3/(d(d+2))), orthogonality, unbiased signs, Gaussian variances.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gaussianInitStd, haarOrthogonal, initWeight } from '../../src/engine/init';
import { Rng } from '../../src/engine/rng';

function maxOrthogonalityError(w: Float64Array, rows: number, cols: number): number {
  // rows ≥ cols: WᵀW = I; otherwise WWᵀ = I.
  const k = Math.min(rows, cols);
  let worst = 0;
  for (let a = 0; a < k; a++)
    for (let b = 0; b < k; b++) {
      let s = 0;
      if (rows >= cols) for (let i = 0; i < rows; i++) s += w[i * cols + a] * w[i * cols + b];
      else for (let j = 0; j < cols; j++) s += w[a * cols + j] * w[b * cols + j];
      worst = Math.max(worst, Math.abs(s - (a === b ? 1 : 0)));
    }
  return worst;
}

test('Haar matrices are orthogonal, and rectangular blocks semi-orthogonal', () => {
  const rng = new Rng(1);
  for (const [r, c] of [[16, 16], [64, 64], [12, 5], [5, 12]] as const) {
    assert.ok(maxOrthogonalityError(haarOrthogonal(r, c, rng), r, c) < 1e-12, `${r}×${c}`);
  }
});

test('Haar entries have the moments of the uniform measure on O(d)', () => {
  const d = 8;
  const draws = 3000;
  const rng = new Rng(7);
  let m2 = 0;
  let m4 = 0;
  let diag = 0;
  for (let t = 0; t < draws; t++) {
    const w = haarOrthogonal(d, d, rng);
    for (let k = 0; k < d * d; k++) {
      m2 += w[k] ** 2;
      m4 += w[k] ** 4;
    }
    for (let i = 0; i < d; i++) diag += w[i * d + i];
  }
  m2 /= draws * d * d;
  m4 /= draws * d * d;
  diag /= draws * d;
  assert.ok(Math.abs(m2 - 1 / d) < 1e-12, `E W² = ${m2}`);
  // 3/(d(d+2)) = 0.0375 at d = 8 (a Gaussian N(0, 1/d) would give 3/d² = 0.047). Standard error here ≈ 0.3%.
  const expected = 3 / (d * (d + 2));
  assert.ok(Math.abs(m4 / expected - 1) < 0.03, `E W⁴ = ${m4}, expected ${expected}`);
  // Without the sign correction, QR's diagonal is biased; Haar's diagonal entries have mean 0 (sd of this mean ≈ 0.002).
  assert.ok(Math.abs(diag) < 0.01, `mean diagonal entry ${diag}`);
});

test('Gaussian inits have the stated variances', () => {
  const rng = new Rng(3);
  const fanIn = 40;
  const fanOut = 60;
  for (const [kind, variance] of [
    ['gaussian', 4 / fanIn],
    ['xavier', (4 * 2) / (fanIn + fanOut)],
    ['he', (4 * 2) / fanIn],
  ] as const) {
    assert.ok(Math.abs(gaussianInitStd(kind, fanIn, fanOut, 2) ** 2 - variance) < 1e-15);
    let s = 0;
    const draws = 50;
    for (let t = 0; t < draws; t++) for (const v of initWeight(kind, fanOut, fanIn, 2, rng)) s += v * v;
    const measured = s / (draws * fanIn * fanOut);
    // 120000 samples: relative standard error √(2/120000) ≈ 0.4%.
    assert.ok(Math.abs(measured / variance - 1) < 0.02, `${kind}: ${measured} vs ${variance}`);
  }
});

test('orthogonal init applies its gain and the same seed gives the same weights', () => {
  const a = initWeight('orthogonal', 10, 10, 2.5, new Rng(5, 1));
  const b = initWeight('orthogonal', 10, 10, 2.5, new Rng(5, 1));
  assert.deepEqual(a, b);
  let rowNorm = 0;
  for (let j = 0; j < 10; j++) rowNorm += a[j] ** 2;
  assert.ok(Math.abs(rowNorm - 6.25) < 1e-12);
  assert.notDeepEqual(initWeight('orthogonal', 10, 10, 2.5, new Rng(5, 2)), a);
});
