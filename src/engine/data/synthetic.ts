// Synthetic input sources (DESIGN §3): gaussian, near-identity, correlated, repeated.
import type { DataSource, DataSpec } from '../../spec/types';
import { DataError } from './errors';
import type { Rng } from '../rng';
import { dataRng, normals } from './random';

/** Every source but the files (DATA_SOURCES in spec/types.ts). */
export type SyntheticSource = Exclude<DataSource, 'csv' | 'npy'>;

export function isSynthetic(source: DataSource): source is SyntheticSource {
  return source !== 'csv' && source !== 'npy';
}

/**
 * Draws batches from one synthetic source. Parts that define the distribution itself (the shared direction c of the
 * correlated source) are fixed at construction, so every batch comes from the same distribution.
 */
export class SyntheticInputs {
  readonly features: number;
  private readonly shared: Float64Array | null;

  constructor(
    private readonly data: DataSpec,
    seed: number,
  ) {
    this.features = data.features;
    if (!Number.isInteger(data.features) || data.features < 1) {
      throw new DataError(`data.features must be a positive integer for source ${data.source} (got ${data.features})`, 'data.features');
    }
    this.shared = data.source === 'correlated' ? normals(dataRng(seed, 'distribution'), data.features) : null;
  }

  /** `count` samples, row-major [count][features]. */
  sample(count: number, rng: Rng): Float64Array {
    const d = this.features;
    switch (this.data.source) {
      case 'gaussian':
        return normals(rng, count * d);
      case 'near-identity':
        return nearIdentity(d, count, requireNumber(this.data.f, 'data.f', 'near-identity'), rng);
      case 'correlated':
        return correlated(d, count, requireNumber(this.data.rho, 'data.rho', 'correlated'), this.shared!, rng);
      case 'repeated':
        return repeated(d, count, requireNumber(this.data.unique, 'data.unique', 'repeated'), rng);
      default:
        throw new DataError(`data.source ${this.data.source} is not a synthetic source`, 'data.source');
    }
  }
}

function requireNumber(value: number | undefined, path: string, source: string): number {
  if (value === undefined || !Number.isFinite(value)) throw new DataError(`${path} is required for data.source ${source}`, path);
  return value;
}

/** Sample j is column j of X = (1 − f) I + f u vᵀ, with u and v independent uniformly random unit vectors. */
export function nearIdentity(d: number, count: number, f: number, rng: Rng): Float64Array {
  if (count !== d) {
    throw new DataError(`near-identity input needs data.batch == data.features (X is square); got batch ${count}, features ${d}`, 'data.batch');
  }
  if (!(f >= 0 && f <= 1)) throw new DataError(`data.f must be in [0, 1] (got ${f})`, 'data.f');
  const u = unitVector(d, rng);
  const v = unitVector(d, rng);
  const x = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < d; i++) x[j * d + i] = (i === j ? 1 - f : 0) + f * u[i] * v[j];
  }
  return x;
}

/** x_j = √ρ·c + √(1−ρ)·g_j with c shared by all samples: pairwise correlation ρ in expectation. */
export function correlated(d: number, count: number, rho: number, shared: Float64Array, rng: Rng): Float64Array {
  if (!(rho >= 0 && rho <= 1)) throw new DataError(`data.rho must be in [0, 1] (got ${rho})`, 'data.rho');
  const a = Math.sqrt(rho);
  const b = Math.sqrt(1 - rho);
  const x = normals(rng, count * d);
  for (let j = 0; j < count; j++) {
    for (let i = 0; i < d; i++) x[j * d + i] = a * shared[i] + b * x[j * d + i];
  }
  return x;
}

/** `unique` Gaussian samples repeated cyclically to fill the batch: a rank-deficient batch by construction. */
export function repeated(d: number, count: number, unique: number, rng: Rng): Float64Array {
  if (!Number.isInteger(unique) || unique < 1) throw new DataError(`data.unique must be a positive integer (got ${unique})`, 'data.unique');
  const distinct = normals(rng, Math.min(unique, count) * d);
  const x = new Float64Array(count * d);
  for (let j = 0; j < count; j++) x.set(distinct.subarray((j % unique) * d, (j % unique + 1) * d), j * d);
  return x;
}

function unitVector(d: number, rng: Rng): Float64Array {
  let v = normals(rng, d);
  let norm = euclidean(v);
  while (norm === 0) {
    v = normals(rng, d);
    norm = euclidean(v);
  }
  for (let i = 0; i < d; i++) v[i] /= norm;
  return v;
}

function euclidean(v: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i] * v[i];
  return Math.sqrt(sum);
}

/** Uniform random labels in [0, classes): the diagnostic labels of synthetic sources. */
export function uniformLabels(count: number, classes: number, rng: Rng): Int32Array {
  const labels = new Int32Array(count);
  for (let j = 0; j < count; j++) labels[j] = rng.int(classes);
  return labels;
}
