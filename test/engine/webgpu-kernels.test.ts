// The WebGPU kernels (src/engine/kernels/webgpu) against float64 host references: normalization forward and backward on
// both axes, centred or not, many shapes; the rescale and its NaN/Inf/zero cases; every activation and its derivative.
// Needs a WebGPU adapter: on a machine without a GPU, SwiftShader's Vulkan driver
// (VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json). Without one the tests skip, and fail under CI.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs';
import { ACTIVATIONS, type Activation } from '../../src/spec/types';
import { SELU_ALPHA, SELU_LAMBDA } from '../../src/engine/activations';
import type { Tf } from '../../src/engine/backend';
import type { NormShape } from '../../src/engine/ops';
import {
  ACTIVATION_BACKWARD,
  ACTIVATION_FORWARD,
  NORM_BACKWARD,
  NORM_FORWARD,
  registerWebGpuKernels,
  RESCALE,
} from '../../src/engine/kernels/webgpu';
import { Rng } from '../../src/engine/rng';
import { normReference } from './normReference';
import { webgpuBackend } from './webgpu';

/** tfjs on the webgpu backend with the kernels registered, or (outside CI) null after marking the test skipped. */
async function webgpu(t: TestContext): Promise<Tf | null> {
  const b = await webgpuBackend(t);
  if (!b) return null;
  registerWebGpuKernels();
  return b.tf;
}

/** Runs `f` and fails on any WebGPU validation or out-of-memory error it caused (those do not throw in JS). */
async function noGpuErrors<T>(tf: Tf, f: () => Promise<T>): Promise<T> {
  const device = (tf.backend() as unknown as { device: GPUDevice }).device;
  device.pushErrorScope('validation');
  device.pushErrorScope('out-of-memory');
  const result = await f();
  const oom = await device.popErrorScope();
  const validation = await device.popErrorScope();
  assert.equal(validation?.message ?? null, null, 'WebGPU validation error');
  assert.equal(oom?.message ?? null, null, 'WebGPU out-of-memory error');
  return result;
}

/** Row-major r×c values of N(mean, std²), rounded to float32. */
function values(r: number, c: number, seed: number, mean = 0, std = 1): Float32Array {
  const v = new Rng(seed).fillNormal(new Float64Array(r * c), std);
  return Float32Array.from(v, (x) => x + mean);
}

async function read(t: Tensor): Promise<Float32Array> {
  return (await t.data()) as Float32Array;
}

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d / Math.max(scale, 1e-30);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d; // NaN when any difference is NaN
}

/** max |inv_k · g_i| over the elements of a normalization's groups. */
function termScale(g: Float32Array, inv: Float64Array, c: number, axis: 0 | 1): number {
  let m = 0;
  for (let i = 0; i < g.length; i++) m = Math.max(m, Math.abs(g[i] * inv[axis === 1 ? Math.floor(i / c) : i % c]));
  return Math.max(m, 1e-30);
}


const NORM_SHAPES: [number, number][] = [
  [1, 1],
  [1, 7],
  [7, 1],
  [1, 300],
  [300, 1],
  [5, 3],
  [37, 129],
  [128, 32],
  [33, 1000],
  [1000, 33],
  [513, 17],
  [2050, 8],
];
const NORMS: NormShape[] = [
  { axis: 1, center: false },
  { axis: 1, center: true },
  { axis: 0, center: false },
  { axis: 0, center: true },
];

