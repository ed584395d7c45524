// The import stage: a model file (Keras JSON, .keras archive, TensorFlow.js layers model.json, ONNX) → the text of a
// DepthLens spec in the explicit `layers:` form, with every layer traced back to the model layer it came from. It may
// use the spec stage (types); the CLI and the extension use it through this index.
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Finding, Range } from '../shared/findings';
import { ModelFileError, type ModelLocation } from './errors';
import { toChain, type ModelFormat, type ModelGraph, type Selection } from './graph';
import { JsonText } from './jsonText';
import { kerasGraph, modelTree } from './keras';
import { onnxGraph } from './onnx';
import { specText, type LayerOrigin, type SpecOptions } from './toSpec';
import { readZipMember } from './zip';
import { mergeSidecar, onSidecar, sidecarModelPath, sidecarRef } from './sidecar';
import { parseSpec } from '../spec';

export { DEFAULT_BATCH, DEFAULT_CLASSES, FORMAT_NAMES, type LayerOrigin } from './toSpec';
export { MODEL_FORMATS, MAX_NODES, type ModelFormat } from './graph';
export { encodeOnnx, type OnnxModel } from './onnxEncode';

/** JSON model files: a model config is small; 64 MiB is far past any MLP's. */
export const MAX_JSON_BYTES = 64 * 1024 * 1024;
/** ONNX files carry their weights; past this DepthLens refuses rather than reading gigabytes into memory. */
export const MAX_ONNX_BYTES = 512 * 1024 * 1024;
/** The config.json of a .keras archive. */
export const MAX_ARCHIVE_CONFIG_BYTES = 16 * 1024 * 1024;

export interface ImportOptions extends SpecOptions, Selection {}

export interface ImportedModel {
  /** The spec's text (YAML), ready to write to a .depthlens.yaml or to check. */
  text: string;
  format: ModelFormat;
  /** Model name as the file records it. */
  name: string;
  origins: LayerOrigin[];
}

/** A model file that cannot be imported: a DL001 problem, located in the model file (line and column, or byte). */
export interface ImportProblem {
  code: 'DL001';
  severity: 'error';
  message: string;
  path: '';
  range: Range;
}

export type ImportResult = { ok: true; model: ImportedModel } | { ok: false; problem: ImportProblem };

const ORIGIN: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

const modelFile = /(\.keras|\.onnx|(^|[/\\])model\.json|\.keras\.json|\.tfjs\.json)$/i;

/** Whether a path names a model file DepthLens imports (rather than a spec): .keras, .onnx, model.json, *.keras.json. */
export function isModelFile(file: string): boolean {
  return modelFile.test(file) && !/\.depthlens\.json$/i.test(file);
}

/**
 * isModelFile, or any other .json (not *.depthlens.json) whose first 64 KiB hold a Keras or TF.js model's keys: how the
 * CLI tells `depthlens check my-net.json` (a model) from a spec.
 */
