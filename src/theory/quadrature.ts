// Gaussian expectations E[f(z)], z ~ N(0,1), in float64.
// Smooth integrands: Gauss–Hermite with the probabilists' weight (exact for polynomials of degree < 2n).
// Integrands with kinks (ReLU, SELU, ...): composite Gauss–Legendre with panel edges on the kinks, because
// Gauss–Hermite converges only algebraically across a kink.

export interface QuadratureRule {
  nodes: Float64Array;
  weights: Float64Array;
}

const hermiteCache = new Map<number, QuadratureRule>();

/**
 * n-point Gauss–Hermite rule for the standard normal density: Σ wᵢ f(xᵢ) ≈ E[f(z)], Σ wᵢ = 1.
 * Nodes are the eigenvalues of the Jacobi matrix of the probabilists' Hermite polynomials (zero diagonal,
 * off-diagonal √k), found by Sturm-sequence bisection and polished by Newton; weights by the Christoffel formula
 * wᵢ = 1 / Σ_{k<n} ĥ_k(xᵢ)² with orthonormal ĥ_k, which never overflows (no factorials).
 */
export function gaussHermite(n: number): QuadratureRule {
  if (!Number.isInteger(n) || n < 1 || n > 400) throw new RangeError(`gaussHermite: n must be an integer in 1..400, got ${n}`);
  const cached = hermiteCache.get(n);
  if (cached) return cached;
  const offDiagonalSquared = new Float64Array(n);
  for (let k = 1; k < n; k++) offDiagonalSquared[k] = k;
  const bound = 2 * Math.sqrt(n) + 1; // Gershgorin: |x| ≤ 2·max √k
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let x = bisectEigenvalue(offDiagonalSquared, n, i, -bound, bound);
    x = newtonPolish(x, n);
    nodes[i] = x;
    weights[i] = 1 / orthonormalHermiteSquareSum(x, n);
  }
  const rule = { nodes, weights };
  hermiteCache.set(n, rule);
  return rule;
}

/** Number of eigenvalues below x of the symmetric tridiagonal matrix with zero diagonal (Sturm count). */
function eigenvaluesBelow(offDiagonalSquared: Float64Array, n: number, x: number): number {
  let count = 0;
  let d = -x;
  if (d < 0) count++;
  for (let k = 1; k < n; k++) {
    const prev = d === 0 ? Number.MIN_VALUE : d;
    d = -x - offDiagonalSquared[k]! / prev;
    if (d < 0) count++;
  }
  return count;
}

/** The i-th smallest eigenvalue (0-based) by bisection on the Sturm count. */
function bisectEigenvalue(offDiagonalSquared: Float64Array, n: number, i: number, lo: number, hi: number): number {
  for (let iter = 0; iter < 200 && hi - lo > 1e-14 * Math.max(1, Math.abs(lo) + Math.abs(hi)); iter++) {
    const mid = 0.5 * (lo + hi);
    if (eigenvaluesBelow(offDiagonalSquared, n, mid) > i) hi = mid;
    else lo = mid;
  }
  return 0.5 * (lo + hi);
}

/** ĥ_n(x) and ĥ_{n-1}(x) for the orthonormal probabilists' Hermite polynomials ĥ_k = He_k / √(k!). */
function orthonormalHermite(x: number, n: number): [number, number] {
  let prev = 0;
  let cur = 1;
  for (let k = 0; k < n; k++) {
    const next = (x * cur - Math.sqrt(k) * prev) / Math.sqrt(k + 1);
    prev = cur;
    cur = next;
  }
  return [cur, prev];
}

function newtonPolish(x: number, n: number): number {
  for (let iter = 0; iter < 3; iter++) {
    const [p, q] = orthonormalHermite(x, n);
    const derivative = Math.sqrt(n) * q; // ĥ_n' = √n ĥ_{n−1}
    if (derivative === 0) break;
    const step = p / derivative;
    x -= step;
    if (Math.abs(step) < 1e-16 * Math.max(1, Math.abs(x))) break;
  }
  return x;
}

