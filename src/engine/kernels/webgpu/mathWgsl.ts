// WGSL float32 functions with accuracy the WebGPU spec does not promise from builtins (it allows sin/cos an absolute error
// of 2⁻¹¹, and has no erf or expm1): small-argument series, Cody–Waite range reduction, and erfc in the form of Numerical
// Recipes' erfcc (relative error < 1.2e-7 everywhere).
import { SELU_ALPHA, SELU_LAMBDA } from '../../activations';

export const MATH_WGSL = `
const SELU_LAMBDA = ${SELU_LAMBDA};
const SELU_ALPHA = ${SELU_ALPHA};
const INV_SQRT2 = 0.7071067811865476;
const INV_SQRT_2PI = 0.3989422804014327;

// e^x − 1 without the cancellation of exp(x) − 1 near 0 (Taylor to x⁹ below |x| = 0.5: error < 3e-10 relative).
fn expm1(x: f32) -> f32 {
  if (abs(x) < 0.5) {
    return x * (1.0 + x * (0.5 + x * (0.16666667 + x * (0.041666668 + x * (0.008333334 + x * (0.0013888889 + x * (0.0001984127 + x * (0.0000248016 + x * 0.0000027557319))))))));
  }
  return exp(x) - 1.0;
}

fn tanhAccurate(u: f32) -> f32 {
  let e = expm1(-2.0 * abs(u));
  return sign(u) * (-e / (2.0 + e));
}

// tanh′ = sech² = 4e/(1 + e)² with e = exp(−2|u|): no cancellation where tanh is near ±1.
fn tanhDerivative(u: f32) -> f32 {
  let e = exp(-2.0 * abs(u));
  return 4.0 * e / ((1.0 + e) * (1.0 + e));
}

fn sigmoidAccurate(u: f32) -> f32 {
  let e = exp(-abs(u));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), u >= 0.0);
}

fn sigmoidDerivative(u: f32) -> f32 {
  let e = exp(-abs(u));
  return e / ((1.0 + e) * (1.0 + e));
}

// (sin u, cos u): u − q·π/2 in three parts (exact products for |q| < 2¹⁵), then Cephes' sinf/cosf polynomials on [−π/4, π/4].
fn sinCos(u: f32) -> vec2<f32> {
  let q = round(u * 0.63661975);
  let r = ((u - q * 1.5703125) - q * 4.837512969970703125e-4) - q * 7.54978995489188216e-8;
  let z = r * r;
  let s = r + r * z * (-1.6666654611e-1 + z * (8.3321608736e-3 + z * -1.9515295891e-4));
  let c = 1.0 - 0.5 * z + z * z * (4.166664568298827e-2 + z * (-1.388731625493765e-3 + z * 2.443315711809948e-5));
  let quadrant = i32(q) & 3;
  if (quadrant == 0) {
    return vec2<f32>(s, c);
  }
  if (quadrant == 1) {
    return vec2<f32>(c, -s);
  }
  if (quadrant == 2) {
    return vec2<f32>(-s, -c);
  }
  return vec2<f32>(-c, s);
}

// erfc(z) for z ≥ 0.
fn erfcNonNegative(z: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.5 * z);
  let p = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return t * exp(p - z * z);
}

// Φ(u) = (1 + erf(u/√2))/2, relative accuracy kept in the lower tail.
fn normalCdf(u: f32) -> f32 {
  let half = 0.5 * erfcNonNegative(abs(u) * INV_SQRT2);
  return select(half, 1.0 - half, u >= 0.0);
}
`;
