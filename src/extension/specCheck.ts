// Static check of a spec text: theory findings, with the threshold settings applied where the spec sets none.
import { checkText, staticFindings } from '../theory/index';
import type { ParseResult } from '../spec/types';
import type { Finding } from '../shared/findings';

export interface SpecCheck {
  parse: ParseResult;
  findings: Finding[];
}

export interface ThresholdDefaults {
  gradGrowthPerLayer: number;
  gradLog10Range: number;
  /** Unset: twice gradLog10Range. */
  errorLog10Range?: number;
}

export function checkSpecText(text: string, file: string, defaults: ThresholdDefaults): SpecCheck {
  const { parse, findings } = checkText(text, file);
  const spec = parse.spec;
  if (!spec) return { parse, findings };
  const thresholds = {
    gradGrowthPerLayer: parse.source.has('thresholds.grad-growth-per-layer') ? spec.thresholds.gradGrowthPerLayer : defaults.gradGrowthPerLayer,
    gradLog10Range: parse.source.has('thresholds.grad-log10-range') ? spec.thresholds.gradLog10Range : defaults.gradLog10Range,
    ...(parse.source.has('thresholds.error-log10-range')
      ? { errorLog10Range: spec.thresholds.errorLog10Range }
      : defaults.errorLog10Range !== undefined
        ? { errorLog10Range: defaults.errorLog10Range }
        : {}),
  };
  const same = (['gradGrowthPerLayer', 'gradLog10Range', 'errorLog10Range'] as const).every((k) => thresholds[k] === spec.thresholds[k]);
  if (same) {
    return { parse, findings };
  }
  const adjusted = { ...spec, thresholds };
  const problems = findings.filter((f) => f.code === 'DL001');
  return { parse: { ...parse, spec: adjusted }, findings: [...problems, ...staticFindings(adjusted, parse.source)] };
}
