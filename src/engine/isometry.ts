// The isometry gap φ (DESIGN §1) of a representation, reduced on the host in float64: from the representation X itself (a
// float64 Gram of its exact float32 values) or from the float32 Gram XᵀX the device computed.
import { workspace, type Workspace } from './simd/linalg64';

export interface GapResult {
  /** φ ≥ 0; null when the Gram is rank-deficient (φ = +∞) or not finite. */
  gap: number | null;
  /** The Gram is not positive definite (on the complement of 1 for a centred representation). */
  degenerate: boolean;
  /** Numerical rank of the Gram (of its restriction to the complement of 1 when centred: at most n − 1). */
  rank: number;
  /** The columns sum to zero (centred BN), so φ was taken on the complement of the all-ones vector. */
  centred: boolean;
  /** The Gram held NaN or ±Inf. */
  nonFinite: boolean;
}

/**
 * ‖X1‖² ≤ CENTRED_TOL·‖X‖²_F: the samples sum to zero (centred BN), up to round-off. A centred float32 representation sums
 * to ~1e-13 of ‖X‖² (X exact) or to the float32 Gram's own error, ~2⁻²⁴·√d of its trace (up to n times that when the
 * errors align: 3e-5 at n = d = 64, which the previous 1e-6 missed); a representation that is not centred has
 * ‖X1‖²/‖X‖²_F ~ 1 (χ²_d-distributed for i.i.d. entries), below 2⁻¹² with probability ~2^(−6d).
 */
const CENTRED_TOL = 2 ** -12;
const RANK_TOL_PER_SAMPLE = 2 ** -25;
/** float32's unit round-off. */
const U32 = 2 ** -24;
/** float64's unit round-off. */
const U64 = 2 ** -53;

const NON_FINITE: GapResult = { gap: null, degenerate: false, rank: 0, centred: false, nonFinite: true };

/**
 * Work arrays reused from one call to the next (one set per thread): every layer of a pass reduces a Gram, and fresh n×n
 * and n×d float64 arrays each time (~240 KB a layer at n = d = 100) kept the young-generation GC busy. The functions
 * below write every entry they read. Arrays over RETAIN_MAX_ENTRIES are not kept.
 */
const scratchArrays = { rows: new Float64Array(0), gram: new Float64Array(0), factor: new Float64Array(0), column: new Float64Array(0), diag: new Float64Array(0) };
const RETAIN_MAX_ENTRIES = 2 ** 22;

function scratch(slot: keyof typeof scratchArrays, entries: number): Float64Array {
  const kept = scratchArrays[slot];
  if (kept.length >= entries) return kept.subarray(0, entries);
  const fresh = new Float64Array(entries);
  if (entries <= RETAIN_MAX_ENTRIES) scratchArrays[slot] = fresh;
  return fresh;
}

/** The work arrays of one reduction (./simd/linalg64: in wasm memory where SIMD is, else these reused arrays). */
const workFor = (n: number, d: number): Workspace => workspace(n, d, scratch);

/**
 * φ(X) from G = XᵀX (n×n, row-major) computed in float32 on the device. Rank is decided by a pivoted Cholesky in float64
 * with a relative pivot tolerance of max(n, 16)·2⁻²⁵ (≈ n·3e-8). The Gram's own float32 error (~2⁻²⁴·√d of its diagonal
 * per entry) limits what it can resolve: measured on wasm, the spurious pivots of exactly rank-deficient Grams (n > d)
 * reach ≈ n·1.5e-8 of the largest diagonal, so the tolerance sits at twice that — and a full-rank Gram whose smallest
 * eigenvalue is below that (a square batch, n ≈ d) is misread as rank-deficient and its φ biased high. The pass therefore
 * uses this path only for n < d/2, where a random representation's Gram is well-conditioned (Marchenko–Pastur:
 * λ_min/λ_mean ≥ (1 − √(n/d))² > 0.085), and takes φ from X itself otherwise (isometryGapFromRepresentation).
 */
export function isometryGapFromGram(gram: ArrayLike<number>, n: number): GapResult {
  if (gram.length !== n * n) throw new Error(`isometryGapFromGram: expected ${n}×${n} entries, got ${gram.length}`);
  // The symmetrised Gram's lower triangle is all the Cholesky reads (the upper one is not written: a reused work array).
  const work = workFor(n, 0);
  const g = work.gram;
  let trace = 0;
  let offDiagonal = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = 0.5 * (gram[i * n + j] + gram[j * n + i]);
      if (!Number.isFinite(v)) return NON_FINITE;
      g[i * n + j] = v;
      if (j < i) offDiagonal += v;
      else trace += v;
    }
  }
  const total = trace + 2 * offDiagonal;
  if (!(trace > 0)) return { gap: null, degenerate: true, rank: 0, centred: false, nonFinite: false };
  const centred = n > 1 && total <= CENTRED_TOL * trace;
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, g[i * n + i]);
  return gapOfLowerGram(work, n, trace, centred, Math.max(n, 16) * RANK_TOL_PER_SAMPLE * maxDiag, n);
}

