// What a hover on a spec key says: the theory behind the key and this spec's predicted numbers. Pure (no vscode import).
import { lambdaInfinity, lambdaLinearBN, lambdaOrthogonalBN, predict } from '../theory/index';
import type { Spec } from '../spec/types';
import type { SpecPath } from '../shared/findings';
import type { TheoryPrediction } from '../theory/types';
import { factorText, lambdaText, ordersText } from '../shared/numberText';
import { THEORY_BASIS_TEXT } from '../shared/theoryText';

const THEORY: Record<string, string> = {
  init:
    'With batch normalization and **Gaussian** weights the squared gradient norm grows by a factor λ per layer going toward the ' +
    'input, whatever the weight variance (Yang et al. 2019). **Haar-orthogonal** weights with a linear activation keep log gradient ' +
    'norms bounded independently of depth and make the isometry gap decay (Meterez et al. 2024; proven for batch = width).',
  norm:
    'Batch normalization standardizes each feature across the batch. It makes Gaussian-initialized deep networks explode by λ per ' +
    'layer in the squared gradient norm; orthogonal weights avoid this for linear activations.',
  center:
    'Mean reduction of batch normalization. For a linear network with Gaussian weights λ = (B−2)/(B−3) with centring and ' +
    '(B−1)/(B−2) without (B = batch size).',
  eps: 'Added to the batch variance before the square root; 0 is the setting the theory analyses.',
  activation:
    'For large batches λ∞ = E[σ′(z)²] / Var[σ(z)], z ~ N(0,1): ReLU π/(π−1) ≈ 1.4669, tanh ≈ 1.1778, sin coth(1) ≈ 1.3130, ' +
    'identity 1. Centred activations with σ(0)=0, σ′(0)=1 (tanh, sin) can be tamed by activation shaping; ReLU is positively ' +
    'homogeneous, so a pre-activation gain does nothing for it.',
  shaping:
    'Activation shaping multiplies layer ℓ\'s pre-activation by α_ℓ = ℓ^−k. The excess per-layer gradient growth shrinks like ' +
    'α_ℓ⁴, so the total stays bounded iff 4k > 1 (k > 0.25); k = 0.4 is the paper\'s choice.',
  exponent: 'The shaping exponent k in α_ℓ = ℓ^−k. The total gradient growth is bounded iff k > 0.25.',
  residual:
    'x_{ℓ+1} = x_ℓ + α·f(x_ℓ). With BN in the branch Var(x_ℓ) grows like ℓ, down-weighting the branch by ~1/√ℓ; without ' +
    'normalization and α = 1, He init doubles the variance per block. SkipInit (α = 0, or ≤ 1/√L) trains very deep networks ' +
    'without normalization (De & Smith 2020).',
  alpha: 'The residual branch weight α. 0 (SkipInit) or ≤ 1/√depth keeps the variance bounded without normalization.',
  batch:
    'B, the batch over which BN normalizes. B ≤ 3 makes λ infinite for a linear network; small B gives a large λ. The orthogonal ' +
    'bound is proven for B = width; below it orthogonal + BN grows by λ ≈ 1 + (1 − x)/(n − 2) + x(1 − x)/(4d) per layer ' +
    '(x = n/d, n = B, or B − 1 centred), an empirical law measured in float64, not a theorem. With B > width the Gram matrix is singular, the isometry gap ' +
    'infinite, and the theory has no prediction.',
  features: 'Input dimension of the synthetic data (the first weight matrix maps it to the width).',
  width:
    'd, the width of every hidden layer. The orthogonal bound is proven for batch = width; with batch B < d the gradient grows ' +
    'by λ ≈ 1 + (1 − B/d)/(B − 2) per layer (measured law).',
  depth: 'L, the number of weight matrices before the readout. Predicted growth compounds over L layers.',
  source:
    'How the input batch is made. A degenerate batch (repeated samples, rank-deficient data) has an infinite isometry gap: the ' +
    'gradient bound is void.',
  order: 'Where BN and the activation sit in each block; the theory is stated for linear → BN → activation.',
  seeds: 'Independent initializations per run; results show the mean and the spread.',
  depths: 'A depth sweep: the gradient norm of the first hidden layer measured at each depth.',
  'grad-growth-per-layer': 'Per-layer gradient growth factor above which DepthLens warns.',
  'grad-log10-range': 'Orders of magnitude of gradient growth across the network above which DepthLens warns.',
};


/** The last key name of a spec path: "model.layers[2].dense.init" → "init". */
export function keyName(path: SpecPath): string {
  const last = path.split('.').pop() ?? path;
  return last.replace(/\[\d+\]$/, '');
}

function predictionLines(p: TheoryPrediction, spec: Spec): string[] {
  const L = spec.model.depth;
  return [
    `**This spec** (${THEORY_BASIS_TEXT[p.basis]}):`,
    `- λ (squared gradient norm, per layer) = ${lambdaText(p.lambda)}`,
    `- ‖∇W‖ grows ${factorText(p.perLayer)} per layer toward the input`,
    `- ≈ ${ordersText(p.log10Range)} of magnitude over ${L} layers (the spec's depth)`,
  ];
}

function keySpecificLines(key: string, spec: Spec): string[] {
  const B = spec.data.batch;
  if (key === 'batch' || key === 'center' || key === 'width') {
    const d = spec.model.width;
    const lines = [`- linear + BN, Gaussian weights, B = ${B}: λ = ${lambdaText(lambdaLinearBN(B, true))} centred, ${lambdaText(lambdaLinearBN(B, false))} uncentred`];
    const orthogonal = lambdaOrthogonalBN(B, d, spec.model.center);
    if (spec.model.init === 'orthogonal') {
      lines.push(
        Number.isNaN(orthogonal)
          ? `- orthogonal + BN, B = ${B} > d = ${d}: degenerate batch, no prediction`
          : `- orthogonal + BN, B = ${B}, d = ${d}: λ = ${lambdaText(orthogonal)} per layer` +
              (B === d && !spec.model.center ? ' (bounded: proven)' : ' (empirical law; batch = width removes it)'),
      );
    }
    return lines;
  }
  if (key === 'activation') return [`- λ∞(${spec.model.activation}) = ${lambdaText(lambdaInfinity(spec.model.activation))}`];
  return [];
}

/** Markdown for a hover on the key at `path`, or undefined for keys without an explanation. */
export function hoverMarkdown(path: SpecPath, spec: Spec | undefined): string | undefined {
  const key = keyName(path);
  const theory = THEORY[key];
  if (!theory) return undefined;
  const parts = [`**${path}** — ${theory}`];
  if (spec) {
    parts.push([...predictionLines(predict(spec), spec), ...keySpecificLines(key, spec)].join('\n'));
  }
  return parts.join('\n\n');
}
