// Independent float64 references for the theory tests: composite Simpson on a dense grid, no quadrature rules shared
// with the code under test.

/**
 * E[f(z)], z ~ N(0,1), by composite Simpson on [−12, 0] and [0, 12] separately (half intervals each), so a kink or jump
 * at 0 sits on a panel edge and each side uses its own one-sided limit there.
 */
export function simpsonNormal(f: (z: number) => number, half = 12000): number {
  const g = (z: number): number => (f(z) * Math.exp(-0.5 * z * z)) / Math.sqrt(2 * Math.PI);
  const side = (sign: 1 | -1): number => {
    const h = 12 / half;
    let sum = g(sign * 1e-300) + g(sign * 12);
    for (let i = 1; i < half; i++) sum += (i % 2 === 1 ? 4 : 2) * g(sign * i * h);
    return (sum * h) / 3;
  };
  return side(-1) + side(1);
}

/** α²·E[σ′(αz)²] / Var[σ(αz)] computed with Simpson. */
export function referenceLambda(f: (x: number) => number, df: (x: number) => number, gain = 1): number {
  const d2 = simpsonNormal((z) => df(gain * z) ** 2);
  const m1 = simpsonNormal((z) => f(gain * z));
  const m2 = simpsonNormal((z) => f(gain * z) ** 2);
  return (gain * gain * d2) / (m2 - m1 * m1);
}

/** Deterministic uniform [0,1) generator (mulberry32) and Box–Muller normals for small seeded simulations. */
export function normalSource(seed: number): () => number {
  let s = seed >>> 0;
  const uniform = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => {
    const u = 1 - uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
}

export interface SimulationOptions {
  width: number;
  batch: number;
  depth: number;
  f: (x: number) => number;
  df: (x: number) => number;
  centred: boolean;
  init: 'gaussian' | 'orthogonal';
  seed: number;
}

/** Haar-orthogonal d×d (row-major): modified Gram–Schmidt on a Gaussian matrix (equivalent to QR with sign fix). */
function orthogonalMatrix(d: number, normal: () => number): Float64Array {
  const q = Float64Array.from({ length: d * d }, () => normal());
  for (let j = 0; j < d; j++) {
    for (let k = 0; k < j; k++) {
      let dot = 0;
      for (let i = 0; i < d; i++) dot += q[i * d + j]! * q[i * d + k]!;
      for (let i = 0; i < d; i++) q[i * d + j]! -= dot * q[i * d + k]!;
    }
    let norm = 0;
    for (let i = 0; i < d; i++) norm += q[i * d + j]! ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < d; i++) q[i * d + j]! /= norm;
  }
  return q;
}

/**
 * A float64 BN-MLP at initialization, X_{ℓ+1} = σ(BN(W_ℓ X_ℓ)), cross-entropy of a Gaussian linear readout, with a
 * hand-written backward pass. Returns −slope of the least-squares fit of ln‖∂loss/∂W_ℓ‖_F on ℓ: the per-layer log growth
 * of the gradient norm toward the input (theory: ½·ln λ).
 */
