// ONNX ModelProto → the model graph. Reads the subset an MLP needs (nodes, initializers, graph inputs) with the wire
// reader of ./protobuf; weights are decoded only for dense layers, to read their initialization (ONNX records weights,
// not the initializer that drew them). Op mapping: README "Model import".
import { ModelFileError } from './errors';
import { MAX_NODES, type LayerOp, type ModelGraph, type ModelNode } from './graph';
import { weightsInit } from './initializers';
import { ATTRIBUTE, DATA_TYPE, DIMENSION, GRAPH, MODEL, NODE, SHAPE, TENSOR, TENSOR_TYPE, TYPE, VALUE_INFO } from './onnxSchema';
import { WIRE, WireReader, type WireField } from './protobuf';

interface Tensor {
  name: string;
  dims: number[];
  dataType: number;
  raw: WireField | null;
  floats: WireField[];
  doubles: WireField[];
  external: boolean;
  byte: number;
}

interface RawNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attrs: Map<string, { f?: number; i?: number; s?: string }>;
  byte: number;
}

function readTensor(r: WireReader, f: WireField): Tensor {
  const t: Tensor = { name: '', dims: [], dataType: 0, raw: null, floats: [], doubles: [], external: false, byte: f.start };
  for (const g of r.fields(f.start, f.end)) {
    if (g.field === TENSOR.dims) t.dims.push(...r.int64s(g));
    else if (g.field === TENSOR.dataType) t.dataType = Number(g.value);
    else if (g.field === TENSOR.name && g.wire === WIRE.bytes) t.name = r.string(g);
    else if (g.field === TENSOR.rawData && g.wire === WIRE.bytes) t.raw = g;
    else if (g.field === TENSOR.floatData) t.floats.push(g);
    else if (g.field === TENSOR.doubleData) t.doubles.push(g);
    else if (g.field === TENSOR.dataLocation && g.value === 1n) t.external = true;
    else if (g.field === TENSOR.externalData) t.external = true;
  }
  return t;
}

/** A float tensor's values (float32 or float64 storage), the element count checked against its dims. */
function tensorValues(r: WireReader, t: Tensor): Float64Array {
  if (t.external) throw new ModelFileError(`initializer "${t.name}" is stored outside the .onnx file (external data); save the model with its weights inside`, { byte: t.byte });
  const count = t.dims.reduce((a, b) => a * b, 1);
  const where = { byte: t.byte };
  const width = t.dataType === DATA_TYPE.float ? 4 : t.dataType === DATA_TYPE.double ? 8 : 0;
  if (width === 0) throw new ModelFileError(`initializer "${t.name}" has data type ${t.dataType}; DepthLens reads float and double weights`, where);
  if (t.raw) {
    const bytes = t.raw.end - t.raw.start;
    if (bytes !== count * width) throw new ModelFileError(`initializer "${t.name}" holds ${bytes} bytes for dims [${t.dims.join(', ')}] (${count * width} expected)`, where);
    const view = new DataView(r.buffer.buffer, r.buffer.byteOffset + t.raw.start, bytes);
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) out[i] = width === 4 ? view.getFloat32(i * 4, true) : view.getFloat64(i * 8, true);
    return out;
  }
  const values: number[] = [];
  for (const g of width === 4 ? t.floats : t.doubles) {
    if (g.wire === WIRE.bytes) {
      const n = g.end - g.start;
      if (n % width !== 0 || values.length + n / width > count) throw new ModelFileError(`initializer "${t.name}" holds more values than its dims [${t.dims.join(', ')}]`, where);
      const view = new DataView(r.buffer.buffer, r.buffer.byteOffset + g.start, n);
      for (let i = 0; i < n; i += width) values.push(width === 4 ? view.getFloat32(i, true) : view.getFloat64(i, true));
    } else values.push(width === 4 ? r.float32(g) : new DataView(new BigUint64Array([g.value]).buffer).getFloat64(0, true));
  }
  if (values.length !== count) throw new ModelFileError(`initializer "${t.name}" holds ${values.length} values for dims [${t.dims.join(', ')}]`, where);
  return Float64Array.from(values);
}