test('webgpu: normalization forward and backward match the float64 reference (both axes, centred or not, eps 0 and ≠ 0)', async (t) => {
  const tf = await webgpu(t);
  if (!tf) return;
  const before = tf.memory().numTensors;
  let checked = 0;
  await noGpuErrors(tf, async () => {
    for (const [r, c] of NORM_SHAPES) {
      for (const norm of NORMS) {
        for (const eps of [0, 1e-3]) {
          const size = norm.axis === 1 ? c : r;
          // A centred group of one is exactly zero: with eps 0 both sides are 0·∞ = NaN, nothing to compare.
          if (size === 1 && norm.center && eps === 0) continue;
          const xv = values(r, c, 3 * r + c, 0.5, 2);
          const gv = values(r, c, 7 * r + c);
          const ref = normReference(xv, gv, r, c, norm, eps);
          const label = `${r}×${c} axis ${norm.axis} centre ${norm.center} eps ${eps}`;
          const x = tf.tensor2d(xv, [r, c]);
          const g = tf.tensor2d(gv, [r, c]);
          const [y, inv] = tf.engine().runKernel(NORM_FORWARD, { x }, { ...norm, eps }) as unknown as [Tensor2D, Tensor2D];
          const dx = tf.engine().runKernel(NORM_BACKWARD, { g, y, inv }, { ...norm }) as Tensor2D;
          assert.deepEqual(y.shape, [r, c], label);
          assert.deepEqual(inv.shape, norm.axis === 1 ? [r, 1] : [1, c], label);
          assert.deepEqual(dx.shape, [r, c], label);
          const [yv, invv, dxv] = await Promise.all([read(y), read(inv), read(dx)]);
          assert.ok(maxRelDiff(yv, ref.y) < 1e-5, `y, ${label}: ${maxRelDiff(yv, ref.y)}`);
          assert.ok(maxRelDiff(invv, ref.inv) < 1e-5, `inv, ${label}: ${maxRelDiff(invv, ref.inv)}`);
          // dx is a difference of terms of size inv·g (nearly cancelling in a group of one): the error is measured against those.
          const dxErr = maxAbsDiff(dxv, ref.dx) / termScale(gv, ref.inv, c, norm.axis);
          assert.ok(dxErr < 1e-5, `dx, ${label}: ${dxErr}`);
          for (const v of [x, g, y, inv, dx]) v.dispose();
          checked++;
        }
      }
    }
  });
  assert.equal(checked, NORM_SHAPES.length * NORMS.length * 2 - 6);
  assert.equal(tf.memory().numTensors, before);
});

test('webgpu: the kernels interleave with tfjs ops, and inputs disposed before the submit stay valid', async (t) => {
  const tf = await webgpu(t);
  if (!tf) return;
  const r = 64;
  const c = 48;
  const xv = values(r, c, 11);
  const ref = normReference(Float32Array.from(xv, (v) => Math.fround(v * 3)), new Float32Array(r * c), r, c, { axis: 0, center: true }, 0);
  const outs = await noGpuErrors(tf, async () => {
    const results: Float32Array[] = [];
    for (let rep = 0; rep < 40; rep++) {
      const base = tf.tensor2d(xv, [r, c]);
      const x = tf.mul(base, tf.scalar(3)) as Tensor2D; // written by a tfjs program in the same pending command buffer
      base.dispose();
      const [y, inv] = tf.engine().runKernel(NORM_FORWARD, { x }, { axis: 0, center: true, eps: 0 }) as unknown as [Tensor2D, Tensor2D];
      x.dispose(); // its buffer must not be handed out again before the dispatch that reads it is submitted
      const z = tf.add(y, tf.zerosLike(y)); // a tfjs program reading our output
      for (let k = 0; k < 3; k++) tf.dispose(tf.mul(tf.ones([r, c]), tf.scalar(k)));
      results.push(await read(z));
      tf.dispose([y, inv, z]);
    }
    return results;
  });
  for (const o of outs) assert.ok(maxRelDiff(o, ref.y) < 1e-5, `y: ${maxRelDiff(o, ref.y)}`);
});

/** Runs the rescale kernel on row-major values of shape [r, c]. */
async function rescale(tf: Tf, v: Float32Array, r: number, c: number): Promise<{ scaled: Float32Array; log: number }> {
  const g = tf.tensor2d(v, [r, c]);
  const [s, l] = tf.engine().runKernel(RESCALE, { g }, { tiny: 1e-30 }) as unknown as [Tensor2D, Scalar];
  assert.deepEqual(s.shape, [r, c]);
  assert.deepEqual(l.shape, []);
  const out = { scaled: await read(s), log: (await read(l))[0] };
  tf.dispose([g, s, l]);
  return out;
}

// One workgroup up to 16 384 elements, two dispatches past that: every case on both paths.
const RESCALE_SHAPES: [number, number][] = [
  [1, 1],
  [3, 5],
  [128, 128],
  [130, 200],
  [1000, 300],
];

test('webgpu: the rescale divides by max|g| and logs it (one- and two-dispatch sizes)', async (t) => {
  const tf = await webgpu(t);
  if (!tf) return;
  const before = tf.memory().numTensors;
  await noGpuErrors(tf, async () => {
    const exact = await rescale(tf, Float32Array.from([1, -8, 2, 4]), 2, 2);
    assert.deepEqual([...exact.scaled], [0.125, -1, 0.25, 0.5]);
    assert.ok(Math.abs(exact.log - Math.log(8)) < 1e-6);
    for (const [r, c] of RESCALE_SHAPES) {
      for (const scale of [1e-20, 1, 1e20]) {
        const v = values(r, c, r * 7 + c, 0, scale);
        // The largest magnitude in the last element, negative: the reduction must reach the end and use |g|.
        let max = 0;
        for (const a of v) max = Math.max(max, Math.abs(a));
        max = Math.fround(2 * max);
        v[v.length - 1] = -max;
        const { scaled, log } = await rescale(tf, v, r, c);
        const label = `${r}×${c} scale ${scale}`;
        assert.ok(Math.abs(log - Math.log(max)) <= 1e-6 * Math.abs(Math.log(max)) + 1e-6, `log, ${label}: ${log} vs ${Math.log(max)}`);
        assert.ok(maxRelDiff(scaled, Array.from(v, (a) => a / max)) < 1e-6, `scaled, ${label}`);
        assert.ok(Math.abs(scaled[scaled.length - 1] + 1) <= 2 ** -23, `${label}: ${scaled[scaled.length - 1]}`);
      }
    }
  });
  assert.equal(tf.memory().numTensors, before);
});