export function simulateGradientGrowth(o: SimulationOptions): number {
  const { width: d, batch: n, depth: L } = o;
  const normal = normalSource(o.seed);
  const weights: Float64Array[] = [];
  for (let l = 0; l < L; l++) {
    weights.push(o.init === 'orthogonal' ? orthogonalMatrix(d, normal) : Float64Array.from({ length: d * d }, () => normal() / Math.sqrt(d)));
  }
  const inputs: Float64Array[] = [];
  const normalized: Float64Array[] = [];
  const scales: Float64Array[] = [];
  let x = Float64Array.from({ length: d * n }, () => normal());
  for (let l = 0; l < L; l++) {
    inputs.push(x);
    const W = weights[l]!;
    const h = matmul(W, x, d, n);
    const s = normalizeRows(h, d, n, o.centred);
    normalized.push(h);
    scales.push(s);
    x = h.map(o.f);
  }
  // Readout V (c×d) ~ N(0, 1/d), uniform random labels, mean cross-entropy.
  const c = 10;
  const V = Float64Array.from({ length: c * d }, () => normal() / Math.sqrt(d));
  const labels = Array.from({ length: n }, () => Math.floor(((normal() + 10) * 7919) % c));
  let gx = new Float64Array(d * n);
  for (let j = 0; j < n; j++) {
    const logits = new Float64Array(c);
    for (let a = 0; a < c; a++) for (let i = 0; i < d; i++) logits[a]! += V[a * d + i]! * x[i * n + j]!;
    const top = Math.max(...logits);
    const p = logits.map((v) => Math.exp(v - top));
    const z = p.reduce((u, v) => u + v, 0);
    for (let a = 0; a < c; a++) {
      const g = (p[a]! / z - (a === labels[j] ? 1 : 0)) / n;
      for (let i = 0; i < d; i++) gx[i * n + j]! += V[a * d + i]! * g;
    }
  }
  const logNorms = new Float64Array(L);
  for (let l = L - 1; l >= 0; l--) {
    const nl = normalized[l]!;
    const s = scales[l]!;
    const gh = new Float64Array(d * n);
    for (let i = 0; i < d; i++) {
      let dot = 0;
      for (let j = 0; j < n; j++) {
        const gn = gx[i * n + j]! * o.df(nl[i * n + j]!);
        gh[i * n + j] = gn;
        dot += gn * nl[i * n + j]!;
      }
      dot /= n;
      let mean = 0;
      for (let j = 0; j < n; j++) {
        gh[i * n + j] = (gh[i * n + j]! - dot * nl[i * n + j]!) / s[i]!;
        mean += gh[i * n + j]!;
      }
      if (o.centred) for (let j = 0; j < n; j++) gh[i * n + j]! -= mean / n;
    }
    const xp = inputs[l]!;
    let sq = 0;
    for (let i = 0; i < d; i++)
      for (let k = 0; k < d; k++) {
        let g = 0;
        for (let j = 0; j < n; j++) g += gh[i * n + j]! * xp[k * n + j]!;
        sq += g * g;
      }
    logNorms[l] = 0.5 * Math.log(sq);
    gx = matmulTransposed(weights[l]!, gh, d, n);
  }
  let sl = 0;
  let sll = 0;
  let sy = 0;
  let sly = 0;
  for (let l = 0; l < L; l++) {
    sl += l;
    sll += l * l;
    sy += logNorms[l]!;
    sly += l * logNorms[l]!;
  }
  const slope = (L * sly - sl * sy) / (L * sll - sl * sl);
  return -slope;
}

/**
 * A Haar-orthogonal d×d matrix held as the Householder factors of the QR decomposition of a Gaussian matrix (Stewart
 * 1980): Q = H_1·…·H_{d−1}·diag(1, …, 1, ±1), each H_k built from a fresh standard normal vector of length d − k + 1
 * (by rotational invariance the k-th column left after k − 1 reflections is exactly that). Applying Q or Qᵀ to a d×n
 * matrix costs ~2d²n, forming Q would cost d³: the simulations below never form it.
 */
export interface HouseholderQ {
  d: number;
  /** v_k (k = 0..d−2) stored in full length d, zero above row k; each with ‖v_k‖² = 2 (H_k = I − v_k v_kᵀ). */
  v: Float64Array[];
  lastSign: number;
}

export function householderHaar(d: number, normal: () => number): HouseholderQ {
  const v: Float64Array[] = [];
  for (let k = 0; k < d - 1; k++) {
    const x = new Float64Array(d);
    let tail = 0;
    for (let i = k; i < d; i++) {
      x[i] = normal();
      if (i > k) tail += x[i]! * x[i]!;
    }
    const norm = Math.sqrt(x[k]! * x[k]! + tail);
    // Reflect x onto +‖x‖e_k (so R_kk > 0, Mezzadri's sign convention); x_k − ‖x‖ computed without cancellation.
    x[k] = x[k]! > 0 ? -tail / (x[k]! + norm) : x[k]! - norm;
    let vv = 0;
    for (let i = k; i < d; i++) vv += x[i]! * x[i]!;
    const scale = vv > 0 ? Math.sqrt(2 / vv) : 0;
    for (let i = k; i < d; i++) x[i]! *= scale;
    v.push(x);
  }
  return { d, v, lastSign: normal() >= 0 ? 1 : -1 };
}

function reflect(v: Float64Array, from: number, x: Float64Array, n: number): void {
  const d = v.length;
  const dot = new Float64Array(n);
  for (let i = from; i < d; i++) {
    const vi = v[i]!;
    if (vi === 0) continue;
    for (let j = 0; j < n; j++) dot[j]! += vi * x[i * n + j]!;
  }
  for (let i = from; i < d; i++) {
    const vi = v[i]!;
    if (vi === 0) continue;
    for (let j = 0; j < n; j++) x[i * n + j]! -= vi * dot[j]!;
  }
}

