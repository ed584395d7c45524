// The Haar init formed on webgpu (src/engine/haar.ts with the compact-WY factor kernel of kernels/webgpu/wyFactor.ts), from
// reflectors drawn on the host or drawn on the device (kernels/webgpu/reflectors.ts, from the weight's key alone): equal
// to the float64 host product of the same draws, orthogonal, and formed with no download at all (every read of the
// backend is counted while forming). Needs a WebGPU adapter: SwiftShader on a machine with no GPU.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor2D } from '@tensorflow/tfjs';
import { drawHouseholderFactors, formHouseholderProduct, formHouseholderProductOnDevice, householderFactorsOf } from '../../src/engine/haar';
import { haarDraw } from '../../src/engine/haarDraw';
import { Rng } from '../../src/engine/rng';
import { webgpuBackend } from './webgpu';

/** Counts the backend's reads (async and sync) while `f` runs; the backend's own methods do the work. */
async function countingReads<T>(backend: object, f: () => Promise<T>): Promise<{ value: T; reads: number }> {
  const b = backend as { read: (...a: unknown[]) => unknown; readSync: (...a: unknown[]) => unknown; readToGPU?: (...a: unknown[]) => unknown };
  let reads = 0;
  const originals = { read: b.read, readSync: b.readSync, readToGPU: b.readToGPU };
  b.read = (...a) => ((reads += 1), originals.read.apply(b, a));
  b.readSync = (...a) => ((reads += 1), originals.readSync.apply(b, a));
  if (originals.readToGPU) b.readToGPU = (...a) => ((reads += 1), originals.readToGPU!.apply(b, a));
  try {
    const value = await f();
    return { value, reads };
  } finally {
    b.read = originals.read;
    b.readSync = originals.readSync;
    if (originals.readToGPU) b.readToGPU = originals.readToGPU;
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/** max |QᵀQ − I| in float64 over a float32 Q. */
function orthogonalityError(q: ArrayLike<number>, d: number): number {
  let worst = 0;
  for (let a = 0; a < d; a++)
    for (let b = a; b < d; b++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += q[i * d + a] * q[i * d + b];
      worst = Math.max(worst, Math.abs(s - (a === b ? 1 : 0)));
    }
  return worst;
}

for (const drawn of ['on the host', 'on the device'] as const)
test(`webgpu: W formed on the device (reflectors drawn ${drawn}) equals the float64 host product, is orthogonal, and downloads nothing`, async (t) => {
  const backend = await webgpuBackend(t);
  if (!backend) return;
  const { tf } = backend;
  const before = tf.memory().numTensors;
  for (const d of [64, 100, 130, 256]) {
    const draw = haarDraw(d, new Rng(41, d));
    const f = householderFactorsOf(draw);
    const source = drawn === 'on the host' ? f : draw;
    const host = formHouseholderProduct(f, 1);
    const { value: q, reads } = await countingReads(tf.backend(), () => formHouseholderProductOnDevice(tf, source, 1));
    const { value: qT, reads: readsT } = await countingReads(tf.backend(), () => formHouseholderProductOnDevice(tf, source, 1, undefined, true));
    assert.equal(reads, 0, `d = ${d}: forming W downloaded ${reads} times`);
    assert.equal(readsT, 0, `d = ${d}: forming Wᵀ downloaded ${readsT} times`);
    assert.deepEqual(q.shape, [d, d]);
    const device = (await q.data()) as Float32Array;
    const deviceT = (await (qT as Tensor2D).data()) as Float32Array;
    q.dispose();
    qT.dispose();
    // float32 products of ~d/64 compact-WY blocks; entries of Q are ~1/√d.
    const err = maxAbsDiff(host, device);
    assert.ok(err < 5e-6, `d = ${d}: |W_webgpu − W_host| = ${err}`);
    const hostT = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) hostT[j * d + i] = host[i * d + j];
    assert.ok(maxAbsDiff(hostT, deviceT) < 5e-6, `d = ${d}: Wᵀ`);
    const orth = orthogonalityError(device, d);
    assert.ok(orth < 1e-5, `d = ${d}: |WᵀW − I| = ${orth}`);
  }
  assert.equal(tf.memory().numTensors, before, 'the device formation leaks no tensors');
});

test('webgpu: partial, single-reflector and wide blocks (block sizes 1, 7, 64, 130; the factor kernel’s rows past its 64 invocations)', async (t) => {
  const backend = await webgpuBackend(t);
  if (!backend) return;
  const { tf } = backend;
  for (const [d, block] of [[2, 64], [9, 7], [65, 64], [20, 1], [150, 130]] as const) {
    const f = drawHouseholderFactors(d, new Rng(5, d));
    const host = formHouseholderProduct(f, 1.5);
    for (const source of [f, haarDraw(d, new Rng(5, d))]) {
      const q = await formHouseholderProductOnDevice(tf, source, 1.5, block);
      const device = (await q.data()) as Float32Array;
      q.dispose();
      const what = 'vectors' in source ? 'host-drawn' : 'device-drawn';
      assert.ok(maxAbsDiff(host, device) < 5e-6, `d = ${d}, block = ${block}, ${what}: ${maxAbsDiff(host, device)}`);
    }
  }
});
