// A model file given where a spec is expected (`depthlens check|analyze model.onnx`): imported to spec text first, and
// the findings placed back on the model file, each naming its model layer.
import { importModel, importSidecar, looksLikeModelFile, onModelFile, type ImportOptions } from '../import';
import { readSpecText } from '../spec';
import type { Finding } from '../shared/findings';

/** Options of the commands that read models (and ignore them for specs). */
export interface ModelOptions extends ImportOptions {}

export type SpecSource =
  | {
      ok: true;
      text: string;
      /** The path the spec is parsed as (a model's virtual .depthlens.yaml beside it). */
      specFile: string;
      /** The spec's findings as they read for the file given: on the model's layers, or on a sidecar's keys. */
      place: (findings: readonly Finding[]) => Finding[];
    }
  | { ok: false; findings: Finding[] };

export function readSpecOrModel(file: string, options: ModelOptions = {}): SpecSource {
  if (looksLikeModelFile(file)) {
    const imported = importModel(file, options);
    if (!imported.ok) return { ok: false, findings: [{ ...imported.problem, measured: false }] };
    const origins = imported.model.origins;
    return { ok: true, text: imported.model.text, specFile: `${file}.depthlens.yaml`, place: (f) => onModelFile(f, origins) };
  }
  const read = readSpecText(file);
  if (!read.ok) return { ok: false, findings: read.result.problems.map((p) => ({ ...p, measured: false })) };
  const sidecar = importSidecar(read.text, file);
  if (sidecar === null) return { ok: true, text: read.text, specFile: file, place: (f) => [...f] };
  if (!sidecar.ok) return { ok: false, findings: [{ ...sidecar.problem, measured: false }] };
  return { ok: true, text: sidecar.text, specFile: file, place: sidecar.place };
}

/** `--batch N`, `--from LAYER`, `--to LAYER`: the value's problem, or null when it was taken. */
export function applyModelOption(options: ModelOptions, name: '--batch' | '--from' | '--to', value: string): string | null {
  if (name === '--batch') {
    if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 8192) return `--batch: expected a whole number from 1 to 8192, got "${value}"`;
    options.batch = Number(value);
  } else if (value === '') return `${name} needs a layer name`;
  else if (name === '--from') options.from = value;
  else options.to = value;
  return null;
}

export const MODEL_OPTIONS_HELP = [
  ['--batch N', 'for a model file: the BN batch (the file does not record it; default 64)'],
  ['--from LAYER', 'for a model file: analyze from this layer of the model on (its name in the file)'],
  ['--to LAYER', 'for a model file: analyze up to this layer (the readout is then DepthLens\'s own)'],
] as const;
