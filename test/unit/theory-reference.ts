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
    const h = new Float64Array(d * n);
    for (let i = 0; i < d; i++)
      for (let k = 0; k < d; k++) {
        const w = W[i * d + k]!;
        for (let j = 0; j < n; j++) h[i * n + j]! += w * x[k * n + j]!;
      }
    const s = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      let mean = 0;
      if (o.centred) {
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
    const W = weights[l]!;
    const next = new Float64Array(d * n);
    for (let i = 0; i < d; i++)
      for (let k = 0; k < d; k++) {
        const w = W[i * d + k]!;
        for (let j = 0; j < n; j++) next[k * n + j]! += w * gh[i * n + j]!;
      }
    gx = next;
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
