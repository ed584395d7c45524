// What the theory needs to know about a spec's network, read once per Spec (compact or explicit form).
import type { InitKind, LayerSpec, Spec } from '../spec/types';
import type { SpecPath } from '../shared/findings';
import { activation, type ActivationFunction } from './activations';

/** Source paths findings attach to, for each concern (a repeated template counts once). */
export interface NetworkPaths {
  /** "model.init", or the `init` keys of the non-orthogonal dense layers ("model.layers[0].dense.init"). */
  init: SpecPath[];
  /** "model.activation", or the explicit activation entries ("model.layers[2].activation"). */
  activation: SpecPath[];
  /** "model.residual", or the explicit residual entries ("model.layers[1].residual"). */
  residual: SpecPath[];
}

export interface NetworkFacts {
  /** L: number of weight matrices W_0..W_{L−1}. */
  depth: number;
  /** Backward steps between ∇W_{L−1} and ∇W_0: L − 1. */
  steps: number;
  act: ActivationFunction;
  /** Pre-activation gain α_ℓ of block ℓ = 1..L (index ℓ − 1); 1 where no shaping applies. */
  gains: Float64Array;
  /** True when some gain differs from 1. */
  shaped: boolean;
  paths: NetworkPaths;
}

const factsCache = new WeakMap<Spec, NetworkFacts>();

/** Cached per Spec object: the explicit form can expand to 10⁶ layers, walked once. */
export function networkFacts(spec: Spec): NetworkFacts {
  let facts = factsCache.get(spec);
  if (!facts) {
    facts = computeFacts(spec);
    factsCache.set(spec, facts);
  }
  return facts;
}

function computeFacts(spec: Spec): NetworkFacts {
  const m = spec.model;
  const depth = Math.max(1, m.depth);
  const gains = new Float64Array(depth).fill(1);
  let paths: NetworkPaths;
  if (m.form === 'compact') {
    // The compact expansion gives block ℓ the gain ℓ^−k; no need to walk the expanded list.
    if (m.shaping) for (let l = 0; l < depth; l++) gains[l] = Math.pow(l + 1, -m.shaping.exponent);
    paths = { init: ['model.init'], activation: ['model.activation'], residual: ['model.residual'] };
  } else {
    paths = walkExplicit(m.layers, gains);
  }
  let shaped = false;
  for (const g of gains) if (g !== 1) shaped = true;
  return { depth, steps: depth - 1, act: activation(m.activation, m.leakySlope), gains, shaped, paths };
}

/** One depth-first pass over the expanded list: activation gains in network order, and the distinct source paths. */
function walkExplicit(layers: readonly LayerSpec[], gains: Float64Array): NetworkPaths {
  const dense = new Set<SpecPath>();
  const act = new Set<SpecPath>();
  const residual = new Set<SpecPath>();
  let next = 0;
  const visit = (list: readonly LayerSpec[]): void => {
    for (const l of list) {
      switch (l.kind) {
        case 'dense':
          if (l.init !== 'orthogonal') dense.add(l.path);
          break;
        case 'activation':
          if (next < gains.length) gains[next++] = l.gain;
          act.add(l.path);
          break;
        case 'residual':
          residual.add(l.path);
          visit(l.body);
          break;
        default:
          break;
      }
    }
  };
  visit(layers);
  return { init: [...dense].map((p) => `${p}.init`), activation: [...act], residual: [...residual] };
}

/** Weight variance × fan_in (square layers): the per-layer second-moment gain w² of the init scheme. */
export function weightScale(init: InitKind, gain: number): number {
  return (init === 'he' ? 2 : 1) * gain * gain;
}
