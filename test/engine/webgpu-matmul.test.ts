// The tiled WGSL matmul (src/engine/kernels/webgpu/matmul.ts) against a float64 host product: odd shapes, every
// transposed variant, both tile shapes, vec4 and scalar paths, rank-3 batches (shared or per-batch operands); and tf.matMul
// routed through it by the per-device choice (batchMatMul.ts). Needs a WebGPU adapter: SwiftShader on a machine with no GPU.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor } from '@tensorflow/tfjs';
import { selectBackend, type Tf } from '../../src/engine/backend';
import { matMulKernelOf, registerWebGpuKernels, setMatMulKernel, TILED_MATMUL } from '../../src/engine/kernels/webgpu';
import { calibrateMatMul } from '../../src/engine/kernels/webgpu/matmulChoice';
import { LARGE_TILE, MEDIUM_TILE, tiledMatMul, type TileShape } from '../../src/engine/kernels/webgpu/matmul';
import { buildHostNetwork } from '../../src/engine/network';
import { runDiagnosticPass } from '../../src/engine/pass';
import { Rng } from '../../src/engine/rng';
import { blocks, gaussianBatch, type BlockOptions } from './helpers';
import { reference64 } from './reference64';
import { webgpuBackend } from './webgpu';

async function webgpu(t: TestContext): Promise<{ tf: Tf; device: GPUDevice } | null> {
  const b = await webgpuBackend(t);
  if (!b) return null;
  registerWebGpuKernels();
  return { tf: b.tf, device: (b.tf.backend() as unknown as { device: GPUDevice }).device };
}

function values(n: number, seed: number): Float32Array {
  return Float32Array.from(new Rng(seed).fillNormal(new Float64Array(n), 1));
}

/** op(A)·op(B) in float64 for row-major batches (a batch of 1 is shared). */
function product64(
  a: Float32Array, aShape: number[], b: Float32Array, bShape: number[], transA: boolean, transB: boolean,
): { values: Float64Array; batch: number; m: number; n: number } {
  const [ar, ac] = aShape.slice(-2);
  const [br, bc] = bShape.slice(-2);
  const [m, k] = transA ? [ac, ar] : [ar, ac];
  const n = transB ? br : bc;
  const batchA = aShape.length === 3 ? aShape[0] : 1;
  const batchB = bShape.length === 3 ? bShape[0] : 1;
  const batch = Math.max(batchA, batchB);
  const out = new Float64Array(batch * m * n);
  for (let s = 0; s < batch; s++) {
    const oa = batchA === 1 ? 0 : s * m * k;
    const ob = batchB === 1 ? 0 : s * k * n;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) sum += a[oa + (transA ? p * m + i : i * k + p)] * b[ob + (transB ? j * k + p : p * n + j)];
        out[s * m * n + i * n + j] = sum;
      }
  }
  return { values: out, batch, m, n };
}

/** max |got − want| / (max |want| + k-scaled noise floor). */
function relError(got: ArrayLike<number>, want: Float64Array): number {
  assert.equal(got.length, want.length);
  let scale = 0;
  let d = 0;
  for (let i = 0; i < want.length; i++) {
    scale = Math.max(scale, Math.abs(want[i]));
    d = Math.max(d, Math.abs(got[i] - want[i]));
  }
  return d / Math.max(scale, 1);
}

const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [7, 13, 5],
  [65, 129, 33],
  [256, 512, 64],
  [64, 64, 64],
  [4, 8, 12],
];
const VARIANTS: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

