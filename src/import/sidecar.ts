// A sidecar spec: a small *.depthlens.yaml that names a model instead of writing one,
//   depthlens: 1
//   extends: bn-mlp-50.onnx          # or {model: big.onnx, from: fc1, to: relu4}
//   data: {batch: 128}
//   diagnostics: {seeds: 3}
// The model is imported (its path relative to the sidecar) and the sidecar's sections laid over the generated spec: data
// key by key, the other sections whole. The result is spec text for the usual parse and check, and a way to put its
// findings back on the sidecar (the key they are about) or on the model's layer.
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument, stringify } from 'yaml';
import { parseSpec, type SourceMap } from '../spec';
import type { Finding, Range } from '../shared/findings';
import type { LayerOrigin } from './toSpec';

const ORIGIN: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export interface SidecarRef {
  model: string;
  from?: string;
  to?: string;
}

/** The sidecar's `extends`, when the text has one at the top level (null for an ordinary spec, or text that is not YAML). */
export function sidecarRef(text: string): SidecarRef | { error: string } | null {
  if (!/^extends\s*:/m.test(text) && !/"extends"\s*:/.test(text)) return null;
  let data: unknown;
  try {
    data = parseDocument(text, { uniqueKeys: false }).toJS({ maxAliasCount: 100 });
  } catch {
    return null;
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data) || !('extends' in data)) return null;
  const ext = (data as { extends: unknown }).extends;
  if (typeof ext === 'string' && ext !== '') return { model: ext };
  if (ext !== null && typeof ext === 'object' && !Array.isArray(ext)) {
    const e = ext as Record<string, unknown>;
    const unknown = Object.keys(e).filter((k) => !['model', 'from', 'to'].includes(k));
    if (unknown.length > 0) return { error: `extends.${unknown[0]}: unknown key (extends takes model, from, to)` };
    if (typeof e.model !== 'string' || e.model === '') return { error: 'extends.model: the model file to import (a path relative to this spec)' };
    for (const k of ['from', 'to'] as const) if (e[k] !== undefined && typeof e[k] !== 'string') return { error: `extends.${k}: a layer name of the model` };
    return { model: e.model, ...(typeof e.from === 'string' ? { from: e.from } : {}), ...(typeof e.to === 'string' ? { to: e.to } : {}) };
  }
  return { error: 'extends: the model file to import, or {model, from, to}' };
}

/** The model path of a sidecar, resolved against the sidecar's folder. */
export function sidecarModelPath(ref: SidecarRef, sidecarFile: string): string {
  return isAbsolute(ref.model) ? ref.model : resolve(dirname(sidecarFile), ref.model);
}

/** The sidecar laid over the model's generated spec: the text to check (YAML) and the sidecar's own key positions. */
export function mergeSidecar(sidecarText: string, sidecarFile: string, generated: string): { text: string; source: SourceMap } | { error: string; range: Range } {
  const source = parseSpec(sidecarText, sidecarFile).source;
  const over = parseDocument(sidecarText, { uniqueKeys: false }).toJS({ maxAliasCount: 100 }) as Record<string, unknown>;
  if ('model' in over) return { error: 'model: a spec that extends a model takes the model from it; remove model: (or extends:)', range: source.get('model')?.key ?? ORIGIN };
  const base = parseDocument(generated).toJS() as Record<string, unknown>;
  const merged: Record<string, unknown> = { depthlens: 1, name: base.name };
  const dataOver = over.data !== null && typeof over.data === 'object' ? (over.data as Record<string, unknown>) : {};
  const data = { ...(base.data as Record<string, unknown>), ...dataOver };
  // Data read from a file has its width from the file.
  if (data.source === 'csv' || data.source === 'npy') delete data.features;
  for (const [key, value] of Object.entries(over)) if (key !== 'extends' && key !== 'depthlens') merged[key] = value;
  merged.data = data;
  const modelAt = generated.search(/^model:/m);
  const header = generated.slice(0, generated.search(/^depthlens:/m)).replace(/^# /, `# ${sidecarFile} extends it: `);
  return { text: `${header}${stringify(merged, { lineWidth: 0 })}${generated.slice(modelAt)}`, source };
}

/** Where a finding about `path` goes in the sidecar: its key (or the nearest key above it), else the extends line. */
export function onSidecar(findings: readonly Finding[], source: SourceMap, named: (f: Finding) => { finding: Finding; origin?: LayerOrigin }): Finding[] {
  const extendsRange = source.get('extends')?.value ?? source.get('extends')?.key ?? ORIGIN;
  return findings.map((f) => {
    const { finding, origin } = named(f);
    if (origin) return { ...finding, range: extendsRange };
    for (let p = f.path; p !== ''; p = p.slice(0, Math.max(0, Math.max(p.lastIndexOf('.'), p.lastIndexOf('['))))) {
      const loc = source.get(p);
      if (loc) return { ...finding, range: loc.value ?? loc.key };
    }
    return { ...finding, range: extendsRange };
  });
}
