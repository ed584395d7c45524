// A block of a Haar weight's Householder reflectors drawn on the device: the WGSL twin of ../../haarDraw (Threefry-2x32-20,
// Box–Muller) and of ../../haar's householderFactorsOf, one workgroup per reflector. Reflector k = start + r fills row r of
// Vᵀ (count × (d − start)): zeros left of column r, then its d − k normals, normalised as QR's reflector
// v = (x − α e₀)/‖x − α e₀‖ with α = −sign(x₀)‖x‖ (the sign an integer test on the angle's quadrant, as on the host).
// ln and sin/cos are our own float32 evaluations (the WGSL spec allows sin/cos an absolute error of 2⁻¹¹ and ln 2⁻²¹ near 1),
// so each value is the host's float64 one to a few float32 roundings.
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { Gpu } from './bridge';
import { cacheOf, type Program } from './cache';
import { REFLECTOR_BLOCK } from './names';

const WORKGROUP = 256;

const THREEFRY_WGSL = `
fn rotl(x: u32, s: u32) -> u32 { return (x << s) | (x >> (32u - s)); }

// Threefry-2x32, 20 rounds (Random123): five groups of four rounds, each followed by a key injection.
fn threefry2x32(k0: u32, k1: u32, c0: u32, c1: u32) -> vec2<u32> {
  var ks = array<u32, 3>(k0, k1, 0x1bd11bdau ^ k0 ^ k1);
  var x0 = c0 + k0;
  var x1 = c1 + k1;
  for (var g = 0u; g < 5u; g = g + 1u) {
    let even = (g & 1u) == 0u;
    x0 = x0 + x1; x1 = rotl(x1, select(17u, 13u, even)) ^ x0;
    x0 = x0 + x1; x1 = rotl(x1, select(29u, 15u, even)) ^ x0;
    x0 = x0 + x1; x1 = rotl(x1, select(16u, 26u, even)) ^ x0;
    x0 = x0 + x1; x1 = rotl(x1, select(24u, 6u, even)) ^ x0;
    let s = g + 1u;
    x0 = x0 + ks[s % 3u];
    x1 = x1 + ks[(s + 1u) % 3u] + s;
  }
  return vec2<u32>(x0, x1);
}

// ln u for u in (0, 1]: u = m·2^e with m in [√½, √2), ln m = 2 atanh(s), s = (m − 1)/(m + 1), |s| ≤ 0.172 (series to s¹¹).
fn lnAccurate(u: f32) -> f32 {
  let fe = frexp(u);
  var m = fe.fract;
  var e = f32(fe.exp);
  if (m < 0.70710677) {
    m = m * 2.0;
    e = e - 1.0;
  }
  let s = (m - 1.0) / (m + 1.0);
  let s2 = s * s;
  let tail = s2 * (0.6666667 + s2 * (0.4 + s2 * (0.2857143 + s2 * (0.22222222 + s2 * 0.18181819))));
  return e * 0.6931472 + (2.0 * s + s * tail);
}

// Normal i of reflector k: Box–Muller on the pair ⌊i/2⌋, cos for even i, sin for odd. The angle 2πu₂ is split exactly into
// its quarter turn q and φ in (0, π/2), where Taylor series to x¹¹ / x¹² are accurate to 6e-8.
fn reflectorNormal(k0: u32, k1: u32, k: u32, i: u32) -> f32 {
  let w = threefry2x32(k0, k1, k, i >> 1u);
  let u1 = (f32(w.x >> 8u) + 0.5) * 5.9604645e-8;
  let r = sqrt(-2.0 * lnAccurate(u1));
  let b24 = w.y >> 8u;
  let phi = (f32(b24 & 0x3fffffu) + 0.5) * 2.3841858e-7 * 1.5707964;
  let p2 = phi * phi;
  let sn = phi * (1.0 + p2 * (-0.16666667 + p2 * (0.008333334 + p2 * (-0.0001984127 + p2 * (0.0000027557319 + p2 * -0.000000025052108)))));
  let cs = 1.0 + p2 * (-0.5 + p2 * (0.041666668 + p2 * (-0.0013888889 + p2 * (0.0000248016 + p2 * (-0.00000027557319 + p2 * 0.0000000020876757)))));
  let q = b24 >> 22u;
  var c = cs;
  var s = sn;
  if (q == 1u) { c = -sn; s = cs; }
  if (q == 2u) { c = -cs; s = -sn; }
  if (q == 3u) { c = sn; s = -cs; }
  return r * select(s, c, (i & 1u) == 0u);
}

// sign(normal 0 of reflector k) from its quarter turn: an integer test, the same on the host.
fn firstNormalPositive(k0: u32, k1: u32, k: u32) -> bool {
  let q = threefry2x32(k0, k1, k, 0u).y >> 30u;
  return q == 0u || q == 3u;
}
`;

