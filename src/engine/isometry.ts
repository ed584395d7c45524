// The isometry gap φ (DESIGN §1) of a representation from its Gram matrix, reduced on the host in float64.

export interface GapResult {
  /** φ ≥ 0; null when the Gram is rank-deficient (φ = +∞) or not finite. */
  gap: number | null;
  /** The Gram is not positive definite (on the complement of 1 for a centred representation). */
  degenerate: boolean;
  /** Numerical rank of the Gram. */
  rank: number;
  /** The columns sum to zero (centred BN), so φ was taken on the complement of the all-ones vector. */
  centred: boolean;
  /** The Gram held NaN or ±Inf. */
  nonFinite: boolean;
}

/** Relative size of ‖X1‖² against tr G below which the columns are taken to sum to zero (float32 round-off sits near 1e-12). */
const CENTRED_TOL = 1e-6;
const RANK_TOL_PER_SAMPLE = 2 ** -25;

/**
 * φ(X) from G = XᵀX (n×n, row-major). Rank is decided by a pivoted Cholesky in float64 with a relative pivot tolerance of
 * max(n, 16)·2⁻²⁵ (≈ n·3e-8). The Gram comes from float32 arithmetic: measured on wasm, the spurious pivots of exactly
 * rank-deficient Grams (n > d) reach ≈ n·1.5e-8 of the largest diagonal, so the tolerance sits at twice that; square
 * random batches (n = d), which are ill-conditioned but full rank, rarely fall below it.
 */
export function isometryGapFromGram(gram: ArrayLike<number>, n: number): GapResult {
  if (gram.length !== n * n) throw new Error(`isometryGapFromGram: expected ${n}×${n} entries, got ${gram.length}`);
  // The symmetrised Gram's lower triangle is all the Cholesky reads (the upper one is left at zero).
  const g = new Float64Array(n * n);
  let trace = 0;
  let offDiagonal = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = 0.5 * (gram[i * n + j] + gram[j * n + i]);
      if (!Number.isFinite(v)) return { gap: null, degenerate: false, rank: 0, centred: false, nonFinite: true };
      g[i * n + j] = v;
      if (j < i) offDiagonal += v;
      else trace += v;
    }
  }
  const total = trace + 2 * offDiagonal;
  if (!(trace > 0)) return { gap: null, degenerate: true, rank: 0, centred: false, nonFinite: false };
  const centred = n > 1 && total <= CENTRED_TOL * trace;
  // Centred: G·1 = 0 by construction; adding c·11ᵀ puts eigenvalue c·n on 1 and leaves the other n−1 eigenvalues alone.
  const dims = centred ? n - 1 : n;
  const c = trace / n;
  if (centred) for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) g[i * n + j] += c;
  const { rank, logDet } = pivotedCholesky(g, n, Math.max(n, 16) * RANK_TOL_PER_SAMPLE, true);
  const gramRank = centred ? rank - 1 : rank;
  if (rank < n) return { gap: null, degenerate: true, rank: Math.max(0, gramRank), centred, nonFinite: false };
  const logDetComplement = centred ? logDet - Math.log(c * n) : logDet;
  const gap = Math.log(trace / dims) - logDetComplement / dims;
  return { gap: Math.max(0, gap), degenerate: false, rank: gramRank, centred, nonFinite: false };
}

/**
 * Cholesky with symmetric pivoting, on a copy of `a` (or on `a` itself, overwritten, when `inPlace`). Stops when the largest
 * remaining pivot falls below `relTol` times the largest diagonal entry; returns the number of accepted pivots and the
 * log-determinant of the accepted part.
 */
export function pivotedCholesky(a: Float64Array, n: number, relTol: number, inPlace = false): { rank: number; logDet: number } {
  // The pivot's row and column are swapped into place and only the lower triangle is updated, so the inner loop runs over
  // contiguous memory: this runs once per layer on an n×n Gram, and at n = 100 it was half the pass's host time.
  const m = inPlace ? a : Float64Array.from(a);
  const col = new Float64Array(n);
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, m[i * n + i]);
  const tol = relTol * maxDiag;
  let logDet = 0;
  for (let k = 0; k < n; k++) {
    // Pick the largest remaining diagonal and swap index p with k in the trailing lower triangle (columns < k are done).
    let p = k;
    for (let i = k + 1; i < n; i++) if (m[i * n + i] > m[p * n + p]) p = i;
    if (p !== k) {
      swap(m, k * n + k, p * n + p);
      for (let j = k + 1; j < p; j++) swap(m, j * n + k, p * n + j);
      for (let j = p + 1; j < n; j++) swap(m, j * n + k, j * n + p);
    }
    const pivot = m[k * n + k];
    if (!(pivot > tol)) return { rank: k, logDet };
    const l = Math.sqrt(pivot);
    logDet += 2 * Math.log(l);
    // Column k of L, then the Schur update of the trailing lower triangle.
    for (let i = k + 1; i < n; i++) col[i] = m[i * n + k] / l;
    for (let i = k + 1; i < n; i++) {
      const lik = col[i];
      if (lik === 0) continue;
      const row = i * n;
      for (let j = k + 1; j <= i; j++) m[row + j] -= lik * col[j];
    }
  }
  return { rank: n, logDet };
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}