/** Q·X in place, X d×n row-major. */
export function applyQ(q: HouseholderQ, x: Float64Array, n: number): void {
  const d = q.d;
  for (let j = 0; j < n; j++) x[(d - 1) * n + j]! *= q.lastSign;
  for (let k = d - 2; k >= 0; k--) reflect(q.v[k]!, k, x, n);
}

/** Qᵀ·X in place. */
export function applyQt(q: HouseholderQ, x: Float64Array, n: number): void {
  const d = q.d;
  for (let k = 0; k < d - 1; k++) reflect(q.v[k]!, k, x, n);
  for (let j = 0; j < n; j++) x[(d - 1) * n + j]! *= q.lastSign;
}

export interface ProfileOptions extends SimulationOptions {
  /** Pre-activation gain of block ℓ (0-based); 1 when absent. */
  gain?: (layer: number) => number;
}

/**
 * ln ‖∂loss/∂W_ℓ‖²_F for ℓ = 0..L−1 of a float64 network X_{ℓ+1} = σ(α_ℓ·BN(W_ℓ X_ℓ)) at initialization, d×n
 * representations, loss ⟨R, X_L⟩ with a fixed Gaussian R (a linear readout; the rate in the bulk does not depend on the
 * head). Written independently of src/: explicit BN backward per row, ‖G Xᵀ‖² as tr((XᵀX)(GᵀG)).
 */
export function gradientProfile(o: ProfileOptions): Float64Array {
  const { width: d, batch: n, depth: L } = o;
  const normal = normalSource(o.seed);
  const gainOf = o.gain ?? (() => 1);
  const inputs: Float64Array[] = [];
  const normalized: Float64Array[] = [];
  const scales: Float64Array[] = [];
  const orth: HouseholderQ[] = [];
  const gauss: Float64Array[] = [];
  let x = Float64Array.from({ length: d * n }, () => normal());
  for (let l = 0; l < L; l++) {
    inputs.push(x);
    let h: Float64Array;
    if (o.init === 'orthogonal') {
      const q = householderHaar(d, normal);
      orth.push(q);
      h = Float64Array.from(x);
      applyQ(q, h, n);
    } else {
      const W = Float64Array.from({ length: d * d }, () => normal() / Math.sqrt(d));
      gauss.push(W);
      h = matmul(W, x, d, n);
    }
    const s = normalizeRows(h, d, n, o.centred);
    normalized.push(h);
    scales.push(s);
    const a = gainOf(l);
    x = h.map((u) => o.f(a * u));
  }
  let gx = Float64Array.from({ length: d * n }, () => normal());
  const out = new Float64Array(L);
  const gram = (m: Float64Array): Float64Array => {
    const g = new Float64Array(n * n);
    for (let i = 0; i < d; i++)
      for (let j = 0; j < n; j++) {
        const v = m[i * n + j]!;
        for (let k = j; k < n; k++) g[j * n + k]! += v * m[i * n + k]!;
      }
    for (let j = 0; j < n; j++) for (let k = 0; k < j; k++) g[j * n + k] = g[k * n + j]!;
    return g;
  };
  for (let l = L - 1; l >= 0; l--) {
    const nl = normalized[l]!;
    const s = scales[l]!;
    const a = gainOf(l);
    const gh = new Float64Array(d * n);
    for (let i = 0; i < d; i++) {
      let dot = 0;
      let mean = 0;
      for (let j = 0; j < n; j++) {
        const g = gx[i * n + j]! * a * o.df(a * nl[i * n + j]!);
        gh[i * n + j] = g;
        dot += g * nl[i * n + j]!;
        mean += g;
      }
      dot /= n;
      mean = o.centred ? mean / n : 0;
      for (let j = 0; j < n; j++) gh[i * n + j] = (gh[i * n + j]! - mean - dot * nl[i * n + j]!) / s[i]!;
    }
    const gg = gram(gh);
    const xx = gram(inputs[l]!);
    let sq = 0;
    for (let k = 0; k < n * n; k++) sq += gg[k]! * xx[k]!;
    out[l] = Math.log(sq);
    if (o.init === 'orthogonal') {
      applyQt(orth[l]!, gh, n);
      gx = gh;
    } else {
      gx = matmulTransposed(gauss[l]!, gh, d, n);
    }
  }
  return out;
}

/** −slope of the least-squares line through ys[from..to) against the index: the per-step log growth toward index 0. */
export function growthPerStep(ys: ArrayLike<number>, from = 0, to = ys.length): number {
  const m = to - from;
  let sl = 0;
  let sll = 0;
  let sy = 0;
  let sly = 0;
  for (let l = from; l < to; l++) {
    sl += l;
    sll += l * l;
    sy += ys[l]!;
    sly += l * ys[l]!;
  }
  return -(m * sly - sl * sy) / (m * sll - sl * sl);
}

