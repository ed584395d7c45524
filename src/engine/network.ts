// The network of a spec for one seed: the walk of Spec.model.layers, with every weight's random draws taken on the host in
// float64 from (seed, layer), so all backends start from the same numbers. Layout follows DESIGN §1: a representation is
// d×n (features × samples) and a dense layer computes Z = W X.
import type { Activation, InitKind, LayerSpec } from '../spec/types';
import { initWeight, readoutWeight } from './init';
import { Rng } from './rng';

export type HostOp =
  | { kind: 'dense'; index: number; fanIn: number; fanOut: number; init: InitKind; gain: number; path: string }
  | { kind: 'norm'; axis: NormAxis; center: boolean; eps: number; path: string }
  | { kind: 'activation'; fn: Activation; gain: number; slope: number; path: string }
  | { kind: 'residual'; alpha: number; body: HostOp[]; path: string };

export type DenseOp = HostOp & { kind: 'dense' };

/** 1: across the batch (batchnorm, per feature); 0: across features (layernorm, per sample). */
export type NormAxis = 0 | 1;

/**
 * The network of one seed. Weight matrices are not held here: W_ℓ is drawn from (seed, ℓ) when the pass reaches layer ℓ
 * (`denseWeight`, or ./weights on the device), so a 1000-layer network never sits on the host in float64 and its
 * initialization can be cancelled between layers.
 * Biases start at zero, so they change nothing at initialization and the diagnostic pass leaves them out.
 */
export interface HostNetwork {
  ops: HostOp[];
  seed: number;
  features: number;
  width: number;
  classes: number;
  /** Number of weight matrices W_0..W_{L-1} (readout excluded). */
  depth: number;
  /** classes × width, row-major. */
  readout: Float64Array;
  /** Spec path of each dense layer by index (for findings). */
  densePaths: string[];
}

export const READOUT_STREAM = 0;
/** Weight matrix W_ℓ draws from stream ℓ + 1 of the seed. */
export function weightStream(index: number): number {
  return index + 1;
}

/** W_ℓ (fanOut × fanIn, row-major) of a seed: the same numbers every time it is asked for. */
export function denseWeight(op: DenseOp, seed: number): Float64Array {
  return initWeight(op.init, op.fanOut, op.fanIn, op.gain, new Rng(seed, weightStream(op.index)));
}

const DEFAULT_LEAKY_SLOPE = 0.01;

/** Walks the expanded layer list. Throws on a residual body that changes the width. */
export function buildHostNetwork(layers: LayerSpec[], features: number, classes: number, seed: number): HostNetwork {
  const densePaths: string[] = [];
  let width = features;
  const walk = (specs: LayerSpec[]): HostOp[] =>
    specs.map((l): HostOp => {
      switch (l.kind) {
        case 'dense': {
          const index = densePaths.length;
          densePaths.push(l.path);
          const op: HostOp = { kind: 'dense', index, fanIn: width, fanOut: l.units, init: l.init, gain: l.gain, path: l.path };
          width = l.units;
          return op;
        }
        case 'batchnorm':
          return { kind: 'norm', axis: 1, center: l.center, eps: l.eps, path: l.path };
        case 'layernorm':
          return { kind: 'norm', axis: 0, center: l.center, eps: l.eps, path: l.path };
        case 'activation':
          return { kind: 'activation', fn: l.fn, gain: l.gain, slope: l.slope ?? DEFAULT_LEAKY_SLOPE, path: l.path };
        case 'residual': {
          const before = width;
          const body = walk(l.body);
          if (width !== before) throw new Error(`${l.path}: the residual body maps width ${before} to ${width}; it must keep the width`);
          return { kind: 'residual', alpha: l.alpha, body, path: l.path };
        }
      }
    });
  const ops = walk(layers);
  return {
    ops,
    seed,
    features,
    width,
    classes,
    depth: densePaths.length,
    readout: readoutWeight(classes, width, new Rng(seed, READOUT_STREAM)),
    densePaths,
  };
}
