import type { Range, SpecPath } from '../spec/types';

/** Finding severities, most severe first. */
export const SEVERITIES = ['error', 'warning', 'info', 'hint'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type FindingCode =
  | 'DL001'
  | 'DL101' | 'DL102' | 'DL103' | 'DL104' | 'DL105' | 'DL106' | 'DL107'
  | 'DL201' | 'DL202' | 'DL203' | 'DL204';

/** A quick fix as data: set `path` to `value` (inserting the key when absent). */
export interface FindingFix {
  path: SpecPath;
  value: unknown;
  title: string;
  /** The one clearly right fix (VS Code `isPreferred`). */
  preferred?: boolean;
  /** Further edits applied together with this one, as one workspace edit (e.g. activation + shaping). */
  more?: { path: SpecPath; value: unknown }[];
}

export interface Finding {
  code: FindingCode;
  severity: Severity;
  /** Human message with the number behind it. */
  message: string;
  /** Spec path the finding attaches to. */
  path: SpecPath;
  /** 0-based range in the spec text, when the spec text is known. */
  range?: Range;
  /** true for findings from an engine run (DL2xx), false for static theory findings. */
  measured: boolean;
  fix?: FindingFix;
  /** Extra fixes beyond the primary one. */
  alternatives?: FindingFix[];
}

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
  | 'orthogonal-nonlinear'
  | 'shaped'
  | 'residual-bn'
  | 'residual-unnormalized'
  | 'residual-skipinit'
  | 'no-normalization'
  | 'layernorm-mean-field'
  | 'unknown';
