// Shared helpers of the engine tests: layer lists written out by hand (independent of the spec parser) and test batches.
import type { Activation, InitKind, LayerSpec } from '../../src/spec/types';
import { Rng } from '../../src/engine/rng';

export interface BlockOptions {
  depth: number;
  width: number;
  init?: InitKind;
  gain?: number;
  norm?: 'batchnorm' | 'layernorm' | 'none';
  center?: boolean;
  eps?: number;
  order?: 'linear-norm-act' | 'norm-linear-act' | 'linear-act-norm';
  activation?: Activation;
  /** α_ℓ = ℓ^(−exponent) */
  shaping?: number;
  residualAlpha?: number;
  bias?: boolean;
}

/** The compact model form written out: block ℓ = 1..L, residual blocks for ℓ ≥ 2 when residualAlpha is given. */
export function blocks(o: BlockOptions): LayerSpec[] {
  const out: LayerSpec[] = [];
  for (let l = 1; l <= o.depth; l++) {
    const path = `model.layers[${l - 1}]`;
    const dense: LayerSpec = { kind: 'dense', units: o.width, init: o.init ?? 'orthogonal', gain: o.gain ?? 1, bias: o.bias ?? false, path };
    const normKind = o.norm ?? 'batchnorm';
    const norm: LayerSpec[] =
      normKind === 'none' ? [] : [{ kind: normKind, center: o.center ?? true, eps: o.eps ?? 0, path } as LayerSpec];
    const act: LayerSpec = { kind: 'activation', fn: o.activation ?? 'identity', gain: o.shaping ? l ** -o.shaping : 1, path };
    const order = o.order ?? 'linear-norm-act';
    const block =
      order === 'linear-norm-act' ? [dense, ...norm, act] : order === 'norm-linear-act' ? [...norm, dense, act] : [dense, act, ...norm];
    if (o.residualAlpha !== undefined && l >= 2) out.push({ kind: 'residual', alpha: o.residualAlpha, learnable: false, body: block, path });
    else out.push(...block);
  }
  return out;
}

/** n Gaussian samples of dimension features, row-major, with uniform labels. */
export function gaussianBatch(n: number, features: number, classes: number, seed: number): { x: Float64Array; labels: Int32Array } {
  const rng = new Rng(seed, 0x7e57);
  const x = rng.fillNormal(new Float64Array(n * features));
  const labels = Int32Array.from({ length: n }, () => rng.int(classes));
  return { x, labels };
}
