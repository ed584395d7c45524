// Spec files the in-host tests open, written into the test workspace by vscode.test.ts. Each comment says what the theory
// (DESIGN.md §1, §5) predicts for it; the tests assert those predictions, not the extension's output.
export const FIXTURES: Record<string, string> = {
  // Orthogonal + BN + identity, batch = width: bounded gradients, no static finding. Small enough to run in seconds.
  'tiny.depthlens.yaml': `depthlens: 1
name: tiny orthogonal linear
data:
  source: gaussian
  features: 8
  batch: 8
  classes: 2
model:
  depth: 6
  width: 8
  init: orthogonal
  norm: batchnorm
  center: false
  eps: 0
  activation: identity
diagnostics:
  seeds: 1
  seed: 0
`,
  // Gaussian + centred BN + identity, B = 16: λ = (B−2)/(B−3) = 14/13, ‖∇‖ ×1.0377 per layer (> 1.02), and
  // 399 · ½·log10(14/13) ≈ 6.4 orders over 400 layers (> 3): DL101 on model.init, fixed by init: orthogonal.
  'gaussian.depthlens.yaml': `depthlens: 1
name: gaussian linear BN
data:
  source: gaussian
  features: 16
  batch: 16
  classes: 2
model:
  depth: 400
  width: 16
  init: gaussian
  norm: batchnorm
  center: true
  activation: identity
diagnostics:
  seeds: 1
`,
  // Measured explosion: He + centred BN + ReLU: ‖∇‖ grows ×√(π/(π−1)) ≈ 1.21 per layer (Yang et al.), far above 1.02;
  // ½·49·log10(π/(π−1)) ≈ 4.1 orders over 50 layers > 3, so statically DL101 (model.init) and DL103. After a run DL201
  // (measured) joins them, attached to the cause DL101 names.
  'measured.depthlens.yaml': `depthlens: 1
name: ReLU BN Gaussian, measured
data:
  source: gaussian
  features: 32
  batch: 32
  classes: 2
model:
  depth: 50
  width: 32
  init: he
  norm: batchnorm
  center: true
  activation: relu
diagnostics:
  seeds: 2
`,
  // Long enough on wasm (1000 layers × 20 seeds) to be cancelled mid-run; orthogonal linear, batch = width: no finding.
  'long.depthlens.yaml': `depthlens: 1
name: long run to cancel
data:
  source: gaussian
  features: 128
  batch: 128
  classes: 10
model:
  depth: 1000
  width: 128
  init: orthogonal
  norm: batchnorm
  center: false
  activation: identity
diagnostics:
  seeds: 20
`,
  // "orthogonl" is not an init kind: DL001 (error) on that value.
  'broken.depthlens.yaml': `depthlens: 1
name: broken
data:
  source: gaussian
  features: 8
  batch: 8
  classes: 2
model:
  depth: 4
  width: 8
  init: orthogonl
  norm: batchnorm
  activation: identity
`,
  // The JSON variant (language json via filenamePatterns): the same misspelt init value, DL001 on its line.
  'broken.depthlens.json': `{
  "depthlens": 1,
  "data": { "source": "gaussian", "features": 8, "batch": 8, "classes": 2 },
  "model": {
    "depth": 4,
    "width": 8,
    "init": "orthogonl",
    "norm": "batchnorm",
    "activation": "identity"
  }
}
`,
  // Unterminated flow mapping: a YAML syntax error, DL001.
  'syntax.depthlens.yaml': `depthlens: 1
model: { depth: 4, width: 8
data:
  batch: 8
`,
  // A data file outside the workspace (issue 16 item 3): the run is refused with a located DL001 at data.path, and no
  // line of the file reaches the Problems panel.
  'outside.depthlens.yaml': `depthlens: 1
name: data outside the workspace
data:
  source: csv
  path: ../../../../../../../../etc/passwd
  batch: 8
model:
  depth: 4
  width: 8
`,
};