/** ln λ measured as the mean over seeds of the bulk slope (middle 80% of the layers) of ln ‖∇W_ℓ‖², with its standard error. */
export function measureLnLambda(o: Omit<ProfileOptions, 'seed'>, seeds: readonly number[]): { mean: number; se: number } {
  const from = Math.floor(o.depth * 0.1);
  const to = Math.ceil(o.depth * 0.9);
  const values = seeds.map((seed) => growthPerStep(gradientProfile({ ...o, seed }), from, to));
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, values.length - 1);
  return { mean, se: Math.sqrt(variance / values.length) };
}

/**
 * Forward pass of an unnormalized residual MLP in float64: x_1 = σ(W_0 x_0), x_{ℓ+1} = x_ℓ + α·σ(W_ℓ x_ℓ), W_ℓ ~
 * N(0, w²/d), x_0 standard normal d×n. Returns ln(RMS x_L / RMS x_1) and the mean over samples of (feature mean)²/(mean
 * square) of x_L, the share of the component common to all features.
 */
export function residualForwardReference(o: {
  width: number;
  batch: number;
  depth: number;
  f: (x: number) => number;
  weightScale: number;
  alpha: number;
  seed: number;
}): { lnRmsGrowth: number; sharedFraction: number } {
  const { width: d, batch: n } = o;
  const normal = normalSource(o.seed);
  const sd = Math.sqrt(o.weightScale / d);
  const layer = (x: Float64Array): Float64Array => {
    const h = new Float64Array(d * n);
    for (let i = 0; i < d; i++)
      for (let k = 0; k < d; k++) {
        const w = normal() * sd;
        for (let j = 0; j < n; j++) h[i * n + j]! += w * x[k * n + j]!;
      }
    return h.map(o.f);
  };
  const meanSquare = (x: Float64Array): number => x.reduce((s, v) => s + v * v, 0) / x.length;
  let x = layer(Float64Array.from({ length: d * n }, () => normal()));
  const first = meanSquare(x);
  for (let l = 1; l < o.depth; l++) {
    const f = layer(x);
    for (let k = 0; k < x.length; k++) x[k]! += o.alpha * f[k]!;
  }
  let shared = 0;
  for (let j = 0; j < n; j++) {
    let mean = 0;
    let sq = 0;
    for (let i = 0; i < d; i++) {
      mean += x[i * n + j]!;
      sq += x[i * n + j]! ** 2;
    }
    mean /= d;
    shared += (mean * mean) / (sq / d) / n;
  }
  return { lnRmsGrowth: 0.5 * Math.log(meanSquare(x) / first), sharedFraction: shared };
}

/** W (d×d) times x (d×n), row-major. */
function matmul(W: Float64Array, x: Float64Array, d: number, n: number): Float64Array {
  const h = new Float64Array(d * n);
  for (let i = 0; i < d; i++)
    for (let k = 0; k < d; k++) {
      const w = W[i * d + k]!;
      for (let j = 0; j < n; j++) h[i * n + j]! += w * x[k * n + j]!;
    }
  return h;
}

/** Wᵀ (W d×d) times g (d×n), row-major: the backward step through a dense layer. */
function matmulTransposed(W: Float64Array, g: Float64Array, d: number, n: number): Float64Array<ArrayBuffer> {
  const out = new Float64Array(d * n);
  for (let i = 0; i < d; i++)
    for (let k = 0; k < d; k++) {
      const w = W[i * d + k]!;
      for (let j = 0; j < n; j++) out[k * n + j]! += w * g[i * n + j]!;
    }
  return out;
}

/** Batch normalization of each row of h (d×n) over the batch, in place (centred or not); returns the rows' scales. */
function normalizeRows(h: Float64Array, d: number, n: number, centred: boolean): Float64Array {
  const s = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let mean = 0;
    if (centred) {
      for (let j = 0; j < n; j++) mean += h[i * n + j]!;
      mean /= n;
    }
    let sq = 0;
    for (let j = 0; j < n; j++) {
      h[i * n + j]! -= mean;
      sq += h[i * n + j]! ** 2;
    }
    s[i] = Math.sqrt(sq / n);
    for (let j = 0; j < n; j++) h[i * n + j]! /= s[i]!;
  }
  return s;
}
