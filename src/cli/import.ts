// `depthlens import <model> [-o spec.depthlens.yaml] [--batch N] [--from LAYER] [--to LAYER]`: a Keras, TF.js or ONNX
// model → a DepthLens spec in the explicit layers form, each layer's model name in a comment.
import { FORMAT_NAMES, importModel } from '../import';
import type { CliIO } from './check';
import { formatFinding } from './format';
import { applyModelOption, MODEL_OPTIONS_HELP, type ModelOptions } from './modelInput';
import { writeOutputFile } from './outputFile';

const consoleIO: CliIO = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };

export const importUsage = `Usage: depthlens import <model> [-o spec.depthlens.yaml] [--batch N] [--from LAYER] [--to LAYER]

Reads a model's architecture and writes the DepthLens spec for it (explicit layers: form, each layer's name in the model
as a comment). Models: Keras JSON (model.to_json(), Keras 2 and 3), .keras archives, TensorFlow.js layers model.json,
ONNX (.onnx). Anything outside dense / normalization / activation / residual-add layers is an error naming the first such
layer; name an MLP part of a larger model with --from and --to. See README "Model import".

Options:
  -o, --output FILE  write the spec there (default: print it)
${MODEL_OPTIONS_HELP.map(([o, h]) => `  ${o.padEnd(17)}  ${h}`).join('\n')}
  -h, --help         show this help

Exit status: 0 written, 2 a model DepthLens cannot import or a usage error.`;

export async function runImport(argv: readonly string[], io: CliIO = consoleIO): Promise<number> {
  const options: ModelOptions = {};
  const files: string[] = [];
  let output: string | null = null;
  const fail = (message: string): number => {
    io.err(`depthlens import: ${message}\n\n${importUsage}`);
    return 2;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') {
      io.out(importUsage);
      return 0;
    }
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (['-o', '--output', '--batch', '--from', '--to'].includes(name)) {
      const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (value === undefined) return fail(`${name} needs a value`);
      if (name === '-o' || name === '--output') output = value;
      else {
        const problem = applyModelOption(options, name as '--batch' | '--from' | '--to', value);
        if (problem) return fail(problem);
      }
    } else if (a.startsWith('-') && a !== '-') return fail(`unknown option ${a}`);
    else files.push(a);
  }
  if (files.length !== 1) return fail(files.length === 0 ? 'no model file given' : `one model at a time (got ${files.length})`);
  const file = files[0]!;
  const result = importModel(file, options);
  if (!result.ok) {
    io.err(formatFinding(file, { ...result.problem, measured: false }));
    return 2;
  }
  if (output === null) {
    io.out(result.model.text.replace(/\n$/, ''));
    return 0;
  }
  try {
    writeOutputFile('spec', output, result.model.text);
  } catch (e) {
    io.err(`depthlens import: ${(e as Error).message}`);
    return 2;
  }
  io.err(`${file} (${FORMAT_NAMES[result.model.format]}, ${result.model.origins.length} layers) → ${output}`);
  return 0;
}
