// The format-neutral model graph every importer produces, and its reduction to a chain of DepthLens layers: a
// topological order (cycles and dangling inputs refused), the --from/--to selection, the readout at the end, and the
// residual adds folded into `residual` items.
import type { Activation, InitKind } from '../spec/types';
import { ModelFileError, type ModelLocation } from './errors';

/** The initialization a dense layer records, resolved once its fan-in and fan-out are known. */
export type InitRule = (fanIn: number, fanOut: number) => { init: InitKind; gain: number } | { error: string };

export type LayerOp =
  | { kind: 'input'; features: number | null }
  | {
      kind: 'dense';
      units: number;
      /** Inputs the weights take, when the file says (weights, build shape). */
      fanIn: number | null;
      init: InitRule;
      /** The initializer as the file names it, for the spec's comment ("HeNormal", "read from the weights"). */
      initName: string;
      bias: boolean;
      /** Keras's fused activation (Dense(activation=…)). */
      activation?: { fn: Activation; slope?: number } | 'softmax';
    }
  | { kind: 'norm'; norm: 'batchnorm' | 'layernorm'; eps: number }
  | { kind: 'activation'; fn: Activation; slope?: number }
  | { kind: 'add' }
  | { kind: 'softmax' }
  /** Identity at initialization for these diagnostics (Dropout, Identity, Flatten of a flat input). */
  | { kind: 'pass' }
  | { kind: 'unsupported'; why?: string };

export interface ModelNode {
  /** The layer's (or ONNX node's) name in the model. */
  name: string;
  /** Its type as the file spells it: "Dense", "BatchNormalization", "Gemm", … */
  type: string;
  /** Names of the nodes whose outputs it reads (none for the input). */
  inputs: string[];
  op: LayerOp;
  at: ModelLocation;
}

export const MODEL_FORMATS = ['keras-json', 'keras-archive', 'tfjs-layers', 'onnx'] as const;
export type ModelFormat = (typeof MODEL_FORMATS)[number];

export interface ModelGraph {
  name: string;
  format: ModelFormat;
  nodes: ModelNode[];
}

/** More nodes than any MLP a spec can hold (a layer list has at most 10 000 items); refused before any further work. */
export const MAX_NODES = 20_000;

export type ChainItem =
  | { kind: 'layer'; node: ModelNode }
  | { kind: 'residual'; node: ModelNode; body: ChainItem[] };

export interface Chain {
  items: ChainItem[];
  /** Width entering the first item. */
  features: number;
  /** The model's own output layer, when it ends in one: Dense (optionally followed by Softmax). */
  readout: { node: ModelNode; units: number } | null;
}

export interface Selection {
  from?: string;
  to?: string;
}

const describe = (n: ModelNode): string => `layer "${n.name}" (${n.type})`;

/** Kahn's algorithm, ties broken by file order, so a chain comes out in the order it was written. */
export function topologicalOrder(nodes: readonly ModelNode[]): ModelNode[] {
  if (nodes.length > MAX_NODES) {
    throw new ModelFileError(`the model has ${nodes.length} layers; DepthLens imports at most ${MAX_NODES}`, nodes[MAX_NODES]!.at);
  }
  const byName = new Map<string, number>();
  nodes.forEach((n, i) => {
    if (byName.has(n.name)) throw new ModelFileError(`two layers are named "${n.name}"; layer names must be unique`, n.at);
    byName.set(n.name, i);
  });
  const waiting = new Array<number>(nodes.length).fill(0);
  const consumers: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    for (const input of n.inputs) {
      const from = byName.get(input);
      if (from === undefined) throw new ModelFileError(`${describe(n)} reads "${input}", which no layer of the model produces`, n.at);
      waiting[i]! += 1;
      consumers[from]!.push(i);
    }
  });
  // A min-heap would be O(n log n); the ready set of an MLP holds one or two nodes, so a sorted insert is enough.
  const ready: number[] = [];
  nodes.forEach((_, i) => {
    if (waiting[i] === 0) ready.push(i);
  });
  const order: ModelNode[] = [];
  while (ready.length > 0) {
    const i = ready.shift()!;
    order.push(nodes[i]!);
    for (const c of consumers[i]!) {
      waiting[c]! -= 1;
      if (waiting[c] === 0) {
        let at = ready.length;
        while (at > 0 && ready[at - 1]! > c) at--;
        ready.splice(at, 0, c);
      }
    }
  }
  if (order.length < nodes.length) {
    const stuck = nodes.find((_, i) => waiting[i]! > 0)!;
    throw new ModelFileError(`the model's graph has a cycle through ${describe(stuck)}; a network DepthLens can analyze is acyclic`, stuck.at);
  }
  return order;
}

/** Output width of every node, where the file says it (dense units, the input's shape), propagated along first inputs. */
function widths(order: readonly ModelNode[]): Map<string, number | null> {
  const out = new Map<string, number | null>();
  for (const n of order) {
    const first = n.inputs[0];
    const inWidth = first === undefined ? null : (out.get(first) ?? null);
    if (n.op.kind === 'input') out.set(n.name, n.op.features);
    else if (n.op.kind === 'dense') {
      if (n.op.fanIn !== null && inWidth !== null && n.op.fanIn !== inWidth) {
        throw new ModelFileError(`${describe(n)} takes ${n.op.fanIn} inputs but receives ${inWidth}`, n.at);
      }
      out.set(n.name, n.op.units);
    } else out.set(n.name, inWidth);
  }
  return out;
}

