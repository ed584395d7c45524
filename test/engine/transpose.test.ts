// The wasm heap transpose against tfjs's own transpose, on shapes around its 32-wide tiles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor2D } from '@tensorflow/tfjs';
import { selectBackend } from '../../src/engine/backend';
import { transpose2d, transposeInto } from '../../src/engine/kernels/wasm/transpose';

const SHAPES: [number, number][] = [[1, 1], [1, 70], [70, 1], [31, 33], [32, 32], [64, 512], [512, 64], [100, 100], [3, 257]];

for (const backendName of ['wasm', 'cpu'] as const) {
  test(`${backendName}: transpose2d equals tf.transpose on every shape, and leaks nothing`, async () => {
    const { tf } = await selectBackend(backendName);
    const before = tf.memory().numTensors;
    for (const [r, c] of SHAPES) {
      const x = tf.tensor2d(Float32Array.from({ length: r * c }, (_, k) => Math.sin(k) * 1e3 + k), [r, c]) as Tensor2D;
      const ours = transpose2d(tf, x);
      const theirs = tf.transpose(x);
      assert.deepEqual(ours.shape, [c, r]);
      assert.deepEqual(ours.dataSync(), theirs.dataSync(), `${r}×${c}`);
      for (const t of [x, ours, theirs]) t.dispose();
    }
    // On wasm the heap kernel runs for large tensors; small ones, and other backends, keep tfjs's Transpose.
    for (const [shape, wasmKernel] of [[[512, 64], 'DepthLensTranspose2D'], [[4, 3], 'Transpose']] as const) {
      const x = tf.ones([...shape]) as Tensor2D;
      const profile = await tf.profile(() => transpose2d(tf, x));
      x.dispose();
      (profile.result as Tensor2D).dispose();
      assert.deepEqual(profile.kernelNames, [backendName === 'wasm' ? wasmKernel : 'Transpose'], shape.join('×'));
    }
    assert.equal(tf.memory().numTensors, before);
  });
}

test('transposeInto writes the row-major transpose', () => {
  const a = Float32Array.from([1, 2, 3, 4, 5, 6]); // 2×3
  const out = new Float32Array(6);
  transposeInto(a, out, 2, 3);
  assert.deepEqual([...out], [1, 4, 2, 5, 3, 6]);
});