test('webgpu: the rescale of all-zero, NaN, +Inf and −Inf signals (one- and two-dispatch sizes)', async (t) => {
  const tf = await webgpu(t);
  if (!tf) return;
  await noGpuErrors(tf, async () => {
    for (const [r, c] of RESCALE_SHAPES) {
      const n = r * c;
      const label = `${r}×${c}`;
      const zero = await rescale(tf, new Float32Array(n), r, c);
      assert.ok(zero.scaled.every((v) => v === 0), `zero stays zero, ${label}`);
      assert.equal(zero.log, -Infinity, `zero logs −∞, ${label}`);

      const withNaN = values(r, c, n);
      withNaN[n - 1] = NaN;
      const nan = await rescale(tf, withNaN, r, c);
      assert.ok(Number.isNaN(nan.log), `NaN log scale, ${label}: ${nan.log}`);
      assert.ok(nan.scaled.every(Number.isNaN), `NaN everywhere, ${label}`);

      // NaN anywhere wins over ±Inf anywhere.
      const both = values(r, c, n + 1);
      both[0] = Infinity;
      both[Math.floor(n / 2)] = NaN;
      assert.ok(Number.isNaN((await rescale(tf, both, r, c)).log), `NaN and Inf, ${label}`);

      for (const inf of [Infinity, -Infinity]) {
        const withInf = values(r, c, n + 2);
        const at = Math.floor(n / 3);
        withInf[at] = inf;
        const out = await rescale(tf, withInf, r, c);
        assert.equal(out.log, Infinity, `${inf} logs +∞, ${label}`);
        // g · (1/∞): NaN where g is infinite, zero elsewhere.
        out.scaled.forEach((v, i) => assert.ok(i === at ? Number.isNaN(v) : v === 0, `${inf}: scaled[${i}] = ${v}, ${label}`));
      }
    }
    // A subnormal largest magnitude still logs its own value (the GPU may flush subnormal arithmetic to zero).
    const sub = await rescale(tf, Float32Array.from([1e-40, -3e-41]), 1, 2);
    assert.ok(Math.abs(sub.log - Math.log(Math.fround(1e-40))) < 1e-4, `subnormal log ${sub.log}`);
  });
});

// ---------- activations ----------

