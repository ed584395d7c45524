// The fused normalization and rescale kernels (wasm heap, small tensors) and the composite ops (every other case) against
// a float64 host reference, on both layouts, centred or not, and on the edge values of the rescale.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import { selectBackend } from '../../src/engine/backend';
import { FUSED_MAX_ELEMENTS, normBackward, normForward, rescaleByMaxAbs, type NormShape } from '../../src/engine/ops';
import { Rng } from '../../src/engine/rng';
import { normReference } from './normReference';

/** Row-major r×c values of N(mean, 1). */
function values(r: number, c: number, seed: number, mean = 0): Float64Array {
  const v = new Rng(seed).fillNormal(new Float64Array(r * c));
  for (let i = 0; i < v.length; i++) v[i] += mean;
  return v;
}

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d / Math.max(scale, 1e-30);
}

for (const backendName of ['wasm', 'cpu'] as const) {
  test(`${backendName}: normalization forward and backward match the float64 reference (both axes, centred or not)`, async () => {
    const { tf } = await selectBackend(backendName);
    const before = tf.memory().numTensors;
    // 32×16 and 40×100 are fused on wasm; 100×100 is past FUSED_MAX_ELEMENTS and takes the composite ops.
    for (const [r, c] of [[32, 16], [40, 100], [100, 100]] as const) {
      assert.equal(r * c <= FUSED_MAX_ELEMENTS, r * c < 10_000);
      for (const norm of [{ axis: 1, center: false }, { axis: 1, center: true }, { axis: 0, center: true }] as NormShape[]) {
        for (const eps of [0, 1e-3]) {
          const xv = values(r, c, r + c, 0.5);
          const gv = values(r, c, 7 * r + c);
          const ref = normReference(xv, gv, r, c, norm, eps);
          const x = tf.tensor2d(Float32Array.from(xv), [r, c]) as Tensor2D;
          const g = tf.tensor2d(Float32Array.from(gv), [r, c]) as Tensor2D;
          const [y, inv] = normForward(tf, x, norm, eps);
          const dx = normBackward(tf, g, y, inv, norm);
          const label = `${r}×${c} axis ${norm.axis} centre ${norm.center} eps ${eps}`;
          assert.deepEqual(inv.shape, norm.axis === 1 ? [r, 1] : [1, c], label);
          assert.ok(maxRelDiff(y.dataSync(), ref.y) < 1e-5, `y, ${label}: ${maxRelDiff(y.dataSync(), ref.y)}`);
          assert.ok(maxRelDiff(inv.dataSync(), ref.inv) < 1e-5, `inv, ${label}`);
          assert.ok(maxRelDiff(dx.dataSync(), ref.dx) < 1e-5, `dx, ${label}: ${maxRelDiff(dx.dataSync(), ref.dx)}`);
          for (const t of [x, g, y, inv, dx] as Tensor[]) t.dispose();
        }
      }
    }
    assert.equal(tf.memory().numTensors, before);
  });

  test(`${backendName}: the rescale divides by max|g| and logs it; zero, NaN and ∞ behave`, async () => {
    const { tf } = await selectBackend(backendName);
    const run = (v: number[]): { scaled: Float32Array; log: number } => {
      const g = tf.tensor2d(Float32Array.from(v), [2, v.length / 2]) as Tensor2D;
      const [s, l] = rescaleByMaxAbs(tf, g, 1e-30);
      const out = { scaled: s.dataSync() as Float32Array, log: l.dataSync()[0] };
      for (const t of [g, s, l] as Tensor[]) t.dispose();
      return out;
    };
    const a = run([1, -8, 2, 4]);
    assert.deepEqual([...a.scaled], [0.125, -1, 0.25, 0.5]);
    assert.ok(Math.abs(a.log - Math.log(8)) < 1e-6);
    const zero = run([0, 0, 0, 0]);
    assert.deepEqual([...zero.scaled], [0, 0, 0, 0]);
    assert.equal(zero.log, -Infinity);
    assert.ok(Number.isNaN(run([1, NaN, 2, 3]).log));
    assert.equal(run([1, Infinity, 2, 3]).log, Infinity);
  });
}

test('on wasm the small tensors go through the fused kernels, the large ones through tfjs ops', async () => {
  const { tf } = await selectBackend('wasm');
  const small = tf.ones([32, 16]) as Tensor2D;
  const large = tf.ones([128, 128]) as Tensor2D;
  const kernelsOf = async (x: Tensor2D): Promise<string[]> => {
    const p = await tf.profile(() => {
      const [y, inv] = normForward(tf, x, { axis: 1, center: false }, 0);
      const [s, l] = rescaleByMaxAbs(tf, y, 1e-30);
      for (const t of [y, inv, s, l]) t.dispose();
    });
    return p.kernelNames;
  };
  assert.deepEqual(await kernelsOf(small), ['DepthLensNormForward', 'DepthLensRescale']);
  assert.ok(!(await kernelsOf(large)).some((k) => k.startsWith('DepthLens')));
  small.dispose();
  large.dispose();
});
