// Data-side use of the engine's seeded generator (../rng): named streams and the few draws data sources need.
import { Rng } from '../rng';

/**
 * Stream numbers of the data draws, far from the small numbers weight inits use (one stream per layer), so the data of a
 * seed is independent of its weights.
 */
export const DATA_STREAM = {
  distribution: 0x44410001,
  diagnosticBatch: 0x44410002,
  diagnosticLabels: 0x44410003,
  diagnosticRows: 0x44410004,
  teacher: 0x44410005,
  teacherReference: 0x44410006,
  trainBatches: 0x44410007,
  evalBatches: 0x44410008,
  holdoutSplit: 0x44410009,
} as const;

export function dataRng(seed: number, stream: keyof typeof DATA_STREAM): Rng {
  return new Rng(seed, DATA_STREAM[stream]);
}

/** n independent standard normals. */
export function normals(rng: Rng, n: number): Float64Array {
  return rng.fillNormal(new Float64Array(n));
}

/** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
export function permutation(rng: Rng, n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}