function indexOfLayer(order: readonly ModelNode[], name: string, flag: string): number {
  const i = order.findIndex((n) => n.name === name);
  if (i < 0) {
    const names = order.filter((n) => n.op.kind !== 'input').slice(0, 8).map((n) => n.name);
    throw new ModelFileError(`${flag} ${name}: the model has no layer of that name (its layers: ${names.join(', ')}${order.length > 9 ? ', …' : ''})`);
  }
  return i;
}

/** The chain of DepthLens layers of the selected part of the graph. */
export function toChain(graph: ModelGraph, selection: Selection = {}): Chain {
  const order = topologicalOrder(graph.nodes);
  const width = widths(order);
  let start = 0;
  let end = order.length;
  if (selection.from !== undefined) start = indexOfLayer(order, selection.from, '--from');
  if (selection.to !== undefined) end = indexOfLayer(order, selection.to, '--to') + 1;
  if (end <= start) throw new ModelFileError(`--to ${selection.to} comes before --from ${selection.from} in the model`);
  let selected = order.slice(start, end);

  const unsupported = selected.find((n) => n.op.kind === 'unsupported');
  if (unsupported) {
    const why = unsupported.op.kind === 'unsupported' && unsupported.op.why ? `: ${unsupported.op.why}` : '';
    throw new ModelFileError(
      `${describe(unsupported)} is outside what DepthLens analyzes (dense, normalization, activation and residual-add layers)${why}. ` +
        'To analyze an MLP part of this model, name it with --from LAYER --to LAYER.',
      unsupported.at,
    );
  }

  let readout: Chain['readout'] = null;
  if (selection.to === undefined) {
    let tail = selected.length;
    if (selected[tail - 1]?.op.kind === 'softmax') tail--;
    const last = selected[tail - 1];
    const plain = last?.op.kind === 'dense' && (last.op.activation === undefined || (last.op.activation === 'softmax' && tail === selected.length));
    if (last?.op.kind === 'dense' && plain && tail - 1 > 0) {
      readout = { node: last, units: last.op.units };
      selected = selected.slice(0, tail - 1);
    } else if (tail < selected.length) {
      const softmax = selected[selected.length - 1]!;
      throw new ModelFileError(`${describe(softmax)} follows no dense output layer; DepthLens reads Softmax only after the model's last Dense`, softmax.at);
    }
  }

  const firstInput = selected[0]?.inputs[0];
  const firstDense = selected.find((n) => n.op.kind === 'dense');
  const features =
    (selected[0]?.op.kind === 'input' ? selected[0].op.features : firstInput !== undefined ? (width.get(firstInput) ?? null) : null) ??
    (firstDense?.op.kind === 'dense' ? firstDense.op.fanIn : null);
  if (features === null) throw new ModelFileError('the model does not record its input width (no input shape, no dense layer weights)', selected[0]?.at ?? {});
  return { items: linearize(selected), features, readout };
}

/** Folds a topologically ordered chain with residual adds into nested items; anything else is not a chain. */
function linearize(nodes: readonly ModelNode[]): ChainItem[] {
  const out: ChainItem[] = [];
  // ModelLocation each node's output sits in `out`: the number of items before it.
  const position = new Map<string, number>();
  let current: string | null = null;
  for (const [i, n] of nodes.entries()) {
    if (n.op.kind === 'input') {
      if (i > 0) throw new ModelFileError(`${describe(n)} is a second input; DepthLens analyzes networks with one input`, n.at);
      position.set(n.name, 0);
      current = n.name;
      continue;
    }
    if (n.op.kind === 'softmax' || (n.op.kind === 'dense' && n.op.activation === 'softmax')) throw new ModelFileError(`${describe(n)} sits inside the network; DepthLens reads Softmax only at the output`, n.at);
    if (n.op.kind === 'add') {
      if (n.inputs.length !== 2) throw new ModelFileError(`${describe(n)} adds ${n.inputs.length} tensors; a residual connection adds two`, n.at);
      const [a, b] = n.inputs as [string, string];
      const skip = a === current ? b : b === current ? a : null;
      const at = skip === null ? undefined : position.get(skip);
      if (skip === null || at === undefined || at >= out.length) {
        throw new ModelFileError(`${describe(n)} does not add a branch to its own input (x + f(x)); DepthLens reads residual adds only`, n.at);
      }
      const body = out.splice(at);
      for (const [name, p] of position) if (p > at) position.delete(name);
      out.push({ kind: 'residual', node: n, body });
      position.set(n.name, out.length);
      current = n.name;
      continue;
    }
    const input = n.inputs[0];
    if (n.inputs.length !== 1 || (current !== null && input !== current)) {
      const from = n.inputs.length === 1 ? `"${input}"` : `${n.inputs.length} tensors`;
      throw new ModelFileError(
        `${describe(n)} reads ${from}, not the layer before it${current ? ` ("${current}")` : ''}; DepthLens analyzes chains with residual adds`,
        n.at,
      );
    }
    if (n.op.kind !== 'pass') out.push({ kind: 'layer', node: n });
    position.set(n.name, out.length);
    current = n.name;
  }
  return out;
}
