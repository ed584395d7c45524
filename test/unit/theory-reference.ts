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