const SHADER = `
const WG = ${WORKGROUP}u;
struct Params { d: u32, start: u32, count: u32 }
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> key: array<f32>;
@group(0) @binding(2) var<storage, read_write> vt: array<f32>;
var<workgroup> partial: array<f32, ${WORKGROUP}>;
${THREEFRY_WGSL}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  // The key arrives as four 16-bit halves (exact in float32) in a tensor: it changes with every weight, and a uniform
  // rewritten per call would be overwritten before the queued dispatches that read it run.
  let k0 = (u32(key[0]) << 16u) | u32(key[1]);
  let k1 = (u32(key[2]) << 16u) | u32(key[3]);
  let r = wid.x;
  let k = params.start + r;
  let m = params.d - params.start;
  let len = params.d - k;
  let row = r * m;
  for (var j = li; j < r; j = j + WG) {
    vt[row + j] = 0.0;
  }
  var s = 0.0;
  for (var i = li; i < len; i = i + WG) {
    let x = reflectorNormal(k0, k1, k, i);
    vt[row + r + i] = x;
    s = s + x * x;
  }
  partial[li] = s;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
    if (li < stride) {
      partial[li] = partial[li] + partial[li + stride];
    }
    workgroupBarrier();
  }
  let norm2 = partial[0];
  let x0 = reflectorNormal(k0, k1, k, 0u);
  let alpha = select(sqrt(norm2), -sqrt(norm2), firstNormalPositive(k0, k1, k));
  let inv = 1.0 / sqrt(2.0 * (norm2 + abs(alpha * x0)));
  for (var i = li; i < len; i = i + WG) {
    vt[row + r + i] = (vt[row + r + i] - select(0.0, alpha, i == 0u)) * inv;
  }
}
`;

interface Plan {
  program: Program;
  uniform: GPUBuffer;
}

/** The tensor values of a key for REFLECTOR_BLOCK: its two uint32 as four 16-bit halves. */
export function reflectorKeyValues(key: readonly [number, number]): Float32Array {
  return new Float32Array([key[0] >>> 16, key[0] & 0xffff, key[1] >>> 16, key[1] & 0xffff]);
}

/** Inputs {key} (reflectorKeyValues), attributes {d, start, count}: Vᵀ of reflectors start … start+count−1, [count, d − start]. */
export const reflectorBlockKernel: KernelFunc = ({ inputs, attrs, backend }) => {
  const { d, start, count } = attrs as unknown as { d: number; start: number; count: number };
  const key = inputs.key as TensorInfo;
  if (!(Number.isInteger(d) && Number.isInteger(start) && Number.isInteger(count) && count >= 1 && start >= 0 && start + count <= d - 1)) {
    throw new Error(`DepthLens WebGPU reflectors: block ${start}+${count} does not fit size ${d}`);
  }
  if (key.shape.length !== 1 || key.shape[0] !== 4) throw new Error(`DepthLens WebGPU reflectors: the key must have 4 halves, got [${key.shape}]`);
  const gpu = new Gpu(backend);
  const cache = cacheOf(gpu.device);
  const plan = cache.plan(`${REFLECTOR_BLOCK}|${d}|${start}|${count}`, (): Plan => ({
    program: cache.program(REFLECTOR_BLOCK, ['uniform', 'read', 'write'], () => SHADER),
    uniform: cache.uniform([{ u32: d }, { u32: start }, { u32: count }]),
  }));
  const k = gpu.input(key);
  const vt = gpu.output([count, d - start]);
  gpu.dispatch(plan.program.pipeline, cache.bindGroup(plan.program, [plan.uniform, k, vt.buffer]), count, 1);
  return vt.info;
};
