// The import stage: the example model in four formats gives one spec and one set of findings; layers map per the README
// table; unsupported layers, sub-graphs, residual adds; malformed and hostile files give located errors in bounded time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeOnnx, importModel, nameModelLayers, type ImportedModel, type ImportResult, type OnnxModel } from '../../src/import';
import { parseSpec } from '../../src/spec';
import { checkText } from '../../src/theory';
import { Rng } from '../../src/engine/rng';
import { writeZip } from '../../scripts/zip-writer';

const root = join(__dirname, '../..');
const examples = ['bn-mlp-50.keras.json', 'bn-mlp-50.keras', 'tfjs/model.json', 'bn-mlp-50.onnx'].map((f) => join(root, 'examples/models', f));
const dir = mkdtempSync(join(tmpdir(), 'depthlens-import-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function imported(r: ImportResult): ImportedModel {
  if (!r.ok) assert.fail(`import failed: ${r.problem.message}`);
  return r.model;
}

function problem(r: ImportResult): { message: string; line: number; character: number } {
  if (r.ok) assert.fail('expected the import to fail');
  return { message: r.problem.message, line: r.problem.range.start.line, character: r.problem.range.start.character };
}

const withoutComments = (text: string): string => text.split('\n').map((l) => l.replace(/(^|\s+)#.*$/, '')).filter((l) => l !== '').join('\n');

test('import: the example MLP in Keras 2 JSON, Keras 3 .keras, TF.js model.json and ONNX gives one spec and one set of findings', () => {
  const results = examples.map((f) => imported(importModel(f)));
  const [first, ...rest] = results;
  for (const r of rest) assert.equal(withoutComments(r.text), withoutComments(first!.text));
  const specs = results.map((r) => parseSpec(r.text, ''));
  for (const s of specs) assert.deepEqual(s.problems, []);
  for (const s of specs.slice(1)) assert.deepEqual(s.spec, specs[0]!.spec);
  const findings = results.map((r) => nameModelLayers(checkText(r.text, '').findings, r.origins));
  for (const f of findings.slice(1)) assert.deepEqual(f, findings[0]);

  // What the generator wrote (scripts/make-example-models.ts), read back independently of the importer.
  const spec = specs[0]!.spec!;
  assert.equal(spec.name, 'bn_mlp_50');
  assert.deepEqual([spec.data.features, spec.data.batch, spec.data.classes], [32, 64, 10]);
  assert.equal(spec.model.layers.length, 150);
  assert.equal(spec.model.depth, 50);
  assert.equal(spec.model.width, 64);
  assert.deepEqual(spec.model.layers.slice(0, 3).map((l) => l.kind), ['dense', 'batchnorm', 'activation']);
  const dense = spec.model.layers.filter((l) => l.kind === 'dense');
  assert.ok(dense.every((l) => l.kind === 'dense' && l.init === 'he' && l.gain === 1 && !l.bias && l.units === 64));
  assert.ok(spec.model.layers.every((l) => l.kind !== 'batchnorm' || (l.eps === 0.001 && l.center)));
  assert.ok(spec.model.layers.every((l) => l.kind !== 'activation' || l.fn === 'relu'));
  assert.deepEqual(first!.origins.slice(0, 3).map((o) => o.name), ['dense_1', 'batch_normalization_1', 'relu_1']);
  assert.deepEqual(first!.origins.at(-1), { ...first!.origins.at(-1)!, path: 'model.layers[149]', name: 'relu_50' });

  // He + BN + ReLU at depth 50: DL101 on the first dense layer, DL103 on the first activation, named by the model's layers.
  const codes = findings[0]!.map((f) => `${f.code} ${f.message.match(/\[model layer "([^"]+)"\]$/)?.[1]}`);
  assert.deepEqual(codes.sort(), ['DL101 dense_1', 'DL103 relu_1']);
});

test('import: the Keras JSON finding points at the layer in the model file', () => {
  const text = readFileSync(examples[0]!, 'utf8');
  const r = imported(importModel(examples[0]!));
  const origin = r.origins.find((o) => o.name === 'relu_1');
  const line = origin?.at.range?.start.line;
  assert.ok(line !== undefined);
  assert.match(text.split('\n')[line]!, /"name": "relu_1"/);
});

// A Keras 2 Functional model built from [name, class, config, inputs] rows.
function functional(layers: [string, string, Record<string, unknown>, string[]][]): string {
  return JSON.stringify(
    {
      class_name: 'Functional',
      config: {
        name: 'm',
        layers: layers.map(([name, class_name, config, inputs]) => ({
          class_name,
          name,
          config: { name, ...config },
          inbound_nodes: inputs.length ? [inputs.map((i) => [i, 0, 0, {}])] : [],
        })),
      },
    },
    null,
    1,
  );
}
const input = (features: number): [string, string, Record<string, unknown>, string[]] => ['in', 'InputLayer', { batch_input_shape: [null, features] }, []];

test('import: a Conv2D is an error naming the first unsupported layer and its type, at its line', () => {
  const text = functional([input(16), ['d1', 'Dense', { units: 16 }, ['in']], ['conv', 'Conv2D', { filters: 8 }, ['d1']], ['lstm', 'LSTM', {}, ['conv']]]);
  const path = file('conv.keras.json', text);
  const p = problem(importModel(path));
  assert.match(p.message, /layer "conv" \(Conv2D\) is outside what DepthLens analyzes/);
  assert.match(text.split('\n')[p.line]!, /"name": "conv"/);
  // The MLP part before it imports when named.
  const part = imported(importModel(path, { to: 'd1' }));
  assert.match(part.text, /- dense: \{units: 16, init: xavier, bias: true\}  # d1 \(Dense, GlorotUniform, the Dense default\)$/m);
});

test('import: --from/--to select a sub-graph; its input width is the width entering --from', () => {
  const text = functional([
    input(8),
    ['conv', 'Conv1D', {}, ['in']],
    ['flat', 'Flatten', {}, ['conv']],
    ['d1', 'Dense', { units: 32, use_bias: false, kernel_initializer: { class_name: 'Orthogonal', config: { gain: 2 } } }, ['flat']],
    ['bn1', 'BatchNormalization', { epsilon: 1e-5 }, ['d1']],
    ['a1', 'Activation', { activation: 'tanh' }, ['bn1']],
    ['d2', 'Dense', { units: 32, activation: 'selu', kernel_initializer: { class_name: 'VarianceScaling', config: { scale: 2, mode: 'fan_in', distribution: 'truncated_normal' } } }, ['a1']],
    ['head', 'Dense', { units: 3, activation: 'softmax' }, ['d2']],
  ]);
  const path = file('sub.keras.json', text);
  assert.match(problem(importModel(path)).message, /"conv" \(Conv1D\)/);
  const r = imported(importModel(path, { from: 'bn1', to: 'd2', batch: 32 }));
  const spec = parseSpec(r.text, '').spec!;
  assert.equal(spec.data.features, 32);
  assert.equal(spec.data.batch, 32);
  assert.deepEqual(spec.model.layers.map((l) => l.kind), ['batchnorm', 'activation', 'dense', 'activation']);
  assert.deepEqual(r.origins.map((o) => o.name), ['bn1', 'a1', 'd2', 'd2']);
  const d2 = spec.model.layers[2]!;
  assert.ok(d2.kind === 'dense' && d2.init === 'he' && d2.gain === 1 && d2.bias);
  assert.match(problem(importModel(path, { from: 'nope' })).message, /--from nope: the model has no layer of that name/);
  assert.match(problem(importModel(path, { from: 'd2', to: 'bn1' })).message, /comes before/);
  // From d1 to the end: Orthogonal(gain 2) and the softmax head as the readout.
  const tail = parseSpec(imported(importModel(path, { from: 'd1' })).text, '').spec!;
  assert.equal(tail.data.classes, 3);
  assert.equal(tail.data.features, 8);
  const d1 = tail.model.layers[0]!;
  assert.ok(d1.kind === 'dense' && d1.init === 'orthogonal' && d1.gain === 2 && !d1.bias);
});

test('import: Keras initializers map to the scheme of equal variance (README table)', () => {
  const cases: [unknown, string][] = [
    [{ class_name: 'GlorotUniform', config: {} }, 'init: xavier'],
    [{ class_name: 'HeUniform', config: {} }, 'init: he'],
    [{ class_name: 'LecunNormal', config: {} }, 'init: gaussian'],
    // N(0, 0.1²) on fan-in 64: gain = 0.1·√64 = 0.8.
    [{ class_name: 'RandomNormal', config: { mean: 0, stddev: 0.1 } }, 'init: gaussian, init-gain: 0.8'],
    // U(−0.3, 0.3): variance 0.6²/12 = 0.03, gain √(0.03·64) = 1.38564.
    [{ class_name: 'RandomUniform', config: { minval: -0.3, maxval: 0.3 } }, 'init: gaussian, init-gain: 1.38564'],
    [{ class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'uniform' } }, 'init: xavier'],
  ];
  for (const [init, expected] of cases) {
    const path = file('init.keras.json', functional([input(64), ['d', 'Dense', { units: 64, use_bias: false, kernel_initializer: init }, ['in']]]));
    assert.match(imported(importModel(path, { to: 'd' })).text, new RegExp(`dense: \\{units: 64, ${expected.replace(/\./g, '\\.')}\\}`), JSON.stringify(init));
  }
  const zeros = file('zeros.keras.json', functional([input(4), ['d', 'Dense', { units: 4, kernel_initializer: { class_name: 'Zeros', config: {} } }, ['in']]]));
  assert.match(problem(importModel(zeros, { to: 'd' })).message, /layer "d" \(Dense\): Zeros is not an initializer DepthLens can draw/);
});

test('import: a residual add becomes a residual item; an add that is not x + f(x) is refused', () => {
  const ok = functional([
    input(16),
    ['d0', 'Dense', { units: 16 }, ['in']],
    ['d1', 'Dense', { units: 16 }, ['d0']],
    ['r1', 'ReLU', {}, ['d1']],
    ['add', 'Add', {}, ['d0', 'r1']],
    ['ln', 'LayerNormalization', { epsilon: 0.001 }, ['add']],
  ]);
  const spec = parseSpec(imported(importModel(file('res.keras.json', ok))).text, '').spec!;
  assert.deepEqual(spec.model.layers.map((l) => l.kind), ['dense', 'residual', 'layernorm']);
  const res = spec.model.layers[1]!;
  assert.ok(res.kind === 'residual' && res.alpha === 1 && res.body.map((l) => l.kind).join() === 'dense,activation');
  const bad = functional([input(16), ['a', 'Dense', { units: 16 }, ['in']], ['b', 'Dense', { units: 16 }, ['in']], ['add', 'Add', {}, ['a', 'b']]]);
  assert.match(problem(importModel(file('bad.keras.json', bad))).message, /"add" \(Add\) does not add a branch to its own input|reads "in", not the layer before it/);
});

test('import: a cyclic graph and a dangling input are located errors', () => {
  const cyclic = functional([input(4), ['a', 'Dense', { units: 4 }, ['b']], ['b', 'Dense', { units: 4 }, ['a']]]);
  const p = problem(importModel(file('cyclic.keras.json', cyclic)));
  assert.match(p.message, /cycle through layer "a" \(Dense\)/);
  assert.ok(p.line > 0);
  const dangling = functional([input(4), ['a', 'Dense', { units: 4 }, ['ghost']]]);
  assert.match(problem(importModel(file('dangling.keras.json', dangling))).message, /reads "ghost", which no layer of the model produces/);
});

test('import: malformed JSON gives the line and column of the error', () => {
  const p = problem(importModel(file('broken.keras.json', '{\n  "class_name": "Sequential",\n  "config": {"layers": [}\n}')));
  assert.match(p.message, /is not valid JSON/);
  assert.equal(p.line, 2);
  assert.match(problem(importModel(file('model.json', '{"format": "graph-model", "modelTopology": {"node": []}}'))).message, /no model class_name/);
});

// A small ONNX MLP: Gemm (transB) or MatMul + Add(bias), then the given ops.
function onnxMlp(extra: OnnxModel['nodes'] = [], weights?: (rows: number, cols: number) => number[]): OnnxModel {
  const rng = new Rng(3);
  const draw = weights ?? ((r: number, c: number) => Array.from({ length: r * c }, () => rng.normal() * Math.sqrt(1 / 48)));
  return {
    name: 'small',
    inputs: [{ name: 'x', dims: [null, 48] }],
    outputs: ['y'],
    initializers: [
      { name: 'w1', dims: [48, 48], values: draw(48, 48) },
      { name: 'w2', dims: [48, 48], values: draw(48, 48) },
      { name: 'b2', dims: [48], values: new Array(48).fill(0) },
    ],
    nodes: [
      { name: 'fc1', op: 'Gemm', inputs: ['x', 'w1'], outputs: ['h1'], ints: { transB: 1 } },
      { name: 'act1', op: 'LeakyRelu', inputs: ['h1'], outputs: ['a1'], floats: { alpha: 0.1 } },
      { name: 'fc2', op: 'MatMul', inputs: ['a1', 'w2'], outputs: ['h2'] },
      { name: 'bias2', op: 'Add', inputs: ['h2', 'b2'], outputs: ['h3'] },
      { name: 'res', op: 'Add', inputs: ['a1', 'h3'], outputs: ['h4'] },
      ...extra,
    ],
  };
}

test('import: ONNX Gemm, MatMul + bias Add, LeakyRelu and a residual Add; the init read from the weights', () => {
  const r = imported(importModel(file('small.onnx', encodeOnnx(onnxMlp([{ name: 'ln', op: 'LayerNormalization', inputs: ['h4'], outputs: ['y'] }])))));
  const spec = parseSpec(r.text, '').spec!;
  assert.deepEqual(spec.model.layers.map((l) => l.kind), ['dense', 'activation', 'residual', 'layernorm']);
  const [fc1, act] = spec.model.layers;
  // N(0, 1/48) weights are LeCun's variance: gaussian, gain 1.
  assert.ok(fc1!.kind === 'dense' && fc1!.init === 'gaussian' && fc1!.gain === 1 && !fc1!.bias);
  assert.ok(act!.kind === 'activation' && act!.fn === 'leaky-relu' && act!.slope === 0.1);
  const res = spec.model.layers[2]!;
  assert.ok(res.kind === 'residual' && res.body.length === 1 && res.body[0]!.kind === 'dense' && res.body[0]!.bias);
  const ln = spec.model.layers[3]!;
  assert.ok(ln.kind === 'layernorm' && ln.eps === 1e-5);

  // Weights of variance 0.25/48 fit no named scheme: gaussian with their gain √(0.25) ≈ 0.5 (to sampling error).
  const rng = new Rng(5);
  const scaled = imported(importModel(file('scaled.onnx', encodeOnnx(onnxMlp([], (n, m) => Array.from({ length: n * m }, () => rng.normal() * 0.5 / Math.sqrt(48)))))));
  const gain = Number(/init: gaussian, init-gain: ([\d.]+)/.exec(scaled.text)?.[1]);
  assert.ok(Math.abs(gain - 0.5) < 0.03, `gain ${gain}`);
});

test('import: an unsupported ONNX operator is named with its type', () => {
  const model = onnxMlp([{ name: 'attn', op: 'Attention', inputs: ['h4'], outputs: ['y'] }]);
  assert.match(problem(importModel(file('attn.onnx', encodeOnnx(model)))).message, /layer "attn" \(Attention\) is outside what DepthLens analyzes/);
  // Selecting up to the residual add imports the MLP in front of it.
  assert.ok(importModel(file('attn.onnx', encodeOnnx(model)), { to: 'res' }).ok);
});

test('import: truncated, lying and oversized ONNX files are byte-located errors, quickly', () => {
  const good = encodeOnnx(onnxMlp());
  for (const cut of [10, 100, Math.floor(good.length / 2), good.length - 3]) {
    const p = problem(importModel(file('cut.onnx', good.subarray(0, cut))));
    assert.match(p.message, /truncated|at byte \d+|no graph/, `cut at ${cut}: ${p.message}`);
  }
  // A tensor claiming a 2 GB raw_data payload in a 40-byte file.
  const claim = Buffer.from([0x3a, 0x20, 0x2a, 0x1e, 0x08, 0x80, 0x80, 0x80, 0x80, 0x08, 0x4a, 0x80, 0x80, 0x80, 0x80, 0x08, 0x01, 0x02, 0x03]);
  assert.match(problem(importModel(file('claim.onnx', claim))).message, /claims \d+ bytes but only \d+ remain/);
  // 10⁶ nodes: refused at the cap, without building them all.
  const node = Buffer.from(encodeOnnx({ name: 'g', inputs: [], outputs: [], initializers: [], nodes: [{ name: 'r', op: 'Relu', inputs: ['x'], outputs: ['x'] }] }));
  const one = (() => {
    // The graph's first field is the node: key 0x0a, then its length, then its bytes; copied a million times.
    const graphAt = node.indexOf(0x3a) + 1;
    let len = 0;
    let shift = 0;
    let p = graphAt;
    for (;;) {
      const b = node[p++]!;
      len |= (b & 0x7f) << shift;
      shift += 7;
      if (!(b & 0x80)) break;
    }
    const graph = node.subarray(p, p + len);
    const nodeLen = graph[1]!;
    return graph.subarray(0, 2 + nodeLen);
  })();
  const count = 1_000_000;
  const body = Buffer.alloc(one.length * count);
  for (let i = 0; i < count; i++) one.copy(body, i * one.length);
  const header = Buffer.from([0x3a, ...varint(body.length)]);
  const started = Date.now();
  assert.match(problem(importModel(file('million.onnx', Buffer.concat([header, body])))).message, /more than 20000 nodes/);
  assert.ok(Date.now() - started < 10_000);
});

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

test('import: .keras archives: a zip bomb, a truncated archive and a missing config.json are located errors', () => {
  const config = readFileSync(join(root, 'examples/models/bn-mlp-50.keras.json'));
  assert.ok(importModel(file('ok.keras', writeZip([{ name: 'config.json', data: config, deflate: true }]))).ok);
  // 64 MiB of spaces deflates to ~64 KiB; its header is made to claim 1 KiB, so only the inflation cap stops it.
  const bomb = writeZip([{ name: 'config.json', data: Buffer.alloc(64 * 1024 * 1024, 0x20), deflate: true }]);
  const cd = bomb.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  bomb.writeUInt32LE(1024, cd + 24);
  const started = Date.now();
  assert.match(problem(importModel(file('bomb.keras', bomb))).message, /inflates past \d+ bytes \(a zip bomb\?\)/);
  assert.ok(Date.now() - started < 10_000);
  const honest = writeZip([{ name: 'config.json', data: Buffer.alloc(20 * 1024 * 1024, 0x20), deflate: true }]);
  assert.match(problem(importModel(file('big.keras', honest))).message, /claims \d+ bytes, more than/);
  const good = writeZip([{ name: 'config.json', data: config, deflate: true }]);
  assert.match(problem(importModel(file('cut.keras', good.subarray(0, good.length - 30)))).message, /end-of-central-directory|central directory/);
  assert.match(problem(importModel(file('empty.keras', writeZip([{ name: 'metadata.json', data: Buffer.from('{}') }])))).message, /no config\.json in the archive \(it holds metadata\.json\)/);
});

test('import: more layers than a spec can hold, and a 2 GB model file, are refused before any work', () => {
  const layers = [{ class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, 4] } }];
  for (let i = 0; i <= 20_000; i++) layers.push({ class_name: 'ReLU', config: { name: `r${i}` } } as (typeof layers)[number]);
  const many = file('many.keras.json', JSON.stringify({ class_name: 'Sequential', config: { name: 'm', layers } }));
  assert.match(problem(importModel(many)).message, /the model has 20002 layers; DepthLens imports at most 20000/);
  // A sparse 2 GiB file: its size is refused from the file system's record, nothing is read.
  const huge = join(dir, 'huge.onnx');
  const fd = openSync(huge, 'w');
  ftruncateSync(fd, 2 ** 31);
  closeSync(fd);
  const started = Date.now();
  assert.match(problem(importModel(huge)).message, /is 2147483648 bytes; DepthLens reads ONNX models up to 536870912 bytes/);
  assert.ok(Date.now() - started < 1000);
});

test('import: a Keras 3 Functional config (keras_history inbound nodes) with a residual add inside a .keras archive', () => {
  const tensor = (from: string) => ({ class_name: '__keras_tensor__', config: { shape: [null, 16], dtype: 'float32', keras_history: [from, 0, 0] } });
  const layer = (class_name: string, name: string, config: Record<string, unknown>, args: unknown[]) => ({
    module: 'keras.layers',
    class_name,
    config: { name, ...config },
    registered_name: null,
    name,
    inbound_nodes: args.length ? [{ args, kwargs: {} }] : [],
  });
  const init = { module: 'keras.initializers', class_name: 'Orthogonal', config: { gain: 1.0, seed: null }, registered_name: null };
  const config = {
    module: 'keras',
    class_name: 'Functional',
    config: {
      name: 'k3',
      layers: [
        layer('InputLayer', 'input_layer', { batch_shape: [null, 16] }, []),
        layer('Dense', 'stem', { units: 16, use_bias: false, kernel_initializer: init }, [tensor('input_layer')]),
        layer('Dense', 'branch', { units: 16, use_bias: false, kernel_initializer: init, activation: 'tanh' }, [tensor('stem')]),
        layer('Add', 'add', {}, [[tensor('stem'), tensor('branch')]]),
        layer('LayerNormalization', 'ln', { epsilon: 1e-6 }, [tensor('add')]),
      ],
      input_layers: [['input_layer', 0, 0]],
      output_layers: [['ln', 0, 0]],
    },
  };
  const path = file('k3.keras', writeZip([{ name: 'config.json', data: Buffer.from(JSON.stringify(config)), deflate: true }]));
  const r = imported(importModel(path));
  assert.equal(r.format, 'keras-archive');
  const spec = parseSpec(r.text, '').spec!;
  assert.deepEqual(spec.model.layers.map((l) => l.kind), ['dense', 'residual', 'layernorm']);
  const res = spec.model.layers[1]!;
  assert.ok(res.kind === 'residual' && res.body.map((l) => (l.kind === 'activation' ? l.fn : l.kind)).join() === 'dense,tanh');
  assert.deepEqual(r.origins.map((o) => o.name), ['stem', 'add', 'branch', 'branch', 'ln']);
  const ln = spec.model.layers[2]!;
  assert.ok(ln.kind === 'layernorm' && ln.eps === 1e-6);
});
