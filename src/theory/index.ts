// The theory stage: closed-form predictions and the static rule catalogue. No tensors, no vscode.
import { parseSpec, type ParseResult } from '../spec';
import { staticFindings } from './staticFindings';
import type { Finding } from '../shared/findings';

export * from './types';
export { predict, predictProfile, estimateGrowth } from './predict';
export { lambdaMeanFreeBN } from './meanFreeBN';
export { residualForward, type ResidualForward } from './residualForward';
export { staticFindings } from './staticFindings';
export {
  lambdaLinearBN,
  lambdaOrthogonalBN,
  lambdaInfinity,
  lambdaLayerNorm,
  lnLambdaInfinity,
  lnLambdaLayerNorm,
  shapingGain,
  shapingLogGrowth,
  residualVarianceNormalized,
  residualVarianceUnnormalized,
  batchForLambda,
} from './lambda';
export { activation, ACTIVATIONS, erf, normalCdf, normalPdf, SELU_ALPHA, SELU_SCALE, type ActivationFunction } from './activations';
export { gaussHermite, gaussLegendre, expectNormal, type QuadratureRule } from './quadrature';

/** Parse, turn every syntax/schema problem into a DL001 finding, and add the static findings when the spec is valid. */
export function checkText(text: string, file: string): { parse: ParseResult; findings: Finding[] } {
  const parse = parseSpec(text, file);
  const problems: Finding[] = parse.problems.map((p) => ({
    code: 'DL001',
    severity: 'error',
    message: p.message,
    path: p.path,
    range: p.range,
    measured: false,
  }));
  const findings = parse.spec ? [...problems, ...staticFindings(parse.spec, parse.source)] : problems;
  return { parse, findings };
}