async function check(
  tf: Tf, m: number, k: number, n: number, transA: boolean, transB: boolean, opts: { batchA?: number; batchB?: number; tile?: TileShape; viaMatMul?: boolean } = {},
): Promise<void> {
  const { batchA = 0, batchB = 0 } = opts;
  const aMat = transA ? [k, m] : [m, k];
  const bMat = transB ? [n, k] : [k, n];
  const aShape = batchA ? [batchA, ...aMat] : aMat;
  const bShape = batchB ? [batchB, ...bMat] : bMat;
  const av = values(aShape.reduce((p, x) => p * x, 1), m * 1000 + k);
  const bv = values(bShape.reduce((p, x) => p * x, 1), n * 7 + k);
  const a = tf.tensor(av, aShape);
  const b = tf.tensor(bv, bShape);
  let c: Tensor;
  if (opts.viaMatMul) c = tf.matMul(a as never, b as never, transA, transB);
  else {
    const info = tiledMatMul(tf.backend(), a, b, transA, transB, opts.tile);
    c = tf.engine().makeTensorFromTensorInfo(info);
  }
  const want = product64(av, aShape, bv, bShape, transA, transB);
  const label = `${aShape.join('×')}${transA ? 'ᵀ' : ''} · ${bShape.join('×')}${transB ? 'ᵀ' : ''} (${opts.tile?.name ?? 'chosen'} tile)`;
  assert.deepEqual(c.shape, batchA || batchB ? [want.batch, m, n] : [m, n], label);
  const got = (await c.data()) as Float32Array;
  for (const x of [a, b, c]) x.dispose();
  // float32 accumulation of k products of unit normals: error ~ √k·2⁻²⁴ relative to entries of size √k.
  const err = relError(got, want.values);
  assert.ok(err < 2e-5, `${label}: relative error ${err}`);
}

test('webgpu tiled matmul: odd shapes, every transposed variant, both tiles, against float64', async (t) => {
  const w = await webgpu(t);
  if (!w) return;
  const before = w.tf.memory().numTensors;
  for (const tile of [MEDIUM_TILE, LARGE_TILE])
    for (const [m, k, n] of SHAPES) for (const [ta, tb] of VARIANTS) await check(w.tf, m, k, n, ta, tb, { tile });
  assert.equal(w.tf.memory().numTensors, before, 'no tensors leak');
});

test('webgpu tiled matmul: rank-3 batches, per-batch and shared operands', async (t) => {
  const w = await webgpu(t);
  if (!w) return;
  for (const [ta, tb] of VARIANTS) {
    await check(w.tf, 33, 20, 17, ta, tb, { batchA: 3, batchB: 3 });
    await check(w.tf, 64, 64, 12, ta, tb, { batchA: 1, batchB: 4 });
    await check(w.tf, 9, 40, 8, ta, tb, { batchB: 2 });
    await check(w.tf, 16, 5, 65, ta, tb, { batchA: 2, batchB: 2, tile: LARGE_TILE });
  }
  // the kernel by name, as the batched pass would call it
  const a = w.tf.tensor(values(2 * 3 * 4, 1), [2, 3, 4]);
  const b = w.tf.tensor(values(2 * 4 * 5, 2), [2, 4, 5]);
  const c = w.tf.engine().runKernel(TILED_MATMUL, { a, b }, { transposeA: false, transposeB: false }) as Tensor;
  const want = product64((await a.data()) as Float32Array, [2, 3, 4], (await b.data()) as Float32Array, [2, 4, 5], false, false);
  assert.ok(relError((await c.data()) as Float32Array, want.values) < 1e-6);
  for (const x of [a, b, c]) x.dispose();
});

