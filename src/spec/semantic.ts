// Checks the schema cannot express: cross-key constraints, source-specific keys, sorted depths, layer-list shape and size.
import { describeValue } from './messages';
import { childPath } from './paths';
import { keyRange, valueRange } from './source-map';
import type { PathProblem } from './validate';
import type { SourceMap } from './types';
import type { SpecPath } from '../shared/findings';

/** Upper bounds of the expanded explicit form (the compact form is bounded by the schema's depth maximum). */
export const MAX_DENSE_LAYERS = 100000;
export const MAX_EXPANDED_LAYERS = 1000000;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

/** Every non-finite number (YAML .nan / .inf), by path. Schema errors at these paths are replaced by this clearer one. */
export function nonFiniteNumbers(data: unknown, path: SpecPath = ''): Array<{ path: SpecPath; value: number }> {
  if (typeof data === 'number') return Number.isFinite(data) ? [] : [{ path, value: data }];
  if (Array.isArray(data)) return data.flatMap((v, i) => nonFiniteNumbers(v, childPath(path, i)));
  if (isObj(data)) return Object.entries(data).flatMap(([k, v]) => nonFiniteNumbers(v, childPath(path, k)));
  return [];
}

const sourceOnlyKeys: ReadonlyArray<[key: string, sources: readonly string[]]> = [
  ['f', ['near-identity']],
  ['rho', ['correlated']],
  ['unique', ['repeated']],
  ['path', ['csv', 'npy']],
  ['labels', ['csv', 'npy']],
];

function dataProblems(data: Obj, source: SourceMap, out: PathProblem[]): void {
  const kind = typeof data['source'] === 'string' ? data['source'] : 'gaussian';
  for (const [key, sources] of sourceOnlyKeys) {
    if (key in data && !sources.includes(kind)) {
      const path = `data.${key}`;
      out.push({ path, range: keyRange(source, path), message: `${path}: only used with source ${sources.join(' or ')} (source is ${kind})` });
    }
  }
  if ((kind === 'csv' || kind === 'npy') && 'features' in data) {
    out.push({ path: 'data.features', range: keyRange(source, 'data.features'), message: `data.features: read from the ${kind} file; remove it` });
  }
  const { batch, features, unique } = data;
  if (kind === 'near-identity' && isInt(batch) && isInt(features) && batch !== features) {
    out.push({
      path: 'data.batch',
      range: valueRange(source, 'data.batch'),
      message: `data.batch: near-identity input X = (1-f)I + f·u·vᵀ is square, so batch must equal features (batch ${batch}, features ${features})`,
    });
  }
  if (kind === 'repeated' && isInt(unique) && isInt(batch) && unique > batch) {
    out.push({ path: 'data.unique', range: valueRange(source, 'data.unique'), message: `data.unique: ${unique} distinct samples do not fit in a batch of ${batch}` });
  }
}

function depthsProblems(depths: unknown, source: SourceMap, out: PathProblem[]): void {
  if (!Array.isArray(depths)) return;
  for (let i = 1; i < depths.length; i++) {
    const prev = depths[i - 1];
    const cur = depths[i];
    if (typeof prev === 'number' && typeof cur === 'number' && !(cur > prev)) {
      const path = `diagnostics.depths[${i}]`;
      out.push({ path, range: valueRange(source, path), message: `${path}: ${cur} is not larger than the depth before it (${prev}); list depths in increasing order` });
    }
  }
}

const compactOnlyKeys = ['depth', 'width', 'init', 'init-gain', 'norm', 'center', 'eps', 'order', 'activation', 'leaky-slope', 'shaping', 'residual', 'bias'];
const layerKinds = ['dense', 'batchnorm', 'layernorm', 'activation', 'residual', 'repeat'];

interface LayerCounts {
  dense: number;
  total: number;
}

/** Checks one explicit layer list and counts what it expands to, without expanding it. */
function layerListProblems(list: unknown, path: SpecPath, source: SourceMap, out: PathProblem[]): LayerCounts {
  const counts: LayerCounts = { dense: 0, total: 0 };
  if (!Array.isArray(list)) return counts;
  list.forEach((item, i) => {
    const itemPath = childPath(path, i);
    if (!isObj(item)) return;
    const kinds = layerKinds.filter((k) => k in item);
    if (kinds.length > 1) {
      out.push({ path: itemPath, range: keyRange(source, itemPath), message: `${itemPath}: one layer per list item, found ${kinds.join(' and ')}` });
      return;
    }
    const kind = kinds[0];
    if (kind === 'repeat') {
      const inner = layerListProblems(item['layers'], childPath(itemPath, 'layers'), source, out);
      const times = isInt(item['repeat']) ? item['repeat'] : 1;
      counts.dense += inner.dense * times;
      counts.total += inner.total * times;
    } else if (kind === 'residual') {
      const body = isObj(item['residual']) ? item['residual']['layers'] : undefined;
      const inner = layerListProblems(body, childPath(childPath(itemPath, 'residual'), 'layers'), source, out);
      counts.dense += inner.dense;
      counts.total += inner.total + 1;
    } else if (kind !== undefined) {
      if (kind === 'dense') counts.dense += 1;
      counts.total += 1;
      const act = item['activation'];
      if (kind === 'activation' && isObj(act) && 'slope' in act && act['fn'] !== 'leaky-relu') {
        const p = childPath(childPath(itemPath, 'activation'), 'slope');
        out.push({ path: p, range: keyRange(source, p), message: `${p}: only used with fn leaky-relu (fn is ${describeValue(act['fn'])})` });
      }
    }
  });
  return counts;
}

function modelProblems(model: Obj, source: SourceMap, out: PathProblem[]): void {
  if ('layers' in model) {
    for (const key of compactOnlyKeys) {
      if (key in model) {
        const path = `model.${key}`;
        out.push({ path, range: keyRange(source, path), message: `${path}: cannot be combined with model.layers; with an explicit layer list, set it on the layers` });
      }
    }
    const counts = layerListProblems(model['layers'], 'model.layers', source, out);
    if (counts.dense > MAX_DENSE_LAYERS) {
      out.push({ path: 'model.layers', range: keyRange(source, 'model.layers'), message: `model.layers: expands to ${counts.dense} dense layers, more than the maximum ${MAX_DENSE_LAYERS}` });
    } else if (counts.total > MAX_EXPANDED_LAYERS) {
      out.push({ path: 'model.layers', range: keyRange(source, 'model.layers'), message: `model.layers: expands to ${counts.total} layers, more than the maximum ${MAX_EXPANDED_LAYERS}` });
    }
    return;
  }
  if ('leaky-slope' in model && model['activation'] !== 'leaky-relu') {
    out.push({
      path: 'model.leaky-slope',
      range: keyRange(source, 'model.leaky-slope'),
      message: `model.leaky-slope: only used with activation leaky-relu (activation is ${describeValue(model['activation'] ?? 'identity')})`,
    });
  }
}

/** Problems beyond the schema. `data` is the parsed document, possibly invalid: every check guards its types. */
export function semanticProblems(doc: unknown, source: SourceMap): PathProblem[] {
  const out: PathProblem[] = [];
  if (!isObj(doc)) return out;
  if (isObj(doc['data'])) dataProblems(doc['data'], source, out);
  if (isObj(doc['diagnostics'])) depthsProblems(doc['diagnostics']['depths'], source, out);
  if (isObj(doc['model'])) modelProblems(doc['model'], source, out);
  return out;
}