function orthonormalHermiteSquareSum(x: number, n: number): number {
  let prev = 0;
  let cur = 1;
  let sum = 1;
  for (let k = 0; k < n - 1; k++) {
    const next = (x * cur - Math.sqrt(k) * prev) / Math.sqrt(k + 1);
    prev = cur;
    cur = next;
    sum += cur * cur;
  }
  return sum;
}

const legendreCache = new Map<number, QuadratureRule>();

/** n-point Gauss–Legendre rule on [−1, 1] (Newton on the Legendre recurrence from Chebyshev-like starting points). */
export function gaussLegendre(n: number): QuadratureRule {
  if (!Number.isInteger(n) || n < 1 || n > 400) throw new RangeError(`gaussLegendre: n must be an integer in 1..400, got ${n}`);
  const cached = legendreCache.get(n);
  if (cached) return cached;
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let derivative = 1;
    for (let iter = 0; iter < 100; iter++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      if (n === 1) p0 = 1;
      derivative = (n * (x * p1 - p0)) / (x * x - 1);
      const step = p1 / derivative;
      x -= step;
      if (Math.abs(step) < 1e-16) break;
    }
    nodes[n - 1 - i] = x;
    weights[n - 1 - i] = 2 / ((1 - x * x) * derivative * derivative);
  }
  const rule = { nodes, weights };
  legendreCache.set(n, rule);
  return rule;
}

export interface ExpectationOptions {
  /** Points where f or its derivative jumps; the piecewise rule puts panel edges there. */
  kinks?: readonly number[];
  /** Gauss–Hermite order for smooth integrands (default 96). */
  order?: number;
  /**
   * 'panels' forces the composite rule even without kinks: for integrands with complex poles near the real axis
   * (tanh, sigmoid at large gain) Gauss–Hermite converges only slowly.
   */
  rule?: 'hermite' | 'panels';
}

export const DEFAULT_HERMITE_ORDER = 96;
/** Beyond ±TAIL the normal density is below 1e-27: negligible against float64 for integrands of polynomial growth. */
const TAIL = 11;
const PANEL_WIDTH = 1;
const PANEL_ORDER = 12;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** E[f(z)] for z ~ N(0,1). */
export function expectNormal(f: (z: number) => number, options: ExpectationOptions = {}): number {
  let sum = 0;
  forEachNormalNode(options, (z, w) => {
    sum += w * f(z);
  });
  return sum;
}

/**
 * Visits the nodes z and weights w of the rule expectNormal uses, so several expectations can share one pass:
 * Σ w·f(z) ≈ E[f(z)].
 */
export function forEachNormalNode(options: ExpectationOptions, visit: (z: number, w: number) => void): void {
  const kinks = (options.kinks ?? []).filter((k) => Math.abs(k) < TAIL);
  if (kinks.length === 0 && options.rule !== 'panels') {
    const { nodes, weights } = gaussHermite(options.order ?? DEFAULT_HERMITE_ORDER);
    for (let i = 0; i < nodes.length; i++) visit(nodes[i]!, weights[i]!);
    return;
  }
  const edges = [-TAIL, ...[...kinks].sort((a, b) => a - b), TAIL];
  const { nodes, weights } = gaussLegendre(PANEL_ORDER);
  for (let s = 0; s + 1 < edges.length; s++) {
    const a = edges[s]!;
    const b = edges[s + 1]!;
    const panels = Math.max(1, Math.ceil((b - a) / PANEL_WIDTH));
    const h = (b - a) / panels;
    for (let p = 0; p < panels; p++) {
      const centre = a + (p + 0.5) * h;
      for (let i = 0; i < nodes.length; i++) {
        const z = centre + 0.5 * h * nodes[i]!;
        visit(z, 0.5 * h * weights[i]! * INV_SQRT_2PI * Math.exp(-0.5 * z * z));
      }
    }
  }
}
