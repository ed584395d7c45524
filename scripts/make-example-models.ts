// Writes the same 50-block batch-normalized ReLU MLP (32 → 64 × 50 → 10 classes, He init, no bias) in four
// model formats under examples/models/: Keras 2 JSON (model.to_json(), Functional), a Keras 3 .keras archive
// (Sequential), a TensorFlow.js layers model.json (Sequential, as the converter writes it) and ONNX (Gemm +
// BatchNormalization + Relu, He-normal weights drawn in float64, laid out as torch.onnx.export writes nn.Linear). DepthLens
// imports all four to the same spec (test/unit/import.test.ts). It is the everyday MLP that DepthLens warns about: Gaussian
// weights with batch normalization make the gradient grow geometrically with depth (DL101), and ReLU cannot be shaped (DL103).
// Run: node --import tsx scripts/make-example-models.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gaussianMatrix } from '../src/engine/init';
import { Rng } from '../src/engine/rng';
import { encodeOnnx, type OnnxModel } from '../src/import';
import { writeZip } from './zip-writer';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'examples', 'models');
const NAME = 'bn_mlp_50';
const FEATURES = 32;
const WIDTH = 64;
const DEPTH = 50;
const CLASSES = 10;
const EPS = 0.001;

/** The layers in order: [name, kind]. */
const blocks = Array.from({ length: DEPTH }, (_, k) => ({ dense: `dense_${k + 1}`, bn: `batch_normalization_${k + 1}`, act: `relu_${k + 1}` }));

const heNormal = { class_name: 'HeNormal', config: { seed: null } };
const zeros = { class_name: 'Zeros', config: {} };
const dense = (name: string, units: number, extra: Record<string, unknown> = {}) => ({
  name, trainable: true, dtype: 'float32', units, activation: 'linear', use_bias: false,
  kernel_initializer: heNormal, bias_initializer: zeros, kernel_regularizer: null, bias_regularizer: null,
  activity_regularizer: null, kernel_constraint: null, bias_constraint: null, ...extra,
});
const batchNorm = (name: string) => ({
  name, trainable: true, dtype: 'float32', axis: -1, momentum: 0.99, epsilon: EPS, center: true, scale: true,
  beta_initializer: zeros, gamma_initializer: { class_name: 'Ones', config: {} },
  moving_mean_initializer: zeros, moving_variance_initializer: { class_name: 'Ones', config: {} },
});
const activation = (name: string) => ({ name, trainable: true, dtype: 'float32', activation: 'relu' });
const readout = () => ({ ...dense('readout', CLASSES), activation: 'softmax', use_bias: true, kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } } });

/** Keras 2 `model.to_json()` of the Functional model. */
function keras2Functional(): unknown {
  const layers: unknown[] = [{ class_name: 'InputLayer', config: { batch_input_shape: [null, FEATURES], dtype: 'float32', sparse: false, ragged: false, name: 'input_1' }, name: 'input_1', inbound_nodes: [] }];
  let previous = 'input_1';
  const add = (class_name: string, config: { name: string }) => {
    layers.push({ class_name, config, name: config.name, inbound_nodes: [[[previous, 0, 0, {}]]] });
    previous = config.name;
  };
  for (const b of blocks) {
    add('Dense', dense(b.dense, WIDTH));
    add('BatchNormalization', batchNorm(b.bn));
    add('Activation', activation(b.act));
  }
  add('Dense', readout());
  return {
    class_name: 'Functional',
    config: { name: NAME, trainable: true, layers, input_layers: [['input_1', 0, 0]], output_layers: [['readout', 0, 0]] },
    keras_version: '2.15.0',
    backend: 'tensorflow',
  };
}

/** Keras 3 config.json of the Sequential model (inside a .keras archive). */
function keras3Sequential(): unknown {
  const k3 = (class_name: string, config: Record<string, unknown>, inputWidth?: number) => ({
    module: 'keras.layers', class_name, config, registered_name: null,
    ...(inputWidth !== undefined ? { build_config: { input_shape: [null, inputWidth] } } : {}),
  });
  const init3 = (init: { class_name: string; config: unknown }) => ({ module: 'keras.initializers', ...init, registered_name: null });
  const layers: unknown[] = [k3('InputLayer', { batch_shape: [null, FEATURES], dtype: 'float32', sparse: false, name: 'input_layer' })];
  let width = FEATURES;
  for (const b of blocks) {
    layers.push(k3('Dense', { ...dense(b.dense, WIDTH), kernel_initializer: init3(heNormal), bias_initializer: init3(zeros) }, width));
    width = WIDTH;
    layers.push(k3('BatchNormalization', batchNorm(b.bn), width));
    layers.push(k3('Activation', activation(b.act), width));
  }
  layers.push(k3('Dense', { ...readout(), kernel_initializer: init3(readout().kernel_initializer) }, width));
  return {
    module: 'keras', class_name: 'Sequential',
    config: { name: NAME, trainable: true, dtype: 'float32', layers, build_input_shape: [null, FEATURES] },
    registered_name: null, build_config: { input_shape: [null, FEATURES] }, compile_config: null,
  };
}

