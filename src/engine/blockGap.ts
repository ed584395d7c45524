// Where the diagnostic pass (./pass) takes a block output's isometry gap from, and its reduction on the host pool.
//  - n < d/2: the float32 Gram XᵀX the pass computes anyway (it is also the next layer's gradient-norm factor). A random
//    d×n representation is then well-conditioned (Marchenko–Pastur: λ_min/λ_mean ≥ (1 − √(n/d))² > 0.085), far above the
//    float32 Gram's resolution (~2⁻²⁴·√d of its diagonal), and nothing more is downloaded.
//  - n ≥ d/2: X itself (d·n float32 values, at most twice the Gram's n²), reduced in float64 (./isometry,
//    isometryGapFromRepresentation). Square batches (n ≈ d) have λ_min/λ_mean → 0 at random: the float32 Gram misreads
//    them as rank d − 1 and biases φ high, and cannot hold a centred representation's exact null vector 1.
import type { HostPool } from './hostPool';
import { isometryGapFromGram, isometryGapFromRepresentation, type GapResult } from './isometry';

/** Whether φ of a d×n block output is taken from the representation itself rather than from its float32 Gram. */
export function gapFromRepresentation(d: number, n: number): boolean {
  return 2 * n >= d;
}

export interface BlockGapSource {
  /** The float32 Gram XᵀX (n×n, row-major). */
  gram: Float32Array;
  /** X itself (d×n, row-major) when gapFromRepresentation(d, n); null otherwise. */
  representation: Float32Array | null;
  d: number;
  n: number;
  /** Fan-in of the last dense layer before X (the length of the float32 sums behind each entry). */
  accumulation: number;
}

/**
 * φ of a block output on the host pool (copied, not transferred: the pass still reads the Gram), computed on this thread
 * when the pool fails the request.
 */
export function blockGap(pool: HostPool, s: BlockGapSource): Promise<GapResult> {
  const x = s.representation;
  if (x)
    return pool
      .representationGap(x, s.d, s.n, s.accumulation, { transfer: false })
      .catch(() => isometryGapFromRepresentation(x, s.d, s.n, s.accumulation));
  return pool.gap(s.gram, s.n, { transfer: false }).catch(() => isometryGapFromGram(s.gram, s.n));
}
