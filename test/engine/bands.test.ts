// Long products and weight draws cut into bands with a pause between them (src/engine/bands.ts, weights.ts): the bands give
// the numbers of the whole product and draw (and Q's forming, block by block), each band is followed by a pause, and a
// cancel thrown by a pause frees every tensor the bands made.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor2D } from '@tensorflow/tfjs';
import { banded, bandedGram, BAND_FLOPS } from '../../src/engine/bands';
import { selectBackend } from '../../src/engine/backend';
import { CancelledError } from '../../src/engine/errors';
import { denseWeight, type DenseOp } from '../../src/engine/network';
import { denseWeightTensor } from '../../src/engine/weights';
import { Rng } from '../../src/engine/rng';
import { drawHouseholderFactors, formHouseholderProduct, formHouseholderProductOnDevice } from '../../src/engine/haar';

function randomMatrix(tf: Awaited<ReturnType<typeof selectBackend>>['tf'], rows: number, cols: number, seed: number): Tensor2D {
  const values = new Float32Array(rows * cols);
  new Rng(seed, 1).fillNormal(new Float64Array(rows * cols)).forEach((v, i) => (values[i] = v));
  return tf.tensor2d(values, [rows, cols]);
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

for (const name of ['wasm', 'cpu'] as const) {
  test(`${name}: a product and a Gram in bands of columns equal the whole ones, with a pause after every band`, async () => {
    const { tf } = await selectBackend(name);
    const w = randomMatrix(tf, 48, 40, 1);
    const x = randomMatrix(tf, 40, 37, 2);
    let pauses = 0;
    const pause = (): Promise<void> => ((pauses += 1), Promise.resolve());
    // flopsPerColumn sized so that each band holds 5 columns: 37 columns → 8 bands.
    const product = await banded(tf, x, BAND_FLOPS / 5, (band) => tf.matMul(w, band), pause);
    assert.equal(pauses, 8);
    assert.deepEqual(product.shape, [48, 37]);
    const whole = tf.matMul(w, x);
    assert.ok(maxAbsDiff(product.dataSync() as Float32Array, whole.dataSync() as Float32Array) < 1e-5);

    const before = tf.memory().numTensors;
    const gram = await bandedGram(tf, x, pause);
    assert.equal(tf.memory().numTensors, before + 1, 'the Gram is the only tensor left');
    const reference = tf.matMul(x, x, true, false);
    assert.ok(maxAbsDiff(gram.dataSync() as Float32Array, reference.dataSync() as Float32Array) < 1e-4);
    // A small product is one product, no pause.
    pauses = 0;
    tf.dispose(await banded(tf, x, 10, (band) => tf.matMul(w, band), pause));
    assert.equal(pauses, 0);
    tf.dispose([w, x, product, whole, gram, reference]);
  });

  test(`${name}: a cancel thrown between bands leaves no tensor behind`, async () => {
    const { tf } = await selectBackend(name);
    const w = randomMatrix(tf, 16, 16, 3);
    const x = randomMatrix(tf, 16, 20, 4);
    const before = tf.memory().numTensors;
    let pauses = 0;
    const pause = async (): Promise<void> => {
      if (++pauses === 3) throw new CancelledError();
    };
    await assert.rejects(banded(tf, x, BAND_FLOPS / 2, (band) => tf.matMul(w, band), pause), CancelledError);
    assert.equal(pauses, 3);
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([w, x]);
  });
}

test('a Gaussian weight drawn in bands (with pauses) is the float32 rounding of denseWeight, as W and as Wᵀ', async () => {
  const { tf } = await selectBackend('wasm');
  // 2048 × 1100 entries: three bands of 2^20 entries.
  const op: DenseOp = { kind: 'dense', index: 3, fanIn: 2048, fanOut: 1100, init: 'he', gain: 1.3, path: 'model.layers[3]' };
  const reference = Float32Array.from(denseWeight(op, 9));
  let pauses = 0;
  const pause = (): Promise<void> => ((pauses += 1), Promise.resolve());
  const w = await denseWeightTensor(tf, op, 9, false, undefined, pause);
  assert.equal(pauses, 2);
  assert.deepEqual(w.shape, [1100, 2048]);
  assert.equal(maxAbsDiff(w.dataSync() as Float32Array, reference), 0);
  const wT = await denseWeightTensor(tf, op, 9, true, undefined, pause);
  assert.deepEqual(wT.shape, [2048, 1100]);
  const t = wT.dataSync() as Float32Array;
  let mismatches = 0;
  for (let i = 0; i < 1100; i++) for (let j = 0; j < 2048; j++) if (t[j * 1100 + i] !== reference[i * 2048 + j]) mismatches++;
  assert.equal(mismatches, 0);
  tf.dispose([w, wT]);
});

test('forming an orthogonal Q pauses between its reflector blocks, and a cancel there frees every tensor', async () => {
  const { tf } = await selectBackend('wasm');
  const factors = drawHouseholderFactors(200, new Rng(4, 2));
  let pauses = 0;
  const q = await formHouseholderProductOnDevice(tf, factors, 1, 64, false, () => ((pauses += 1), Promise.resolve()));
  // 199 reflectors in blocks of 64: 4 blocks, a pause between consecutive ones.
  assert.equal(pauses, 3);
  const reference = Float32Array.from(formHouseholderProduct(factors));
  assert.ok(maxAbsDiff(q.dataSync() as Float32Array, reference) < 1e-5);
  q.dispose();
  const before = tf.memory().numTensors;
  const cancelAt = async (): Promise<void> => {
    throw new CancelledError();
  };
  await assert.rejects(formHouseholderProductOnDevice(tf, factors, 1, 64, false, cancelAt), CancelledError);
  assert.equal(tf.memory().numTensors, before);
});
