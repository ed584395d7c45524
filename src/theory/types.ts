/** What the theory predicts for a spec: drawn as reference lines and used by the findings. */
export interface TheoryPrediction {
  /** Predicted per-layer factor of the squared gradient norm (λ); Infinity when undefined (B ≤ 3). */
  lambda: number;
  /** Predicted per-layer growth of ‖∇‖ = √λ (going from output toward input). */
  perLayer: number;
  /** Predicted total log10 growth of ‖∇W‖ across the network. */
  log10Range: number;
  /** Which formula produced it. */
  basis: TheoryBasis;
}

export type TheoryBasis =
  | 'gaussian-bn-linear-centred'
  | 'gaussian-bn-linear-uncentred'
  | 'gaussian-bn-large-batch'
  | 'orthogonal-linear-bounded'
  | 'orthogonal-bn-finite-batch'
  | 'orthogonal-nonlinear'
  | 'shaped'
  | 'residual-bn'
  | 'residual-unnormalized'
  | 'residual-skipinit'
  | 'no-normalization'
  | 'layernorm-mean-field'
  | 'unknown';
