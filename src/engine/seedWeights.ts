// W_ℓ of every seed of a batched pass (./seedBatch) as one operator on the stacked representation: [S·fanIn, n] →
// [S·fanOut, n]. Each seed's W_ℓ is drawn exactly as the one-seed pass draws it (./weights, from its own seed); matrices
// are stacked as [S, fanOut, fanIn] and applied by one batched product, while a weight kept factored (wide orthogonal
// layers on CPU backends) is applied seed by seed to its rows.
import type { Tensor, Tensor2D, Tensor3D } from '@tensorflow/tfjs';
import type { Tf } from './backend';
import type { Pause } from './bands';
import type { HouseholderFactors } from './haar';
import { onBundledWasm } from './kernels/wasm/heap';
import type { DenseOp } from './network';
import { denseWeightTensor, deviceWeight, staysFactored, usesHouseholderFactors, type DeviceWeight, type WeightForm, type WeightUse } from './weights';

/** W_ℓ's Householder factors for one seed (drawn ahead by the pass), or undefined where the weight does not use them. */
export type FactorsOf = (seed: number) => Promise<HouseholderFactors> | undefined;

export async function seedBatchWeight(
  tf: Tf,
  op: DenseOp,
  seeds: readonly number[],
  use: WeightUse,
  form: WeightForm,
  factorsOf: FactorsOf,
  pause: Pause,
): Promise<DeviceWeight> {
  if (seeds.length === 1) return deviceWeight(tf, op, seeds[0], use, form, await factorsOf(seeds[0]), pause);
  if (staysFactored(tf, op, form)) {
    const perSeed: DeviceWeight[] = [];
    for (const seed of seeds) perSeed.push(await deviceWeight(tf, op, seed, use, form, await factorsOf(seed), pause));
    const each = (x: Tensor2D, f: (w: DeviceWeight, rows: Tensor2D) => Tensor2D): Tensor2D =>
      tf.tidy(() => tf.concat(tf.split(x, seeds.length, 0).map((rows, s) => f(perSeed[s], rows as Tensor2D)), 0));
    return {
      apply: (x) => each(x, (w, rows) => w.apply(rows)),
      applyTransposed: (g) => each(g, (w, rows) => w.applyTransposed(rows)),
      tensors: perSeed.flatMap((w) => w.tensors),
    };
  }
  const stacked = async (transposed: boolean): Promise<Tensor3D> => {
    const parts: Tensor2D[] = [];
    try {
      for (const seed of seeds) {
        const factors = usesHouseholderFactors(tf, op) ? await factorsOf(seed) : undefined;
        parts.push(await denseWeightTensor(tf, op, seed, transposed, factors, pause));
      }
      return tf.stack(parts) as Tensor3D;
    } finally {
      for (const p of parts) p.dispose();
    }
  };
  const S = seeds.length;
  const product = (m: Tensor3D, x: Tensor2D, transposeM: boolean): Tensor2D =>
    tf.tidy(() => {
      const rows = transposeM ? m.shape[2] : m.shape[1];
      const inner = transposeM ? m.shape[1] : m.shape[2];
      const columns = x.shape[1];
      return tf.reshape(tf.matMul(m, tf.reshape(x, [S, inner, columns]) as Tensor3D, transposeM, false), [S * rows, columns]) as Tensor2D;
    });
  const unavailable = (what: string) => (): never => {
    throw new Error(`internal: ${what} asked of a weight made for the ${use} pass`);
  };
  if (use === 'forward') {
    const w = await stacked(false);
    return { apply: (x) => product(w, x, false), applyTransposed: unavailable('Wᵀ·G'), tensors: [w] };
  }
  const wT = await stacked(true);
  if (use === 'backward') return { apply: unavailable('W·X'), applyTransposed: (g) => product(wT, g, false), tensors: [wT] };
  // As for one seed: only wasm pays for a transposed operand, elsewhere Wᵀ alone serves both products.
  if (!onBundledWasm(tf)) return { apply: (x) => product(wT, x, true), applyTransposed: (g) => product(wT, g, false), tensors: [wT] };
  const w = tf.transpose(wT, [0, 2, 1]) as Tensor3D;
  const tensors: Tensor[] = [w, wT];
  return { apply: (x) => product(w, x, false), applyTransposed: (g) => product(wT, g, false), tensors };
}