/**
 * φ(X) of a d×n representation X (row-major: feature rows, sample columns) given by its float32 values, in float64: a
 * centred X (its rows sum to zero up to round-off) has its row means removed exactly, G = XᵀX is formed in float64 (the
 * products of float32 values are exact, the sums carry ~√d·2⁻⁵³ relative error, far below X's own) and reduced by the
 * pivoted Cholesky.
 *
 * Rank tolerance, from the float32 error of X. Each entry of X ends a dot product of length k (the fan-in of the layer that
 * made it, `accumulation`) followed by a few element-wise ops (norm, activation, residual add): a relative error of
 * ρ ≈ 2⁻²⁴·(√k + 8) (a random walk of k roundings of partial sums of size ~√k, plus ≤ 8 more roundings), i.e. a noise
 * matrix E with entries of size ρ·rms(X). Such a d×n noise matrix has ‖E‖₂ ≈ ρ·rms(X)·(√d + √n) (Bai–Yin), so a singular
 * value of X below ‖E‖₂ cannot be told from zero, nor an eigenvalue of G below ‖E‖₂²: the pivot tolerance is
 * (2ρ·(√d + √n))²·‖X‖²_F/(d·n) (twice the noise's singular value; the last accepted pivot of a pivoted Cholesky is at
 * least λ_min, so a full-rank X is declared rank-deficient only when its λ_min is below the tolerance), and never below
 * the float64 round-off of forming and factoring G (16·n·2⁻⁵³ of its largest diagonal). At n = d = 256, k = 256 that is
 * ~1e-10 of the mean eigenvalue, where the float32 Gram's tolerance is ~1e-5.
 */
export function isometryGapFromRepresentation(x: ArrayLike<number>, d: number, n: number, accumulation = d): GapResult {
  if (x.length !== d * n) throw new Error(`isometryGapFromRepresentation: expected ${d}×${n} entries, got ${x.length}`);
  const rowSum = new Float64Array(d);
  let trace = 0;
  let total = 0;
  for (let i = 0; i < d; i++) {
    let s = 0;
    let sq = 0;
    for (let j = 0; j < n; j++) {
      const v = x[i * n + j];
      s += v;
      sq += v * v;
    }
    if (!Number.isFinite(sq) || !Number.isFinite(s)) return NON_FINITE;
    rowSum[i] = s;
    trace += sq;
    total += s * s;
  }
  if (!(trace > 0)) return { gap: null, degenerate: true, rank: 0, centred: false, nonFinite: false };
  const centred = n > 1 && total <= CENTRED_TOL * trace;
  // The samples as contiguous float64 rows (X's columns, centred when centred), then G's lower triangle.
  const work = workFor(n, d);
  const xt = work.rows;
  trace = 0;
  for (let i = 0; i < d; i++) {
    const mean = centred ? rowSum[i] / n : 0;
    for (let j = 0; j < n; j++) {
      const v = x[i * n + j] - mean;
      xt[j * d + i] = v;
      trace += v * v;
    }
  }
  work.fillGram();
  const g = work.gram;
  if (!(trace > 0)) return { gap: null, degenerate: true, rank: 0, centred, nonFinite: false };
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, g[i * n + i]);
  const rho = U32 * (Math.sqrt(Math.max(1, accumulation)) + 8);
  const noise = 2 * rho * (Math.sqrt(d) + Math.sqrt(n));
  const tol = Math.max((noise * noise * trace) / (d * n), 16 * n * U64 * maxDiag);
  return gapOfLowerGram(work, n, trace, centred, tol, Math.min(d, n), true);
}

