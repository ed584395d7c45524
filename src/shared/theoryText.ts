// What each theory basis means, in words: internal ids such as "orthogonal-linear-bounded" are never shown to users.
import type { TheoryBasis } from '../theory/types';

export const THEORY_BASIS_TEXT: Record<TheoryBasis, string> = {
  'gaussian-bn-linear-centred': 'Gaussian weights, BN with centring, linear: λ = (B−2)/(B−3)',
  'gaussian-bn-linear-uncentred': 'Gaussian weights, BN without centring, linear: λ = (B−1)/(B−2)',
  'gaussian-bn-large-batch': 'Gaussian weights + BN, large batch: λ∞ = E[σ′²]/Var σ',
  'orthogonal-linear-bounded': 'orthogonal weights + BN, linear, batch = width: bounded, depth-independent (proven)',
  'orthogonal-bn-finite-batch':
    'orthogonal weights + BN, batch ≠ width: λ ≈ 1 + (1 − x)/(n − 2) + x(1 − x)/(4d), x = n/d, n = B (B − 1 centred) — an empirical law fitted to float64 measurements, not a theorem',
  'orthogonal-nonlinear': 'orthogonal weights + BN, unshaped non-linearity: λ∞ times the finite-batch factor',
  shaped: 'activation shaping: bounded total growth',
  'residual-bn': 'residual with BN in the branch',
  'residual-unnormalized': 'residual without normalization: variance doubles per block',
  'residual-skipinit': 'residual with SkipInit: bounded',
  'no-normalization': 'no normalization',
  'layernorm-mean-field': 'layer normalization (mean-field estimate)',
  unknown: 'no closed form for this configuration: the theory does not know (measure it)',
};

/** A short name for chart legends and summaries. */
export const THEORY_BASIS_SHORT: Record<TheoryBasis, string> = {
  'gaussian-bn-linear-centred': 'Gaussian + centred BN, linear',
  'gaussian-bn-linear-uncentred': 'Gaussian + BN, linear',
  'gaussian-bn-large-batch': 'Gaussian + BN, large batch',
  'orthogonal-linear-bounded': 'orthogonal + BN, linear, batch = width',
  'orthogonal-bn-finite-batch': 'orthogonal + BN, linear, batch ≠ width (empirical)',
  'orthogonal-nonlinear': 'orthogonal + BN, non-linear',
  shaped: 'activation shaping',
  'residual-bn': 'residual with BN',
  'residual-unnormalized': 'residual, no normalization',
  'residual-skipinit': 'residual with SkipInit',
  'no-normalization': 'no normalization',
  'layernorm-mean-field': 'layer norm, mean field',
  unknown: 'no closed form',
};
