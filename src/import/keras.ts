// Keras model configs → the model graph: `model.to_json()` of Keras 2 and Keras 3, the config.json of a .keras archive and
// the modelTopology of a TensorFlow.js layers model.json all hold the same {class_name, config} tree (Sequential or
// Functional). Layers are read by class name; anything else becomes an `unsupported` node named by its class.
import type { Activation } from '../spec/types';
import { ModelFileError, type ModelLocation } from './errors';
import { MAX_NODES, type InitRule, type LayerOp, type ModelFormat, type ModelGraph, type ModelNode } from './graph';
import { kerasInit, normalizeName } from './initializers';
import type { JsonText } from './jsonText';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Keras / TF.js activation identifiers DepthLens has (Keras 3 leaky_relu's default slope is 0.2). */
const ACTIVATION_NAMES: Record<string, { fn: Activation; slope?: number } | 'softmax' | null> = {
  linear: null,
  identity: null,
  relu: { fn: 'relu' },
  tanh: { fn: 'tanh' },
  sigmoid: { fn: 'sigmoid' },
  gelu: { fn: 'gelu' },
  selu: { fn: 'selu' },
  sin: { fn: 'sin' },
  leakyrelu: { fn: 'leaky-relu', slope: 0.2 },
  softmax: 'softmax',
};

/** An activation as Keras serializes it: "tanh", or Keras 3's {class_name: "function", config: "tanh"}. */
function activationOf(v: unknown): { fn: Activation; slope?: number } | 'softmax' | null | { unsupported: string } {
  const name = typeof v === 'string' ? v : isObject(v) && typeof v.config === 'string' ? v.config : isObject(v) && typeof v.class_name === 'string' ? v.class_name : 'linear';
  const known = ACTIVATION_NAMES[normalizeName(name)];
  return known === undefined ? { unsupported: `activation "${name}"` } : known;
}

function shapeOf(config: Json): unknown[] | null {
  const s = config.batch_input_shape ?? config.batch_shape ?? config.batchInputShape ?? (isObject(config.build_config) ? config.build_config.input_shape : undefined);
  return Array.isArray(s) ? s : null;
}

const widthOf = (shape: unknown[] | null): number | null => {
  const last = shape?.[shape.length - 1];
  return typeof last === 'number' && Number.isInteger(last) && last > 0 ? last : null;
};

const number = (config: Json, key: string, fallback: number): number => {
  const v = config[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
};

/** One Keras layer → its graph op. */
function opOf(className: string, config: Json, buildShape: unknown[] | null): LayerOp {
  const unsupported = (why?: string): LayerOp => ({ kind: 'unsupported', ...(why ? { why } : {}) });
  switch (className) {
    case 'InputLayer': {
      const shape = shapeOf(config);
      if (shape && shape.length !== 2) return unsupported(`an input of shape [${shape.map(String).join(', ')}]; DepthLens models flat feature vectors`);
      return { kind: 'input', features: widthOf(shape) };
    }
    case 'Dense': {
      const units = config.units;
      if (typeof units !== 'number' || !Number.isInteger(units) || units < 1) return unsupported(`units ${JSON.stringify(units)} is not a positive whole number`);
      const act = activationOf(config.activation);
      if (act !== null && act !== 'softmax' && 'unsupported' in act) return unsupported(`its ${act.unsupported}`);
      const init = kerasInit(config.kernel_initializer);
      const rule: InitRule = 'error' in init ? () => ({ error: init.error }) : init.rule;
      const dense: LayerOp = {
        kind: 'dense',
        units,
        fanIn: widthOf(buildShape),
        init: rule,
        initName: 'error' in init ? '?' : init.name,
        bias: config.use_bias !== false && config.useBias !== false,
        ...(act !== null ? { activation: act } : {}),
      };
      return dense;
    }
    case 'BatchNormalization':
      return { kind: 'norm', norm: 'batchnorm', eps: number(config, 'epsilon', 1e-3) };
    case 'LayerNormalization':
      return { kind: 'norm', norm: 'layernorm', eps: number(config, 'epsilon', 1e-3) };
    case 'Activation': {
      const act = activationOf(config.activation);
      if (act === null) return { kind: 'pass' };
      if (act === 'softmax') return { kind: 'softmax' };
      if ('unsupported' in act) return unsupported(`its ${act.unsupported}`);
      return { kind: 'activation', ...act };
    }
    case 'ReLU': {
      if (config.max_value !== null && config.max_value !== undefined) return unsupported(`max_value ${String(config.max_value)} (a clipped ReLU)`);
      if (number(config, 'threshold', 0) !== 0) return unsupported(`threshold ${String(config.threshold)}`);
      const slope = number(config, 'negative_slope', 0);
      return slope === 0 ? { kind: 'activation', fn: 'relu' } : { kind: 'activation', fn: 'leaky-relu', slope };
    }
    case 'LeakyReLU':
      return { kind: 'activation', fn: 'leaky-relu', slope: number(config, 'negative_slope', number(config, 'alpha', 0.3)) };
    case 'Softmax':
      return { kind: 'softmax' };
    case 'Add':
      return { kind: 'add' };
    case 'Dropout':
    case 'AlphaDropout':
    case 'GaussianDropout':
    case 'GaussianNoise':
    case 'ActivityRegularization':
    case 'Identity':
    case 'Flatten':
      return { kind: 'pass' };
    default:
      return unsupported();
  }
}

/** The layer names a Keras 3 call's args refer to: every keras_history inside them (bounded walk). */
function historyNames(args: unknown, out: string[], depth = 0): void {
  if (depth > 8 || out.length > 16) return;
  if (Array.isArray(args)) for (const a of args) historyNames(a, out, depth + 1);
  else if (isObject(args)) {
    const config = args.config;
    if (args.class_name === '__keras_tensor__' && isObject(config) && Array.isArray(config.keras_history) && typeof config.keras_history[0] === 'string') {
      out.push(config.keras_history[0]);
    } else for (const v of Object.values(args)) historyNames(v, out, depth + 1);
  }
}

/** Inputs of a functional layer: Keras 2 / TF.js [[["name", node, tensor, {}], …]] or Keras 3 [{args, kwargs}]. */
function inboundOf(layer: Json, name: string, where: ModelLocation): string[] {
  const inbound = layer.inbound_nodes;
  if (!Array.isArray(inbound) || inbound.length === 0) return [];
  if (inbound.length > 1) throw new ModelFileError(`layer "${name}" is called ${inbound.length} times (shared weights); DepthLens analyzes each layer once`, where);
  const call = inbound[0];
  if (Array.isArray(call)) return call.filter(Array.isArray).map((t) => String((t as unknown[])[0]));
  if (isObject(call)) {
    const names: string[] = [];
    historyNames(call.args, names);
    return names;
  }
  return [];
}

/** The {class_name, config} model tree inside a Keras JSON, a .keras config.json or a TF.js model.json. */
export function modelTree(data: unknown, what: string): Json {
  if (!isObject(data)) throw new ModelFileError(`${what} is not a model: expected a JSON object with class_name and config`);
  const topology = isObject(data.modelTopology) ? data.modelTopology : data;
  const tree = isObject(topology.model_config) ? topology.model_config : topology;
  if (typeof tree.class_name !== 'string') {
    const hint = data.format === 'graph-model' ? ' (a TensorFlow.js graph model; DepthLens reads layers models)' : '';
    throw new ModelFileError(`${what} has no model class_name${hint}; expected a Keras or TensorFlow.js layers model`);
  }
  return tree;
}

/** A Keras / TF.js model tree → the graph. Nested models (a Sequential inside a Functional) are unsupported nodes. */
export function kerasGraph(tree: Json, format: ModelFormat, text: JsonText | null): ModelGraph {
  const config = tree.config;
  const sequential = tree.class_name === 'Sequential';
  if (!sequential && !['Functional', 'Model'].includes(String(tree.class_name))) {
    throw new ModelFileError(`the model is a ${String(tree.class_name)}; DepthLens reads Sequential and Functional models`);
  }
  // Keras ≤ 2.1 wrote a Sequential's config as the bare layer list.
  const layers = Array.isArray(config) ? config : isObject(config) ? config.layers : undefined;
  if (!Array.isArray(layers)) throw new ModelFileError('the model config has no layers list');
  if (layers.length > MAX_NODES) throw new ModelFileError(`the model has ${layers.length} layers; DepthLens imports at most ${MAX_NODES}`);
  const name = isObject(config) && typeof config.name === 'string' ? config.name : 'model';
  const nodes: ModelNode[] = [];
  let previous: string | null = null;
  layers.forEach((layer, i) => {
    if (!isObject(layer)) throw new ModelFileError(`layer ${i} of the model is not an object`);
    const layerConfig = isObject(layer.config) ? layer.config : {};
    const layerName = typeof layer.name === 'string' ? layer.name : typeof layerConfig.name === 'string' ? layerConfig.name : `layer_${i}`;
    const className = typeof layer.class_name === 'string' ? layer.class_name : '?';
    const at: ModelLocation = text?.layerRange(layerName) ? { range: text.layerRange(layerName)! } : {};
    const buildShape = isObject(layer.build_config) ? shapeOf({ build_config: layer.build_config }) : shapeOf(layerConfig);
    let inputs: string[];
    if (sequential) {
      if (previous === null && className !== 'InputLayer') {
        // A Sequential without an InputLayer records its input shape on the first layer.
        const input = '(input)';
        nodes.push({ name: input, type: 'input', inputs: [], op: { kind: 'input', features: widthOf(shapeOf(layerConfig) ?? buildShape) }, at });
        previous = input;
      }
      inputs = previous === null ? [] : [previous];
    } else inputs = inboundOf(layer, layerName, at);
    nodes.push({ name: layerName, type: className, inputs, op: opOf(className, layerConfig, buildShape), at });
    previous = layerName;
  });
  return { name, format, nodes };
}