function readNode(r: WireReader, f: WireField, index: number): RawNode {
  const n: RawNode = { name: '', opType: '', domain: '', inputs: [], outputs: [], attrs: new Map(), byte: f.start };
  for (const g of r.fields(f.start, f.end)) {
    if (g.wire !== WIRE.bytes) continue;
    if (g.field === NODE.input) n.inputs.push(r.string(g));
    else if (g.field === NODE.output) n.outputs.push(r.string(g));
    else if (g.field === NODE.name) n.name = r.string(g);
    else if (g.field === NODE.opType) n.opType = r.string(g);
    else if (g.field === NODE.domain) n.domain = r.string(g);
    else if (g.field === NODE.attribute) {
      let name = '';
      const value: { f?: number; i?: number; s?: string } = {};
      for (const a of r.fields(g.start, g.end)) {
        if (a.field === ATTRIBUTE.name && a.wire === WIRE.bytes) name = r.string(a);
        else if (a.field === ATTRIBUTE.f && a.wire === WIRE.fixed32) value.f = r.float32(a);
        else if (a.field === ATTRIBUTE.i && a.wire === WIRE.varint) value.i = r.int64(a);
        else if (a.field === ATTRIBUTE.s && a.wire === WIRE.bytes) value.s = r.string(a);
      }
      n.attrs.set(name, value);
    }
  }
  if (n.name === '') n.name = `${n.opType || 'node'}_${index}`;
  return n;
}

/** The [batch, features] shape of a graph input, when recorded. */
function inputShape(r: WireReader, f: WireField): { name: string; dims: (number | null)[] | null } {
  let name = '';
  let dims: (number | null)[] | null = null;
  for (const g of r.fields(f.start, f.end)) {
    if (g.field === VALUE_INFO.name && g.wire === WIRE.bytes) name = r.string(g);
    if (g.field !== VALUE_INFO.type || g.wire !== WIRE.bytes) continue;
    for (const t of r.fields(g.start, g.end)) {
      if (t.field !== TYPE.tensorType || t.wire !== WIRE.bytes) continue;
      for (const s of r.fields(t.start, t.end)) {
        if (s.field !== TENSOR_TYPE.shape || s.wire !== WIRE.bytes) continue;
        dims = [];
        for (const d of r.fields(s.start, s.end)) {
          if (d.field !== SHAPE.dim || d.wire !== WIRE.bytes) continue;
          let value: number | null = null;
          for (const v of r.fields(d.start, d.end)) if (v.field === DIMENSION.value && v.wire === WIRE.varint) value = r.int64(v);
          dims.push(value);
        }
      }
    }
  }
  return { name, dims };
}

const ACTIVATION_OPS: Record<string, LayerOp> = {
  Relu: { kind: 'activation', fn: 'relu' },
  Tanh: { kind: 'activation', fn: 'tanh' },
  Sigmoid: { kind: 'activation', fn: 'sigmoid' },
  Gelu: { kind: 'activation', fn: 'gelu' },
  Selu: { kind: 'activation', fn: 'selu' },
  Sin: { kind: 'activation', fn: 'sin' },
  Identity: { kind: 'pass' },
  Dropout: { kind: 'pass' },
  Flatten: { kind: 'pass' },
  Softmax: { kind: 'softmax' },
};

/** Decodes an ONNX file's bytes into the model graph. */
export function onnxGraph(bytes: Uint8Array, file: string): ModelGraph {
  const r = new WireReader(bytes, file);
  let graph: WireField | null = null;
  for (const f of r.fields(0, bytes.length)) if (f.field === MODEL.graph && f.wire === WIRE.bytes) graph = f;
  if (!graph) throw new ModelFileError(`${file} has no graph (not an ONNX model?)`, { byte: 0 });

  let name = '';
  const raw: RawNode[] = [];
  const initializers = new Map<string, Tensor>();
  const inputs: { name: string; dims: (number | null)[] | null; byte: number }[] = [];
  for (const f of r.fields(graph.start, graph.end)) {
    if (f.wire !== WIRE.bytes) continue;
    if (f.field === GRAPH.node) {
      if (raw.length >= MAX_NODES) throw new ModelFileError(`${file} has more than ${MAX_NODES} nodes; DepthLens imports at most ${MAX_NODES}`, { byte: f.start });
      raw.push(readNode(r, f, raw.length));
    } else if (f.field === GRAPH.name) name = r.string(f);
    else if (f.field === GRAPH.initializer) {
      if (initializers.size >= 4 * MAX_NODES) throw new ModelFileError(`${file} has more than ${4 * MAX_NODES} initializers`, { byte: f.start });
      const t = readTensor(r, f);
      initializers.set(t.name, t);
    } else if (f.field === GRAPH.input) inputs.push({ ...inputShape(r, f), byte: f.start });
  }

  const nodes: ModelNode[] = [];
  const producer = new Map<string, string>();
  for (const input of inputs) {
    if (initializers.has(input.name)) continue;
    const dims = input.dims;
    const op: LayerOp =
      dims && dims.length !== 2
        ? { kind: 'unsupported', why: `an input of shape [${dims.map((d) => d ?? '?').join(', ')}]; DepthLens models flat feature vectors` }
        : { kind: 'input', features: dims?.[1] ?? null };
    nodes.push({ name: input.name, type: 'input', inputs: [], op, at: { byte: input.byte } });
    producer.set(input.name, input.name);
  }
  const byName = new Map<string, ModelNode>();
  for (const n of raw) {
    const data = n.inputs.filter((t) => t !== '' && !initializers.has(t));
    const consts = n.inputs.filter((t) => initializers.has(t)).map((t) => initializers.get(t)!);
    const from = data.map((t) => producer.get(t) ?? t);
    const node: ModelNode = { name: n.name, type: n.opType, inputs: from, op: nodeOp(r, n, consts, from.map((p) => byName.get(p))), at: { byte: n.byte } };
    if (n.domain !== '' && n.domain !== 'ai.onnx') node.op = { kind: 'unsupported', why: `an operator of domain "${n.domain}"` };
    nodes.push(node);
    byName.set(node.name, node);
    for (const out of n.outputs) producer.set(out, node.name);
  }
  return { name: name || 'model', format: 'onnx', nodes };
}