/** A TensorFlow.js layers model.json as the converter writes it (Sequential, the input shape on the first layer). */
function tfjsLayers(): unknown {
  const layers: unknown[] = [];
  for (const [i, b] of blocks.entries()) {
    layers.push({ class_name: 'Dense', config: { ...dense(b.dense, WIDTH), ...(i === 0 ? { batch_input_shape: [null, FEATURES] } : {}) } });
    layers.push({ class_name: 'BatchNormalization', config: batchNorm(b.bn) });
    layers.push({ class_name: 'Activation', config: activation(b.act) });
  }
  layers.push({ class_name: 'Dense', config: readout() });
  return {
    format: 'layers-model',
    generatedBy: 'keras v2.15.0',
    convertedBy: 'DepthLens scripts/make-example-models.ts',
    modelTopology: { keras_version: '2.15.0', backend: 'tensorflow', model_config: { class_name: 'Sequential', config: { name: NAME, layers } } },
    // The weights are not needed for an initialization diagnostic, so none are written.
    weightsManifest: [],
  };
}

/** ONNX as torch.onnx.export writes nn.Linear(bias=False) → nn.BatchNorm1d → nn.ReLU, with He-normal weights. */
function onnx(): OnnxModel {
  const rng = new Rng(14);
  const model: OnnxModel = { name: NAME, inputs: [{ name: 'input', dims: [null, FEATURES] }], outputs: ['probabilities'], initializers: [], nodes: [] };
  let x = 'input';
  let width = FEATURES;
  for (const b of blocks) {
    model.initializers.push({ name: `${b.dense}.weight`, dims: [WIDTH, width], values: gaussianMatrix(WIDTH, width, Math.sqrt(2 / width), rng) });
    model.nodes.push({ name: b.dense, op: 'Gemm', inputs: [x, `${b.dense}.weight`], outputs: [`${b.dense}_out`], ints: { transB: 1 } });
    for (const [p, v] of [['weight', 1], ['bias', 0], ['running_mean', 0], ['running_var', 1]] as const) {
      model.initializers.push({ name: `${b.bn}.${p}`, dims: [WIDTH], values: new Array<number>(WIDTH).fill(v) });
    }
    model.nodes.push({ name: b.bn, op: 'BatchNormalization', inputs: [`${b.dense}_out`, ...['weight', 'bias', 'running_mean', 'running_var'].map((p) => `${b.bn}.${p}`)], outputs: [`${b.bn}_out`], floats: { epsilon: EPS } });
    model.nodes.push({ name: b.act, op: 'Relu', inputs: [`${b.bn}_out`], outputs: [`${b.act}_out`] });
    x = `${b.act}_out`;
    width = WIDTH;
  }
  const bound = Math.sqrt(6 / (WIDTH + CLASSES));
  model.initializers.push({ name: 'readout.weight', dims: [CLASSES, WIDTH], values: Array.from({ length: CLASSES * WIDTH }, () => (2 * rng.uniform() - 1) * bound) });
  model.initializers.push({ name: 'readout.bias', dims: [CLASSES], values: new Array<number>(CLASSES).fill(0) });
  model.nodes.push({ name: 'readout', op: 'Gemm', inputs: [x, 'readout.weight', 'readout.bias'], outputs: ['logits'], ints: { transB: 1 } });
  model.nodes.push({ name: 'softmax', op: 'Softmax', inputs: ['logits'], outputs: ['probabilities'], ints: { axis: -1 } });
  return model;
}

const json = (v: unknown) => `${JSON.stringify(v, null, 1)}\n`;
mkdirSync(join(out, 'tfjs'), { recursive: true });
writeFileSync(join(out, 'bn-mlp-50.keras.json'), json(keras2Functional()));
writeFileSync(join(out, 'tfjs', 'model.json'), json(tfjsLayers()));
writeFileSync(
  join(out, 'bn-mlp-50.keras'),
  writeZip([
    { name: 'metadata.json', data: Buffer.from(json({ keras_version: '3.6.0', date_saved: '2026-11-28@00:00:00' })) },
    { name: 'config.json', data: Buffer.from(json(keras3Sequential())), deflate: true },
  ]),
);
writeFileSync(join(out, 'bn-mlp-50.onnx'), encodeOnnx(onnx()));
console.log(`wrote ${out}/{bn-mlp-50.keras.json, bn-mlp-50.keras, tfjs/model.json, bn-mlp-50.onnx}`);
