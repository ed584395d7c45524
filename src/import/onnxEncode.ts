// Writes an ONNX ModelProto (the subset onnx.ts reads): how the examples and the tests make ONNX files without Python.
import { ATTRIBUTE, ATTRIBUTE_TYPE, DATA_TYPE, DIMENSION, GRAPH, MODEL, NODE, OPSET, SHAPE, TENSOR, TENSOR_TYPE, TYPE, VALUE_INFO } from './onnxSchema';
import { WireWriter } from './protobuf';

export interface OnnxModel {
  name: string;
  /** Graph inputs: name and shape (null for a symbolic dimension such as the batch). */
  inputs: { name: string; dims: (number | null)[] }[];
  outputs: string[];
  /** Float32 weights. */
  initializers: { name: string; dims: number[]; values: ArrayLike<number> }[];
  nodes: { name: string; op: string; inputs: string[]; outputs: string[]; floats?: Record<string, number>; ints?: Record<string, number> }[];
  opset?: number;
}

function valueInfo(name: string, dims: (number | null)[] | null): WireWriter {
  const v = new WireWriter().string(VALUE_INFO.name, name);
  const tensor = new WireWriter().int(TENSOR_TYPE.elemType, DATA_TYPE.float);
  if (dims) {
    const shape = new WireWriter();
    for (const d of dims) shape.message(SHAPE.dim, d === null ? new WireWriter().string(DIMENSION.param, 'batch') : new WireWriter().int(DIMENSION.value, d));
    tensor.message(TENSOR_TYPE.shape, shape);
  }
  return v.message(VALUE_INFO.type, new WireWriter().message(TYPE.tensorType, tensor));
}

export function encodeOnnx(model: OnnxModel): Uint8Array {
  const graph = new WireWriter();
  for (const n of model.nodes) {
    const node = new WireWriter();
    for (const i of n.inputs) node.string(NODE.input, i);
    for (const o of n.outputs) node.string(NODE.output, o);
    node.string(NODE.name, n.name).string(NODE.opType, n.op);
    for (const [name, f] of Object.entries(n.floats ?? {})) {
      node.message(NODE.attribute, new WireWriter().string(ATTRIBUTE.name, name).float(ATTRIBUTE.f, f).int(ATTRIBUTE.type, ATTRIBUTE_TYPE.float));
    }
    for (const [name, i] of Object.entries(n.ints ?? {})) {
      node.message(NODE.attribute, new WireWriter().string(ATTRIBUTE.name, name).int(ATTRIBUTE.i, i).int(ATTRIBUTE.type, ATTRIBUTE_TYPE.int));
    }
    graph.message(GRAPH.node, node);
  }
  graph.string(GRAPH.name, model.name);
  for (const t of model.initializers) {
    const raw = new Uint8Array(t.values.length * 4);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < t.values.length; i++) view.setFloat32(i * 4, t.values[i]!, true);
    graph.message(GRAPH.initializer, new WireWriter().ints(TENSOR.dims, t.dims).int(TENSOR.dataType, DATA_TYPE.float).string(TENSOR.name, t.name).bytes(TENSOR.rawData, raw));
  }
  for (const i of model.inputs) graph.message(GRAPH.input, valueInfo(i.name, i.dims));
  for (const o of model.outputs) graph.message(GRAPH.output, valueInfo(o, null));
  return new WireWriter()
    .int(MODEL.irVersion, 8)
    .string(MODEL.producerName, 'depthlens')
    .message(MODEL.graph, graph)
    .message(MODEL.opsetImport, new WireWriter().string(OPSET.domain, '').int(OPSET.version, model.opset ?? 17))
    .finish();
}
