// The same network at another depth (depth sweep) or capped size (quick runs).
import type { ModelSpec, Spec } from '../spec/types';
import { expandCompact } from '../spec';
import type { LayerSpec } from '../spec/types';

/**
 * `spec` with the model at `depth` (and, for the compact form, `width`). The compact form is re-expanded, so depth-dependent
 * settings (residual α = 1/√depth) follow. The explicit `layers:` form can only be cut: it keeps the blocks of its first
 * `depth` weights and returns null when asked for more weights than it has, or for another width.
 */
export function resizeSpec(spec: Spec, depth: number, width: number = spec.model.width): Spec | null {
  const m = spec.model;
  if (depth === m.depth && width === m.width) return spec;
  if (m.form === 'compact') return { ...spec, model: reexpand(m, depth, width) };
  if (depth > m.depth || width !== m.width) return null;
  const layers = truncate(m.layers, depth);
  return { ...spec, model: { ...m, depth, layers } };
}

function reexpand(m: ModelSpec, depth: number, width: number): ModelSpec {
  return expandCompact({
    depth,
    width,
    init: m.init,
    'init-gain': m.initGain,
    norm: m.norm,
    center: m.center,
    eps: m.eps,
    order: m.order,
    activation: m.activation,
    'leaky-slope': m.leakySlope,
    shaping: m.shaping ? { exponent: m.shaping.exponent } : undefined,
    residual: m.residual ? { alpha: m.residual.alphaExpr ?? m.residual.alpha, learnable: m.residual.learnable } : undefined,
    bias: m.bias,
  });
}

function denseCount(l: LayerSpec): number {
  return l.kind === 'dense' ? 1 : l.kind === 'residual' ? l.body.reduce((s, b) => s + denseCount(b), 0) : 0;
}

/** Top-level items up to the one holding weight number `depth`, plus the non-weight items that close its block. */
function truncate(layers: LayerSpec[], depth: number): LayerSpec[] {
  const out: LayerSpec[] = [];
  let count = 0;
  for (const l of layers) {
    const c = denseCount(l);
    if (count >= depth && c > 0) break;
    if (count + c > depth) break;
    out.push(l);
    count += c;
  }
  // When blocks open with a norm (norm-linear-act), a trailing norm belongs to the next, cut-off block.
  const isNorm = (l: LayerSpec | undefined): boolean => l?.kind === 'batchnorm' || l?.kind === 'layernorm';
  if (isNorm(layers[0])) while (isNorm(out[out.length - 1])) out.pop();
  return out;
}
