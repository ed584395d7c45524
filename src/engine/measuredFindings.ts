// Measured findings (DESIGN §5): DL201 gradient growth above the thresholds, DL202 NaN/Inf, DL203 rank collapse.
import { errorLog10Range, valueRange } from '../spec';
import type { SourceMap, Spec } from '../spec/types';
import type { SpecPath } from '../shared/findings';
import type { Finding } from '../shared/findings';
import type { Growth, LayerResult, TheoryLine } from '../shared/result';
import type { SeedRun } from './diagnose';

export interface MeasuredInput {
  spec: Spec;
  /** The spec's depth as written, when the run measured a capped copy (quick run). */
  specDepth?: number;
  layers: LayerResult[];
  growth: Growth | null;
  theory: TheoryLine | null;
  runs: readonly SeedRun[];
  /** Static findings of the same spec: DL201 borrows the fix of the DL101–103/106–108 finding that explains the growth. */
  staticFindings: readonly Finding[];
  source?: SourceMap;
}

export function measuredFindings(input: MeasuredInput): Finding[] {
  const out: Finding[] = [];
  const growth = growthFinding(input);
  if (growth) out.push(growth);
  const nan = nonFiniteFinding(input);
  if (nan) out.push(nan);
  const collapse = collapseFinding(input);
  if (collapse) out.push(collapse);
  return out.map((f) => (input.source ? { ...f, range: valueRange(input.source, f.path) } : f));
}

function growthFinding({ spec, specDepth, growth, theory, staticFindings, layers }: MeasuredInput): Finding | null {
  if (!growth) return null;
  const t = spec.thresholds;
  const tooFast = growth.perLayer > t.gradGrowthPerLayer;
  const tooWide = growth.log10Range > t.gradLog10Range;
  if (!tooFast && !tooWide) return null;
  // The static finding that explains the growth, in order of preference: init, activation, then the batch ≠ width law.
  const causes: Finding['code'][] = ['DL101', 'DL102', 'DL103', 'DL107', 'DL108', 'DL106'];
  const cause = causes.map((code) => staticFindings.find((f) => f.code === code)).find((f) => f !== undefined);
  const predicted = theory && Number.isFinite(theory.perLayer) ? ` (theory ${theory.perLayer.toFixed(3)}×)` : '';
  const message =
    `measured gradient growth ${growth.perLayer.toFixed(3)}× per layer toward the input${predicted}; ` +
    `‖∂loss/∂W‖ spans ${growth.log10Range.toFixed(1)} orders of magnitude across ${layersMeasured(layers.length, specDepth)} ` +
    `(thresholds ${t.gradGrowthPerLayer}× per layer, ${t.gradLog10Range} orders)`;
  // Like the theory's DL101–103: past thresholds.error-log10-range (default twice the range threshold) an error.
  const severity = growth.log10Range > errorLog10Range(t) ? 'error' : 'warning';
  const finding: Finding = { code: 'DL201', severity, message, path: cause?.path ?? 'model', measured: true };
  if (cause?.fix) finding.fix = cause.fix;
  if (cause?.alternatives) finding.alternatives = cause.alternatives;
  return finding;
}

function layersMeasured(measured: number, specDepth: number | undefined): string {
  return specDepth !== undefined && specDepth > measured ? `the ${measured} layers of a quick run (the spec has ${specDepth})` : `${measured} layers`;
}

function nonFiniteFinding({ runs }: MeasuredInput): Finding | null {
  const bad = runs.filter((r) => r.pass.nonFinite !== null);
  if (bad.length === 0) return null;
  // Forward problems come first: the backward pass of a non-finite forward pass is meaningless.
  const forward = bad.filter((r) => r.pass.nonFinite!.phase === 'forward');
  const pool = forward.length > 0 ? forward : bad;
  const first = pool.reduce((a, b) => (pick(b) < pick(a) ? b : a));
  const nf = first.pass.nonFinite!;
  const direction = nf.phase === 'forward' ? 'forward pass' : 'backward pass (counting from the output)';
  return {
    code: 'DL202',
    severity: 'error',
    message:
      `NaN/Inf in the ${direction}: first at layer ${nf.layer} (seed ${first.seed}; ${bad.length} of ${runs.length} seeds affected)` +
      (nf.phase === 'forward' ? ' — float32 overflow or a zero-variance normalization' : ''),
    path: first.densePaths[nf.layer] ?? 'model',
    measured: true,
  };
  function pick(r: SeedRun): number {
    const l = r.pass.nonFinite!.layer;
    return r.pass.nonFinite!.phase === 'forward' ? l : -l;
  }
}

/**
 * A rank collapse is persistent and loses more than one direction: from some layer on every representation is
 * rank-deficient, ending at least two ranks short. A square random batch (n = d) is ill-conditioned by nature and can
 * show one eigenvalue at float32 noise level, at scattered layers or throughout; that alone is not a collapse.
 */
function collapseFinding({ spec, layers, runs }: MeasuredInput): Finding | null {
  if (layers.length === 0) return null;
  let start = layers.length;
  while (start > 0 && layers[start - 1].degenerate) start--;
  const minRun = Math.min(layers.length, Math.max(2, Math.ceil(0.05 * layers.length)));
  const n = spec.data.batch;
  if (layers.length - start < minRun || layers[layers.length - 1].rank > n - 2) return null;
  const first = layers[start];
  const last = layers[layers.length - 1];
  const path: SpecPath =
    spec.data.source === 'repeated' ? 'data.unique' : n > spec.model.width ? 'data.batch' : (runs[0]?.densePaths[first.index] ?? 'model');
  const why = n > spec.model.width ? ` (batch ${n} > width ${spec.model.width})` : '';
  const end = last.index === first.index ? '' : `, ${last.rank} at layer ${last.index}`;
  return {
    code: 'DL203',
    severity: 'warning',
    message:
      `rank collapse from layer ${first.index} on: numerical rank ${first.rank} of the representation's Gram matrix for a batch of ${n}${why}${end}; ` +
      `the isometry gap is infinite there and the depth-independent gradient bound does not apply`,
    path,
    measured: true,
  };
}