function nodeOp(r: WireReader, n: RawNode, consts: Tensor[], sources: readonly (ModelNode | undefined)[]): LayerOp {
  const attr = (key: string) => n.attrs.get(key);
  const unsupported = (why: string): LayerOp => ({ kind: 'unsupported', why });
  switch (n.opType) {
    case 'Gemm':
    case 'MatMul': {
      const weight = initializersOf(n, consts)[1];
      if (!weight) return unsupported('its weights are computed in the graph, not stored as an initializer');
      if (weight.dims.length !== 2) return unsupported(`weights of shape [${weight.dims.join(', ')}]`);
      if ((attr('transA')?.i ?? 0) !== 0) return unsupported('transA = 1');
      const transposed = n.opType === 'Gemm' && (attr('transB')?.i ?? 0) === 1;
      const [fanOut, fanIn] = transposed ? [weight.dims[0]!, weight.dims[1]!] : [weight.dims[1]!, weight.dims[0]!];
      const values = tensorValues(r, weight);
      const scale = n.opType === 'Gemm' ? (attr('alpha')?.f ?? 1) : 1;
      // W as fanOut × fanIn, the layout weightsInit reads.
      const w = new Float64Array(fanOut * fanIn);
      for (let o = 0; o < fanOut; o++) for (let i = 0; i < fanIn; i++) w[o * fanIn + i] = scale * values[transposed ? o * fanIn + i : i * fanOut + o]!;
      const bias = n.opType === 'Gemm' && n.inputs.length > 2 && n.inputs[2] !== '';
      return { kind: 'dense', units: fanOut, fanIn, init: weightsInit(w, fanOut, fanIn), initName: 'init read from the weights', bias };
    }
    case 'BatchNormalization':
      return { kind: 'norm', norm: 'batchnorm', eps: attr('epsilon')?.f ?? 1e-5 };
    case 'LayerNormalization': {
      const axis = attr('axis')?.i ?? -1;
      if (axis !== -1 && axis !== 1) return unsupported(`normalization over axis ${axis}`);
      return { kind: 'norm', norm: 'layernorm', eps: attr('epsilon')?.f ?? 1e-5 };
    }
    case 'LeakyRelu':
      return { kind: 'activation', fn: 'leaky-relu', slope: attr('alpha')?.f ?? 0.01 };
    case 'Add': {
      if (consts.length === 0) return { kind: 'add' };
      // MatMul + Add(constant): the bias of the dense layer it follows.
      const source = sources[0];
      if (sources.length === 1 && source?.type === 'MatMul' && source.op.kind === 'dense' && !source.op.bias) {
        source.op.bias = true;
        return { kind: 'pass' };
      }
      return unsupported('it adds a constant to something other than a MatMul (only a bias after MatMul is read)');
    }
    default:
      return ACTIVATION_OPS[n.opType] ?? unsupported(`the ONNX operator ${n.opType}`);
  }
}

/** A node's inputs by position, initializers where they are one. */
function initializersOf(n: RawNode, consts: readonly Tensor[]): (Tensor | undefined)[] {
  return n.inputs.map((t) => consts.find((c) => c.name === t));
}