test('webgpu: tf.matMul follows the device choice (tiled, then tfjs again), results equal', async (t) => {
  const w = await webgpu(t);
  if (!w) return;
  const { tf, device } = w;
  assert.equal(matMulKernelOf(device), 'tfjs', 'tfjs’s matmul until calibrated or set');
  // Which pipelines tf.matMul records, by label (ours are labelled by variant): observed on the real pass encoder.
  const encoder = (globalThis as unknown as { GPUComputePassEncoder: { prototype: { setPipeline(p: GPUComputePipeline): void } } }).GPUComputePassEncoder.prototype;
  const setPipeline = encoder.setPipeline;
  const labels: string[] = [];
  encoder.setPipeline = function (this: unknown, p: GPUComputePipeline) {
    labels.push(p.label);
    return setPipeline.call(this, p);
  };
  const tiledRecorded = async ([m, k, n] = [3, 4, 5]): Promise<boolean> => {
    labels.length = 0;
    const a = tf.tensor(values(m * k, 3), [m, k]);
    const b = tf.tensor(values(k * n, 4), [k, n]);
    const c = tf.matMul(a, b);
    await c.data();
    for (const x of [a, b, c]) x.dispose();
    return labels.some((l) => l.startsWith(TILED_MATMUL));
  };
  try {
    assert.equal(await tiledRecorded(), false, 'tfjs’s matmul by default');
    setMatMulKernel(device, 'tiled', { everyProduct: true });
    assert.equal(await tiledRecorded(), true, 'the tiled matmul once set');
    for (const [ta, tb] of VARIANTS) await check(tf, 65, 129, 33, ta, tb, { viaMatMul: true });
    await check(tf, 31, 17, 9, true, false, { viaMatMul: true, batchA: 2, batchB: 2 });
    // Chosen without everyProduct (as the calibration chooses), small products stay on tfjs's; wide ones take the tiled.
    setMatMulKernel(device, 'tiled');
    assert.equal(await tiledRecorded(), false, 'a 3×5 output has too few tiles for the tiled matmul');
    assert.equal(await tiledRecorded([256, 4, 512]), true, 'a 256×512 output (32 tiles of 64×64) takes the tiled matmul');
    assert.equal(await tiledRecorded([256, 4, 448]), false, '28 tiles: tfjs’s');
    setMatMulKernel(device, 'tfjs');
    assert.equal(await tiledRecorded(), false, 'tfjs’s matmul again');
    assert.equal(await tiledRecorded([256, 4, 512]), false, 'tfjs’s matmul again, wide too');
  } finally {
    encoder.setPipeline = setPipeline;
    setMatMulKernel(device, 'tfjs');
  }
  await check(tf, 65, 129, 33, true, false, { viaMatMul: true });
});

test('webgpu: the matmul calibration times both kernels and sets the faster; software adapters and small widths keep tfjs’s', async (t) => {
  const w = await webgpu(t);
  if (!w) return;
  const { tf, device } = w;
  try {
    // 256×512 outputs: the fewest 64×64 tiles (32) the tiled kernel is chosen for; one product timed per round.
    const measured = await calibrateMatMul(tf, 256, 512, { software: false, minWidth: 256, timedFlops: 1 });
    assert.deepEqual(measured.shape, [256, 256, 512]);
    for (const rate of [measured.tiledGflops, measured.tfjsGflops]) assert.ok(typeof rate === 'number' && rate > 0 && Number.isFinite(rate), String(rate));
    assert.equal(measured.kernel, measured.tiledGflops! > 1.1 * measured.tfjsGflops! ? 'tiled' : 'tfjs');
    assert.equal(matMulKernelOf(device), measured.kernel);
    assert.match(measured.reason, /GFLOP\/s at 256×256·256×512/);
    // Cached per device and width class: the same answer, not timed again.
    assert.equal(await calibrateMatMul(tf, 250, 500, { software: false, minWidth: 32 }), measured);
    const narrow = await calibrateMatMul(tf, 256, 448, { software: false, minWidth: 256 });
    assert.equal(narrow.kernel, 'tfjs');
    assert.match(narrow.reason, /fewer than 32 output tiles/);
    const small = await calibrateMatMul(tf, 64, 48, { software: false });
    assert.equal(small.kernel, 'tfjs');
    assert.equal(small.shape, undefined);
    assert.match(small.reason, /width 64 < 512/);
    assert.equal(matMulKernelOf(device), 'tfjs');
    setMatMulKernel(device, 'tiled');
    assert.match((await calibrateMatMul(tf, 4096, 512, { software: true })).reason, /software adapter/);
    assert.equal(matMulKernelOf(device), 'tfjs');
  } finally {
    setMatMulKernel(device, 'tfjs');
  }
});