export function looksLikeModelFile(file: string): boolean {
  if (isModelFile(file)) return true;
  if (!/\.json$/i.test(file) || /\.depthlens\.json$/i.test(file)) return false;
  try {
    // Checked before opening: opening a FIFO with no writer would block.
    if (!statSync(file).isFile()) return false;
    const fd = openSync(file, 'r');
    try {
      const head = Buffer.alloc(64 * 1024);
      const n = readSync(fd, head, 0, head.length, 0);
      const text = head.toString('utf8', 0, n);
      return /"modelTopology"\s*:/.test(text) || (/"class_name"\s*:/.test(text) && !/"depthlens"\s*:/.test(text));
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

function readCapped(file: string, max: number, what: string): Buffer {
  const st = statSync(file);
  if (st.isDirectory()) throw new ModelFileError(`${file} is a directory, not a model file`);
  if (!st.isFile()) throw new ModelFileError(`${file} is not a regular file`);
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > max) throw new ModelFileError(`${file} is ${size} bytes; DepthLens reads ${what} up to ${max} bytes`);
    const out = Buffer.alloc(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, out, got, size - got, null);
      if (n === 0) break;
      got += n;
    }
    return out.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

function jsonGraph(text: string, file: string, archive: boolean): ModelGraph {
  if (/\u0000/.test(text)) throw new ModelFileError(`${file} is binary, not JSON (an HDF5 .h5 model? save it with model.save("m.keras") or export model.to_json())`);
  const json = new JsonText(text);
  const data = json.parse(file);
  const tree = modelTree(data, file);
  const tfjs = data !== null && typeof data === 'object' && 'modelTopology' in data;
  return kerasGraph(tree, archive ? 'keras-archive' : tfjs ? 'tfjs-layers' : 'keras-json', archive ? null : json);
}

/** Reads the model file into its graph, whatever the format. */
export function readModelGraph(file: string): ModelGraph {
  if (/\.onnx$/i.test(file)) return onnxGraph(readCapped(file, MAX_ONNX_BYTES, 'ONNX models'), file);
  if (/\.keras$/i.test(file)) {
    const config = readZipMember(file, 'config.json', MAX_ARCHIVE_CONFIG_BYTES).toString('utf8');
    return jsonGraph(config, `${file}!config.json`, true);
  }
  if (/\.h5$/i.test(file)) throw new ModelFileError(`${file}: DepthLens does not read HDF5 models; save with model.save("model.keras") or write model.to_json()`);
  return jsonGraph(readCapped(file, MAX_JSON_BYTES, 'JSON models').toString('utf8'), file, false);
}

function located(message: string, at: ModelLocation): ImportProblem {
  return { code: 'DL001', severity: 'error', message, path: '', range: at.range ?? ORIGIN };
}

/** A model file → spec text. Never throws for a bad file: the problem comes back located. */
export function importModel(file: string, options: ImportOptions = {}): ImportResult {
  try {
    const graph = readModelGraph(file);
    const chain = toChain(graph, options);
    const { text, origins } = specText(chain, { name: graph.name, format: graph.format, file: basename(file) }, options);
    return { ok: true, model: { text, format: graph.format, name: graph.name, origins } };
  } catch (e) {
    if (e instanceof ModelFileError) return { ok: false, problem: located(e.message, e.at) };
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return { ok: false, problem: located(`cannot read ${file}: no such file`, {}) };
    if (err.code === 'EACCES') return { ok: false, problem: located(`cannot read ${file}: permission denied`, {}) };
    if (e instanceof RangeError || e instanceof TypeError) return { ok: false, problem: located(`${file} is malformed: ${e.message}`, {}) };
    throw e;
  }
}

/** The model layer a spec path belongs to (the longest origin path that is a prefix of it). */
export function originOf(origins: readonly LayerOrigin[], path: string): LayerOrigin | undefined {
  let best: LayerOrigin | undefined;
  for (const o of origins) {
    const prefix = path === o.path || path.startsWith(`${o.path}.`) || path.startsWith(`${o.path}[`);
    if (prefix && (!best || o.path.length > best.path.length)) best = o;
  }
  return best;
}

/** Findings on an imported spec, each naming the model layer it is about (the first, when it spans many). */
export function nameModelLayers(findings: readonly Finding[], origins: readonly LayerOrigin[]): Finding[] {
  return findings.map((f) => {
    const origin = originOf(origins, f.path);
    return origin ? { ...f, message: `${f.message} [model layer "${origin.name}"]` } : f;
  });
}

/** The same findings placed on the model file: at the layer where the file is text, else with no range (1:1). */
export function onModelFile(findings: readonly Finding[], origins: readonly LayerOrigin[]): Finding[] {
  return nameModelLayers(findings, origins).map((f) => {
    const { range: _range, ...rest } = f;
    const at = originOf(origins, f.path)?.at.range;
    return at ? { ...rest, range: at } : rest;
  });
}

export type SidecarResult =
  | { ok: true; text: string; model: ImportedModel; modelFile: string; /** The merged spec's findings, placed on the sidecar. */ place: (findings: readonly Finding[]) => Finding[] }
  | { ok: false; problem: ImportProblem };

/**
 * A spec that `extends` a model (README "Model import"): the model imported, the sidecar laid over it. null when the text
 * is an ordinary spec. Problems (a missing model, one DepthLens cannot import) are placed on the sidecar's extends line.
 */
export function importSidecar(text: string, file: string): SidecarResult | null {
  const ref = sidecarRef(text);
  if (ref === null) return null;
  const source = parseSpec(text, file).source;
  const at = source.get('extends')?.value ?? source.get('extends')?.key ?? ORIGIN;
  const fail = (message: string, range: Range = at): SidecarResult => ({ ok: false, problem: { code: 'DL001', severity: 'error', message, path: '', range } });
  if ('error' in ref) return fail(ref.error);
  const modelFile = sidecarModelPath(ref, file);
  const imported = importModel(modelFile, { ...(ref.from !== undefined ? { from: ref.from } : {}), ...(ref.to !== undefined ? { to: ref.to } : {}) });
  if (!imported.ok) {
    const p = imported.problem.range.start;
    return fail(`extends: ${ref.model}:${p.line + 1}:${p.character + 1}: ${imported.problem.message}`);
  }
  const merged = mergeSidecar(text, file, imported.model.text);
  if ('error' in merged) return fail(merged.error, merged.range);
  const origins = imported.model.origins;
  const place = (findings: readonly Finding[]): Finding[] =>
    onSidecar(findings, merged.source, (f) => {
      const origin = originOf(origins, f.path);
      if (!origin) return { finding: f };
      // A fix to a model layer has no key to edit in the sidecar.
      const { fix: _fix, alternatives: _alternatives, ...rest } = nameModelLayers([f], origins)[0]!;
      return { finding: rest, origin };
    });
  return { ok: true, text: merged.text, model: imported.model, modelFile, place };
}
