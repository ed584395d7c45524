// Expected static findings of each file in examples/, derived by hand from the example text and the rules of DESIGN.md §5
// with the default threshold of 3 orders of magnitude (the arithmetic is beside each entry). Ranges are not listed: the
// in-host test locates each path in the text itself.
export interface ExpectedFinding {
  code: string;
  path: string;
}

export const EXAMPLE_EXPECTATIONS: Record<string, ExpectedFinding[]> = {
  // repeated source with unique 16 < batch 64: degenerate batch. Orthogonal + identity + BN with batch = width: nothing else.
  'degenerate-batch.depthlens.yaml': [{ code: 'DL105', path: 'data.unique' }],
  // xavier + mean-free BN, B = 100: λ = 99/98, ½·999·log10(99/98) ≈ 2.2 orders < 3: no DL101, no DL104.
  'fig3-gaussian.depthlens.yaml': [],
  // orthogonal + BN + identity, batch = width: bounded.
  'fig3-orthogonal.depthlens.yaml': [],
  // same, near-identity input with n = d.
  'isometry-decay.depthlens.yaml': [],
  // He + ReLU without normalization, α = 1: variance ×(1 + 1·2·½) = 2 per block, ½·99·log10 2 ≈ 14.9 orders: DL106.
  'residual-plain.depthlens.yaml': [{ code: 'DL106', path: 'model.residual.alpha' }],
  // α = 1/√1000 with orthogonal tanh: ×(1 + 0.001·E[tanh²] ≈ 1.0004) per block, ≈ 0.09 orders: nothing.
  'residual-skipinit.depthlens.yaml': [],
  // sin + BN without shaping: λ∞ = coth 1 ≈ 1.313, ½·199·log10(1.313) ≈ 11.8 orders: DL102 on the activation.
  'shaping-sin-none.depthlens.yaml': [{ code: 'DL102', path: 'model.activation' }],
  // exponent 0.4 > 0.25: bounded.
  'shaping-sin.depthlens.yaml': [],
  // tanh + BN without shaping: λ∞ ≈ 1.178, ½·499·log10(1.178) ≈ 17.8 orders: DL102.
  'shaping-tanh-none.depthlens.yaml': [{ code: 'DL102', path: 'model.activation' }],
  'shaping-tanh.depthlens.yaml': [],
  'train-short.depthlens.yaml': [],
  // He + centred BN + ReLU: λ∞ = π/(π−1) ≈ 1.467, ½·99·log10(1.467) ≈ 8.2 orders: DL101 on init, and since ReLU is
  // homogeneous the activation's share stays after orthogonal init: DL103. Batch noise alone: ½·99·log10(98/97) ≈ 0.2: no DL104.
  'yang-relu-explosion.depthlens.yaml': [
    { code: 'DL101', path: 'model.init' },
    { code: 'DL103', path: 'model.activation' },
  ],
};
