// Fills defaults and expands the model: a validated document → Spec.
import { basename, resolve } from 'node:path';
import { defaults } from './defaults';
import { expandCompact, expandExplicit } from './expand';
import type { RawSpec } from './raw';
import { valueRange } from './source-map';
import type { ModelSpec, SourceMap, Spec } from './types';
import type { PathProblem } from './validate';

const specSuffix = /\.depthlens\.(ya?ml|json)$|\.(ya?ml|json)$/i;

/** A file name, not a URI (untitled:…, vscode-notebook-cell:…); one-letter schemes are Windows drives. */
function isFilePath(file: string): boolean {
  return file !== '' && !/^[a-z][a-z0-9+.-]+:/i.test(file);
}

export function defaultName(file: string): string {
  if (file === '') return 'untitled';
  const base = basename(file.replace(/^[a-z][a-z0-9+.-]+:/i, '')).replace(specSuffix, '');
  return base === '' ? 'untitled' : base;
}

/** A depth sweep over an explicit layer list can only cut the list (src/engine/resize.ts), never grow it. */
function deeperThanExplicit(depths: readonly number[], depth: number, source: SourceMap): PathProblem[] {
  return depths.flatMap((d, i) => {
    if (d <= depth) return [];
    const path = `diagnostics.depths[${i}]`;
    return [{ path, range: valueRange(source, path), message: `${path}: ${d} is deeper than the explicit layer list (${depth} dense layers); a sweep can only cut it` }];
  });
}

export function buildSpec(raw: RawSpec, file: string, source: SourceMap): { spec?: Spec; problems: PathProblem[] } {
  const dataSource = raw.data.source ?? defaults.data.source;
  const fileBased = dataSource === 'csv' || dataSource === 'npy';
  const features = fileBased ? 0 : (raw.data.features ?? 0);

  let model: ModelSpec;
  if (raw.model.layers) {
    const explicit = expandExplicit(raw.model.layers, features, source);
    if (!explicit.model) return { problems: explicit.problems };
    model = explicit.model;
    const tooDeep = deeperThanExplicit(raw.diagnostics?.depths ?? [], model.depth, source);
    if (tooDeep.length > 0) return { problems: tooDeep };
  } else {
    // The schema requires depth and width whenever layers is absent.
    model = expandCompact({ ...raw.model, depth: raw.model.depth!, width: raw.model.width! });
  }

  const t = raw.train;
  const spec: Spec = {
    version: 1,
    name: raw.name ?? defaultName(file),
    file: isFilePath(file) ? resolve(file) : '',
    data: {
      source: dataSource,
      features,
      batch: raw.data.batch,
      classes: raw.data.classes ?? defaults.data.classes,
      ...(dataSource === 'near-identity' ? { f: raw.data.f ?? defaults.data.f } : {}),
      ...(dataSource === 'correlated' ? { rho: raw.data.rho ?? defaults.data.rho } : {}),
      ...(raw.data.unique !== undefined ? { unique: raw.data.unique } : {}),
      ...(raw.data.path !== undefined ? { path: raw.data.path } : {}),
      ...(raw.data.labels !== undefined ? { labels: raw.data.labels } : {}),
    },
    model,
    loss: raw.loss ?? defaults.loss,
    diagnostics: {
      seeds: raw.diagnostics?.seeds ?? defaults.diagnostics.seeds,
      seed: raw.diagnostics?.seed ?? defaults.diagnostics.seed,
      depths: raw.diagnostics?.depths ?? null,
    },
    train: t
      ? {
          steps: t.steps ?? defaults.train.steps,
          optimizer: t.optimizer ?? defaults.train.optimizer,
          lr: t.lr ?? defaults.train.lr,
          batch: t.batch ?? raw.data.batch,
          recordEvery: t['record-every'] ?? defaults.train.recordEvery,
          momentum: t.momentum ?? defaults.train.momentum,
          holdout: t.holdout ?? defaults.train.holdout,
        }
      : null,
    thresholds: {
      gradGrowthPerLayer: raw.thresholds?.['grad-growth-per-layer'] ?? defaults.thresholds.gradGrowthPerLayer,
      gradLog10Range: raw.thresholds?.['grad-log10-range'] ?? defaults.thresholds.gradLog10Range,
      ...(raw.thresholds?.['error-log10-range'] !== undefined ? { errorLog10Range: raw.thresholds['error-log10-range'] } : {}),
    },
  };
  return { spec, problems: [] };
}
