// Spec templates for "DepthLens: New Spec from Template". Pure data (no vscode import) so tests can parse each one.

export interface SpecTemplate {
  id: string;
  label: string;
  detail: string;
  /** File name stem: <stem>.depthlens.yaml */
  stem: string;
  text: string;
}

/** "# "-prefixed lines of at most `width` characters. */
function commentLines(text: string, width = 110): string[] {
  const lines: string[] = [];
  let line = '#';
  for (const word of text.split(/\s+/)) {
    if (line.length + 1 + word.length > width && line !== '#') {
      lines.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  if (line !== '#') lines.push(line);
  return lines;
}

/** Every template opens, like the examples, with what it shows and what to expect, as YAML comments. */
function commented(t: SpecTemplate, expected: string): SpecTemplate {
  const header = [...commentLines(`${t.label}: ${t.detail}`), ...commentLines(`Expected: ${expected}`)];
  return { ...t, text: `${header.join('\n')}\n${t.text}` };
}

const EXPECTED: Record<string, string> = {
  'orthogonal-linear': 'no findings; the isometry gap decays with depth and ‖∇W‖ stays within a few× from output to input.',
  'shaped-tanh': 'no findings; without shaping (delete the `shaping:` key) DL102 warns about tanh\'s growth.',
  'gaussian-relu': 'DL101 (Gaussian init with BN) and DL103 (ReLU cannot be shaped); a run adds DL201 with the measured growth.',
  'skipinit-resnet': 'no findings; the residual stream carries the signal, so gradients stay bounded at depth.',
};

const TEMPLATES_RAW: readonly SpecTemplate[] = [
  {
    id: 'orthogonal-linear',
    label: 'Orthogonal BN MLP (linear)',
    detail: 'Haar-orthogonal weights + BN, batch = width: gradients stay bounded at any depth (Meterez et al. 2024).',
    stem: 'orthogonal-bn',
    text: `depthlens: 1
name: Orthogonal BN MLP, linear
data:
  source: gaussian
  features: 64
  batch: 64
  classes: 10
model:
  depth: 200
  width: 64
  init: orthogonal
  norm: batchnorm
  center: false
  eps: 0
  activation: identity
loss: cross-entropy
diagnostics:
  seeds: 3
  seed: 0
  depths: [10, 50, 200]
`,
  },
  {
    id: 'shaped-tanh',
    label: 'Shaped tanh network',
    detail: 'tanh with activation shaping α_ℓ = ℓ^-0.4: bounded gradients despite the non-linearity.',
    stem: 'shaped-tanh',
    text: `depthlens: 1
name: Orthogonal BN MLP, tanh with activation shaping
data:
  source: gaussian
  features: 64
  batch: 64
  classes: 10
model:
  depth: 300
  width: 64
  init: orthogonal
  norm: batchnorm
  center: true
  activation: tanh
  shaping: { exponent: 0.4 }
loss: cross-entropy
diagnostics:
  seeds: 3
`,
  },
  {
    id: 'gaussian-relu',
    label: 'Gaussian ReLU + BN (explodes)',
    detail: 'The classic failure: Gaussian init with BN, gradients grow by λ = π/(π−1) per layer (Yang et al. 2019).',
    stem: 'gaussian-relu',
    text: `depthlens: 1
name: Gaussian ReLU + BN
data:
  source: gaussian
  features: 64
  batch: 64
  classes: 10
model:
  depth: 50
  width: 64
  init: gaussian
  norm: batchnorm
  center: true
  activation: relu
loss: cross-entropy
diagnostics:
  seeds: 3
`,
  },
  {
    id: 'skipinit-resnet',
    label: 'Residual network with SkipInit',
    detail: 'x ← x + α·f(x) with α = 0 at init and no normalization (De & Smith 2020).',
    stem: 'skipinit-resnet',
    text: `depthlens: 1
name: Residual MLP with SkipInit, no normalization
data:
  source: gaussian
  features: 64
  batch: 64
  classes: 10
model:
  depth: 200
  width: 64
  init: he
  norm: none
  activation: relu
  residual: { alpha: 0 }
loss: cross-entropy
diagnostics:
  seeds: 3
train:
  steps: 100
  optimizer: sgd
  lr: 0.01
  record-every: 10
`,
  },
];

export const TEMPLATES: readonly SpecTemplate[] = TEMPLATES_RAW.map((t) => commented(t, EXPECTED[t.id] ?? 'see the findings as you edit.'));