/** erfc(z) in float64: the Maclaurin series of erf below 3, a continued fraction above. */
function erfc64(z: number): number {
  if (z < 0) return 2 - erfc64(-z);
  if (z < 3) {
    let term = z;
    let sum = z;
    for (let n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= (-z * z) / n;
      sum += term / (2 * n + 1);
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  let f = z;
  for (let k = 80; k >= 1; k--) f = z + k / 2 / f;
  return Math.exp(-z * z) / Math.sqrt(Math.PI) / f;
}

const normalCdf64 = (u: number): number => 0.5 * erfc64(-u / Math.SQRT2);

/** σ and σ′ in float64, as src/engine/activations.ts defines them. */
function activation64(fn: Activation, u: number, slope: number): [number, number] {
  switch (fn) {
    case 'identity':
      return [u, 1];
    case 'tanh':
      return [Math.tanh(u), 1 - Math.tanh(u) ** 2];
    case 'sin':
      return [Math.sin(u), Math.cos(u)];
    case 'relu':
      return [u > 0 ? u : 0, u > 0 ? 1 : 0];
    case 'leaky-relu':
      return [u > 0 ? u : slope * u, u > 0 ? 1 : slope];
    case 'gelu':
      return [u * normalCdf64(u), normalCdf64(u) + (u * Math.exp(-0.5 * u * u)) / Math.sqrt(2 * Math.PI)];
    case 'selu':
      return [SELU_LAMBDA * (u > 0 ? u : SELU_ALPHA * Math.expm1(u)), SELU_LAMBDA * (u > 0 ? 1 : SELU_ALPHA * Math.exp(u))];
    case 'sigmoid': {
      const s = 1 / (1 + Math.exp(-u));
      return [s, s * (1 - s)];
    }
  }
}

/** Edge inputs (before the gain): zero, tiny, the small-argument branches' borders, the tails. */
const EDGES = [0, -0, 1e-6, -1e-6, 1e-3, -1e-3, 0.2, -0.2, 0.25, -0.26, 0.5, -0.55, 0.8, -0.8, 2, -2, 4.5, -4.5, 7, -7, 12, -12, 30, -30, 60, -60];

test('webgpu: every activation and its derivative, with gain ≠ 1, against float64', async (t) => {
  const tf = await webgpu(t);
  if (!tf) return;
  const before = tf.memory().numTensors;
  await noGpuErrors(tf, async () => {
    for (const [r, c] of [
      [1, EDGES.length],
      [EDGES.length, 1],
      [37, 53],
      [300, 301],
    ] as [number, number][]) {
      const xv = values(r, c, r + 5 * c, 0, 3);
      xv.set(EDGES.slice(0, xv.length));
      const gv = values(r, c, 9 * r + c);
      for (const fn of ACTIVATIONS) {
        for (const [gain, slope] of [
          [1.7, 0.2],
          [0.45, 0.01],
          [1, 0.1],
        ]) {
          const label = `${fn} gain ${gain} slope ${slope}, ${r}×${c}`;
          const x = tf.tensor2d(xv, [r, c]);
          const g = tf.tensor2d(gv, [r, c]);
          const attrs = { fn, gain, slope };
          const y = tf.engine().runKernel(ACTIVATION_FORWARD, { x }, attrs) as Tensor2D;
          const dx = tf.engine().runKernel(ACTIVATION_BACKWARD, { g, x }, attrs) as Tensor2D;
          assert.deepEqual(y.shape, [r, c]);
          assert.deepEqual(dx.shape, [r, c]);
          const [yv, dxv] = await Promise.all([read(y), read(dx)]);
          // The kernel computes u = f32(gain)·x in float32 (correctly rounded): the reference starts from the same u.
          const gain32 = Math.fround(gain);
          // |err| < 1e-6, relative to the value where it exceeds 1 (float32 itself carries 6e-8 relative); NaN fails.
          const worst = { y: -1, dx: -1, yAt: 0, dxAt: 0 };
          const expected = { y: 0, dx: 0 };
          for (let i = 0; i < xv.length; i++) {
            const u = Math.fround(gain32 * xv[i]);
            const [s, ds] = activation64(fn, u, Math.fround(slope));
            const dref = gv[i] * gain32 * ds;
            const ey = Math.abs(yv[i] - s) / Math.max(1, Math.abs(s));
            const ed = Math.abs(dxv[i] - dref) / Math.max(1, Math.abs(dref));
            if (!(ey <= worst.y)) {
              worst.y = ey;
              worst.yAt = i;
              expected.y = s;
            }
            if (!(ed <= worst.dx)) {
              worst.dx = ed;
              worst.dxAt = i;
              expected.dx = dref;
            }
          }
          assert.ok(worst.y < 1e-6, `σ, ${label}: x ${xv[worst.yAt]} → ${yv[worst.yAt]}, expected ${expected.y}`);
          assert.ok(worst.dx < 1e-6, `σ′, ${label}: x ${xv[worst.dxAt]} g ${gv[worst.dxAt]} → ${dxv[worst.dxAt]}, expected ${expected.dx}`);
          tf.dispose([x, g, y, dx]);
        }
      }
    }
  });
  assert.equal(tf.memory().numTensors, before);
});

test('webgpu: kernel registration is idempotent and bad attributes are refused', async (t) => {
  const tf = await webgpu(t);
  if (!tf) return;
  registerWebGpuKernels();
  registerWebGpuKernels();
  for (const name of [NORM_FORWARD, NORM_BACKWARD, RESCALE, ACTIVATION_FORWARD, ACTIVATION_BACKWARD]) {
    assert.ok(tf.getKernel(name, 'webgpu'), name);
  }
  const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
  assert.throws(() => tf.engine().runKernel(NORM_FORWARD, { x }, { axis: 2, center: true, eps: 0 }), /axis must be 0 or 1/);
  assert.throws(() => tf.engine().runKernel(ACTIVATION_FORWARD, { x }, { fn: 'swish', gain: 1, slope: 0 }), /unknown fn swish/);
  assert.throws(() => tf.engine().runKernel(RESCALE, { g: x }, { tiny: 0 }), /tiny must be a number > 0/);
  x.dispose();
});