/**
 * φ from the lower triangle of the workspace's float64 Gram (overwritten), its trace, whether its columns sum to zero,
 * and an absolute pivot tolerance. `maxRank` caps the rank (a d×n representation has rank ≤ d). With `floorOne` (a representation reduced
 * in float64, ./isometryGapFromRepresentation), a Gram that is positive definite in float64 but has exactly one eigenvalue
 * below `tol` — where nothing structural caps its rank — keeps a finite φ with that eigenvalue taken as `tol`: a square
 * random batch has P(σ_min·√d < t) ≈ t (Edelman), so one eigenvalue below float32 resolution turns up by chance on a few
 * layers in a thousand at n = d and is no collapse (the float64 reference shows the same transient near-singularity,
 * e.g. λ_min/λ_mean = 1e-12 at one layer of an orthogonal tanh net at n = d = 64). φ is then a lower bound, off by at most
 * ln(tol/λ_min)/n. Two or more directions below `tol`, a rank cap (n > d), or an exactly singular Gram stay degenerate.
 */
function gapOfLowerGram(work: Workspace, n: number, trace: number, centred: boolean, tol: number, maxRank: number, floorOne = false): GapResult {
  const g = work.gram;
  // Centred: G·1 = 0 by construction; adding c·11ᵀ puts eigenvalue c·n on 1 and leaves the other n−1 eigenvalues alone.
  const dims = centred ? n - 1 : n;
  const c = trace / n;
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, g[i * n + i]);
  if (centred) for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) g[i * n + j] += c;
  const chol = pivotedCholeskyAbsolute(g, n, tol, work);
  let { rank, logDet } = chol;
  const roundOff = 16 * n * U64 * maxDiag;
  if (floorOne && rank === n - 1 && maxRank >= dims && chol.nextPivot > roundOff) {
    rank = n;
    logDet += Math.log(tol);
  }
  const gramRank = Math.min(centred ? rank - 1 : rank, maxRank);
  if (rank < n || gramRank < dims) return { gap: null, degenerate: true, rank: Math.max(0, gramRank), centred, nonFinite: false };
  const logDetComplement = centred ? logDet - Math.log(c * n) : logDet;
  const gap = Math.log(trace / dims) - logDetComplement / dims;
  return { gap: Math.max(0, gap), degenerate: false, rank: gramRank, centred, nonFinite: false };
}

/**
 * Cholesky with symmetric pivoting of the symmetric matrix whose lower triangle is `a` (not modified). Stops when the
 * largest remaining pivot falls below `relTol` times the largest diagonal entry; returns the number of accepted pivots and
 * the log-determinant of the accepted part.
 */
export function pivotedCholesky(a: Float64Array, n: number, relTol: number): { rank: number; logDet: number } {
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, a[i * n + i]);
  const { rank, logDet } = pivotedCholeskyAbsolute(a, n, relTol * maxDiag, workFor(n, 0));
  return { rank, logDet };
}

/**
 * pivotedCholesky with an absolute pivot tolerance, in LAPACK dpstf2's left-looking order: step k updates the remaining
 * diagonal by one square each and forms column k of L as dot products of L's rows (contiguous), where the right-looking
 * form streamed a rank-one update through the whole trailing triangle: 1.3–1.7× faster at n = 64–256 (it runs once per
 * layer on every Gram). Column k's dot products are ./simd/linalg64's factorColumn.
 */
function pivotedCholeskyAbsolute(a: Float64Array, n: number, tol: number, work: Workspace): { rank: number; logDet: number; nextPivot: number } {
  const l = work.factor;
  const c = work.column;
  const perm = new Int32Array(n);
  const diag = scratch('diag', n);
  for (let i = 0; i < n; i++) {
    perm[i] = i;
    diag[i] = a[i * n + i];
  }
  let logDet = 0;
  for (let k = 0; k < n; k++) {
    if (k > 0) {
      for (let i = k; i < n; i++) {
        const v = l[i * n + k - 1];
        diag[i] -= v * v;
      }
    }
    let p = k;
    for (let i = k + 1; i < n; i++) if (diag[i] > diag[p]) p = i;
    const rk = k * n;
    if (p !== k) {
      swap(diag, k, p);
      swap(perm, k, p);
      const rp = p * n;
      for (let t = 0; t < k; t++) swap(l, rk + t, rp + t);
    }
    const pivot = diag[k];
    if (!(pivot > tol)) return { rank: k, logDet, nextPivot: pivot };
    const lkk = Math.sqrt(pivot);
    logDet += 2 * Math.log(lkk);
    l[rk + k] = lkk;
    const inv = 1 / lkk;
    const pk = perm[k];
    for (let i = k + 1; i < n; i++) {
      const pi = perm[i];
      c[i] = pi > pk ? a[pi * n + pk] : a[pk * n + pi];
    }
    work.factorColumn(k, inv);
  }
  return { rank: n, logDet, nextPivot: NaN };
}

function swap(a: Float64Array | Int32Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}