test('webgpu: a run’s backend info names its matmul (SwiftShader is a software adapter: tfjs’s, untimed)', async (t) => {
  const w = await webgpu(t);
  if (!w) return;
  const b = await selectBackend('webgpu', [], { width: 1024, batch: 256, features: 64, depth: 10, passes: 1, orthogonal: true });
  assert.ok(b.info.matmul, 'backend.info.matmul');
  if (b.info.adapter?.software) {
    assert.equal(b.info.matmul.kernel, 'tfjs');
    assert.match(b.info.matmul.reason, /software adapter/);
  } else assert.ok(b.info.matmul.shape, 'a hardware adapter is calibrated at the run’s width');
  assert.equal((await selectBackend('webgpu')).info.matmul, undefined, 'no workload, no calibration');
});

test('webgpu: the diagnostic pass with the tiled matmul forced on matches wasm and the float64 reference', async (t) => {
  const w = await webgpu(t);
  if (!w) return;
  const cases: { opts: BlockOptions; n: number }[] = [
    { opts: { depth: 5, width: 40, activation: 'tanh', center: true }, n: 24 },
    { opts: { depth: 4, width: 36, init: 'gaussian', norm: 'none', activation: 'relu', residualAlpha: 0.5 }, n: 20 },
  ];
  const encoder = (globalThis as unknown as { GPUComputePassEncoder: { prototype: { setPipeline(p: GPUComputePipeline): void } } }).GPUComputePassEncoder.prototype;
  const setPipeline = encoder.setPipeline;
  let tiledDispatches = 0;
  encoder.setPipeline = function (this: unknown, p: GPUComputePipeline) {
    if (p.label.startsWith(TILED_MATMUL)) tiledDispatches += 1;
    return setPipeline.call(this, p);
  };
  try {
    for (const { opts, n } of cases) {
      const net = buildHostNetwork(blocks(opts), 6, 3, 17);
      const { x, labels } = gaussianBatch(n, 6, 3, 4);
      const input = { x, n, features: net.features, labels, classes: net.classes, loss: 'cross-entropy' as const };
      const wasm = await selectBackend('wasm');
      const onWasm = await runDiagnosticPass(wasm.tf, net, input);
      const gpu = await selectBackend('webgpu');
      registerWebGpuKernels();
      setMatMulKernel(w.device, 'tiled', { everyProduct: true });
      tiledDispatches = 0;
      const onGpu = await runDiagnosticPass(gpu.tf, net, input);
      setMatMulKernel(w.device, 'tfjs');
      assert.ok(tiledDispatches >= 2 * net.depth, `the pass used the tiled matmul (${tiledDispatches} dispatches)`);
      const ref = reference64(net, x, n, labels, 'cross-entropy');
      assert.equal(onGpu.nonFinite, null);
      for (let i = 0; i < net.depth; i++) {
        const [g, m] = [onGpu.layers[i]!, onWasm.layers[i]!];
        assert.ok(Math.abs(g.logGradNorm - m.logGradNorm) < 2e-3, `layer ${i}: ln‖∇W‖ webgpu ${g.logGradNorm}, wasm ${m.logGradNorm}`);
        assert.ok(Math.abs(g.logGradNorm - ref.logGradNorm[i]!) < 2e-3, `layer ${i}: ln‖∇W‖ webgpu ${g.logGradNorm}, float64 ${ref.logGradNorm[i]}`);
        const [gg, mg] = [g.gap.gap, m.gap.gap];
        assert.ok(gg !== null && mg !== null && Math.abs(gg - mg) < 1e-3 * Math.max(1, mg), `layer ${i}: gap webgpu ${gg}, wasm ${mg}`);
      }
    }
  } finally {
    encoder.setPipeline = setPipeline;
    setMatMulKernel(w.device, 'tfjs');
  }
});
