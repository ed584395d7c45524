// The chain of model layers → the text of a DepthLens spec in the explicit `layers:` form, one line per layer with the
// model's layer name in a comment, and the map from each layer's spec path back to the model layer.
import type { SpecPath } from '../shared/findings';
import { ModelFileError, type ModelLocation } from './errors';
import type { Chain, ChainItem, ModelFormat, ModelNode } from './graph';

/** Batch used when neither the command line nor a sidecar gives one: a common training batch (README "Model import"). */
export const DEFAULT_BATCH = 64;
/** Classes of the readout when the model has no output layer of its own. */
export const DEFAULT_CLASSES = 10;

export const FORMAT_NAMES: Record<ModelFormat, string> = {
  'keras-json': 'Keras JSON',
  'keras-archive': 'Keras .keras archive',
  'tfjs-layers': 'TensorFlow.js layers model',
  onnx: 'ONNX',
};

/** A layer of the spec and the model layer it came from. */
export interface LayerOrigin {
  path: SpecPath;
  name: string;
  type: string;
  at: ModelLocation;
}

export interface SpecOptions {
  /** data.batch; DEFAULT_BATCH when absent. */
  batch?: number;
}

export interface GeneratedSpec {
  text: string;
  origins: LayerOrigin[];
}

/** Shortest decimal that reads back as the same float32 (0.001f prints as 0.001, not 0.0010000000474974513). */
export function shortFloat(x: number): number {
  if (Math.fround(x) !== x) return x;
  for (let p = 1; p <= 9; p++) {
    const y = Number(x.toPrecision(p));
    if (Math.fround(y) === x) return y;
  }
  return x;
}

/** A YAML comment: one line, no control characters. */
const comment = (s: string): string => s.replace(/[\u0000-\u001f\u007f]/g, ' ');

function layerLine(node: ModelNode, width: number, activationOnly = false): { line: string; width: number } {
  const op = node.op;
  if (op.kind === 'dense' && !activationOnly) {
    const init = op.init(width, op.units);
    if ('error' in init) throw new ModelFileError(`layer "${node.name}" (${node.type}): ${init.error}`, node.at);
    const parts = [`units: ${op.units}`, `init: ${init.init}`];
    if (init.gain !== 1) parts.push(`init-gain: ${init.gain}`);
    if (op.bias) parts.push('bias: true');
    return { line: `dense: {${parts.join(', ')}}`, width: op.units };
  }
  if (op.kind === 'norm') return { line: `${op.norm}: {center: true, eps: ${shortFloat(op.eps)}}`, width };
  const act = op.kind === 'activation' ? op : op.kind === 'dense' && op.activation && op.activation !== 'softmax' ? op.activation : null;
  if (!act) throw new ModelFileError(`layer "${node.name}" (${node.type}) has no DepthLens counterpart here`, node.at);
  const line = act.fn === 'leaky-relu' ? `activation: {fn: leaky-relu, slope: ${shortFloat(act.slope ?? 0.01)}}` : `activation: ${act.fn}`;
  return { line, width };
}

function emit(items: readonly ChainItem[], base: SpecPath, indent: string, width: number, lines: string[], origins: LayerOrigin[]): number {
  let index = 0;
  const push = (node: ModelNode, text: string, suffix = ''): SpecPath => {
    const path = `${base}[${index++}]`;
    lines.push(`${indent}- ${text}  # ${comment(node.name)} (${comment(node.type)}${suffix})`);
    origins.push({ path, name: node.name, type: node.type, at: node.at });
    return path;
  };
  for (const item of items) {
    if (item.kind === 'residual') {
      const path = push(item.node, 'residual:');
      lines.push(`${indent}    alpha: 1`, `${indent}    layers:`);
      const after = emit(item.body, `${path}.residual.layers`, `${indent}      `, width, lines, origins);
      if (after !== width) {
        throw new ModelFileError(`layer "${item.node.name}" (${item.node.type}) adds a branch of width ${after} to its input of width ${width}`, item.node.at);
      }
      if (item.body.length === 0) throw new ModelFileError(`layer "${item.node.name}" (${item.node.type}) adds its input to itself`, item.node.at);
      continue;
    }
    const node = item.node;
    const first = layerLine(node, width);
    push(node, first.line, node.op.kind === 'dense' ? `, ${node.op.initName}` : '');
    width = first.width;
    if (node.op.kind === 'dense' && node.op.activation && node.op.activation !== 'softmax') push(node, layerLine(node, width, true).line, ', its activation');
  }
  return width;
}

/** The spec text for a chain. Throws ModelFileError for a layer it cannot express (an initializer DepthLens cannot draw). */
export function specText(chain: Chain, model: { name: string; format: ModelFormat; file: string }, options: SpecOptions = {}): GeneratedSpec {
  const lines: string[] = [];
  const origins: LayerOrigin[] = [];
  const layers: string[] = [];
  emit(chain.items, 'model.layers', '    ', chain.features, layers, origins);
  if (layers.length === 0) throw new ModelFileError('the selected part of the model has no layers DepthLens analyzes');
  const units = chain.readout?.units;
  const classes = units !== undefined && units >= 2 ? Math.min(units, 10000) : DEFAULT_CLASSES;
  const batch = options.batch ?? DEFAULT_BATCH;
  lines.push(
    `# DepthLens spec imported from ${comment(model.file)} (${FORMAT_NAMES[model.format]}); the comments name the model's layers.`,
    options.batch === undefined
      ? `# The model does not record the training batch: ${DEFAULT_BATCH} is DepthLens's default (depthlens import --batch N).`
      : '# The batch was given on the command line (--batch).',
    chain.readout
      ? `# The model's output layer "${comment(chain.readout.node.name)}" is DepthLens's readout: ${classes} classes.`
      : `# The model has no output layer of its own here: DepthLens adds its linear readout (${classes} classes).`,
    'depthlens: 1',
    `name: ${JSON.stringify(model.name)}`,
    'data:',
    '  source: gaussian',
    `  features: ${chain.features}`,
    `  batch: ${batch}`,
    `  classes: ${classes}`,
  );
  if (units === 1) lines.push('loss: mse');
  lines.push('model:', '  layers:', ...layers, '');
  return { text: lines.join('\n'), origins };
}
