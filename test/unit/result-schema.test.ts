// schemas/result.schema.json: it compiles, accepts a valid Result, rejects broken ones, and cannot drift from src/shared/result.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKEND_NAMES, GPU_MATMUL_KERNELS } from '../../src/shared/result';
import type {
  ActivationStats,
  CappedValue,
  QuickCaps,
  BackendInfo,
  DepthSweepPoint,
  GpuAdapterInfo,
  GpuMatMulChoice,
  Growth,
  LayerResult,
  MemoryUse,
  Result,
  Spread,
  TheoryLine,
  Timings,
  TrainDepthRun,
  TrainRecord,
  TrainResult,
} from '../../src/shared/result';
import type { TheoryBasis } from '../../src/theory/types';
import type { Finding, FindingFix, Severity } from '../../src/shared/findings';
import type { Position, Range } from '../../src/shared/findings';
import { isFinding } from '../../src/shared/protocol';
import { assertValidResult, closedSchema, resultSchema, resultSchemaErrors, resultValidators, type JsonSchema } from '../resultSchema';

function minimal(): Result {
  return {
    depthlens: 1,
    spec: { path: 'examples/x.depthlens.yaml', name: 'x' },
    backend: { name: 'wasm', version: '4.22.0', threads: 1 },
    seconds: 0.5,
    seeds: 1,
    timings: { initSeconds: 0.1, diagnosticSeconds: 0.3, trainSeconds: 0 },
    layers: [],
    growth: null,
    theory: null,
    findings: [],
  };
}

/** A Result with every optional field present, non-finite values included (they become null in JSON). */
function full(): Result {
  const spread: Spread = { mean: 0.1, min: 0.05, max: Infinity };
  return {
    ...minimal(),
    backend: {
      name: 'webgpu',
      version: '4.22.0',
      threads: 1,
      simd: false,
      reason: 'auto: webgpu predicted 0.4 s against wasm 2.1 s',
      adapter: { vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H200', backendType: 'vulkan', driver: '550', software: false },
    },
    timings: { initSeconds: 0.1, diagnosticSeconds: 0.3, trainSeconds: 0.2, sweepSeconds: 0.1 },
    memory: { peakGpuBytes: 1 << 20 },
    quick: false,
    partial: true,
    layers: [
      { index: 0, isometryGap: spread, degenerate: false, rank: 8, logGradNorm: { mean: NaN, min: null, max: null }, activations: { mean: 0, rms: 1, saturated: 0.25 } },
    ],
    growth: { perLayer: 1.01, log10Range: 0.3 },
    theory: { perLayer: 1, lambda: 1, basis: 'orthogonal-linear-bounded', logGradNorm: [0.5, 0] },
    depthSweep: [{ depth: 5, logGradNormW1: spread }],
    train: {
      records: [
        {
          step: 0,
          loss: NaN,
          accuracy: 0.5,
          evalLoss: Infinity,
          evalAccuracy: 0.25,
          logGradNorm: [0.1, -Infinity, NaN],
          isometryGap: [{ layer: 0, value: null }],
          weightIsometry: [{ layer: 1, value: 0.01 }],
        },
      ],
      depthRuns: [
        { depth: 3, records: [], diverged: { step: 4, reason: 'the loss became NaN' } },
        { depth: 5, records: [], diverged: null, skipped: 'too large' },
      ],
      diverged: null,
      depth: 6,
      optimizer: 'sgd',
      lr: 0.1,
      labels: 'teacher',
    },
    findings: [
      {
        code: 'DL101',
        severity: 'warning',
        message: 'Gaussian init',
        path: 'model.init',
        range: { start: { line: 3, character: 8 }, end: { line: 3, character: 16 } },
        measured: false,
        fix: { path: 'model.init', value: 'orthogonal', title: 'Use orthogonal init', preferred: true, more: [{ path: 'model.center', value: false }] },
        alternatives: [{ path: 'model.shaping', value: { exponent: 0.4 }, title: 'Shape the activation' }],
      },
    ],
  };
}

function errorsOf(mutate: (r: Record<string, unknown>) => void, base: () => Result = minimal): string[] {
  const r = JSON.parse(JSON.stringify(base())) as Record<string, unknown>;
  mutate(r);
  return resultSchemaErrors(r);
}

test('the result schema compiles (ajv strict mode), with a $id, a title and version 1', () => {
  const { published, closed } = resultValidators();
  assert.equal(typeof published, 'function');
  assert.equal(typeof closed, 'function');
  assert.equal(resultSchema['$id'], 'https://depthlens.dev/schemas/result-v1.json');
  assert.equal(resultSchema['$schema'], 'http://json-schema.org/draft-07/schema#');
  assert.match(String(resultSchema['title']), /v1/);
  assert.deepEqual((resultSchema['properties'] as JsonSchema)['depthlens'], { description: 'Result format version. Always 1.', const: 1 });
});

test('a minimal result and a result with every optional field (non-finite numbers included) validate', () => {
  assert.deepEqual(resultSchemaErrors(minimal()), []);
  assert.deepEqual(resultSchemaErrors(full()), []);
  assertValidResult(full(), 'full');
});

test('broken results fail, with instancePath and message', () => {
  const missingBackend = errorsOf((r) => delete r['backend']);
  assert.ok(missingBackend.length > 0);
  assert.match(missingBackend.join(), /must have required property 'backend'/);

  assert.match(errorsOf((r) => (r['depthlens'] = 2)).join(), /\/depthlens must be equal to constant/);
  assert.match(errorsOf((r) => ((r['backend'] as JsonSchema)['name'] = 'metal')).join(), /\/backend\/name must be equal to one of the allowed values/);
  assert.match(
    errorsOf((r) => (r['findings'] = [{ code: 'DL101', severity: 'fatal', message: 'm', path: 'model.init', measured: false }])).join(),
    /\/findings\/0\/severity must be equal to one of the allowed values/,
  );
  assert.match(errorsOf((r) => (r['findings'] = [{ code: 'X1', severity: 'info', message: 'm', path: 'a', measured: true }])).join(), /\/findings\/0\/code must match pattern/);
  assert.match(errorsOf((r) => (r['seeds'] = 1.5)).join(), /\/seeds must be integer/);
  assert.match(errorsOf((r) => (r['growth'] = { perLayer: null, log10Range: 1 })).join(), /\/growth/);
  // A null where the code never writes one (the loss may be null, the step may not).
  assert.match(
    errorsOf((r) => ((r['train'] as { records: JsonSchema[] }).records[0]!['step'] = null), full).join(),
    /\/train\/records\/0\/step must be integer/,
  );
  // Closed types reject extra keys in the published schema too.
  assert.match(errorsOf((r) => (r['layers'] = [{ index: 0, isometryGap: { mean: 0, min: 0, max: 0, median: 0 }, degenerate: false, rank: 1, logGradNorm: { mean: 0, min: 0, max: 0 } }])).join(), /^schema: \/layers\/0\/isometryGap must NOT have additional properties/);
  assert.throws(() => assertValidResult({ ...minimal(), backend: undefined }, 'no backend'), /no backend: the result does not match .*backend/);
});

test('an undocumented field passes the published schema (v1 may add fields) but fails the closed form the tests use', () => {
  const errors = errorsOf((r) => ((r['backend'] as JsonSchema)['gpuName'] = 'x'));
  assert.equal(errors.length, 1, errors.join());
  assert.match(errors[0]!, /^closed schema: \/backend must NOT have additional properties \(gpuName\)/);
  assert.match(errorsOf((r) => (r['extra'] = 1)).join(), /^closed schema: \/ must NOT have additional properties \(extra\)/);
  // closedSchema closes objects only where the schema says nothing of additionalProperties.
  assert.deepEqual(closedSchema({ type: 'object', properties: { a: { type: 'object', properties: {} } }, required: ['a'] }), {
    type: 'object',
    properties: { a: { type: 'object', properties: {}, additionalProperties: false } },
    required: ['a'],
    additionalProperties: false,
  });
});

// ---------- no drift from the TypeScript types ----------

const definitions = resultSchema['definitions'] as Record<string, JsonSchema>;

function enumOf(name: string): unknown[] {
  const values = definitions[name]?.['enum'];
  assert.ok(Array.isArray(values), `definitions.${name}.enum`);
  return values;
}

test('the backend-name enum is BACKEND_NAMES', () => {
  assert.deepEqual(enumOf('backendName'), [...BACKEND_NAMES]);
});

test('the GPU matmul-kernel enum is GPU_MATMUL_KERNELS', () => {
  assert.deepEqual(enumOf('gpuMatMulKernel'), [...GPU_MATMUL_KERNELS]);
});

test('the severity and theory-basis enums are the code’s Severity and TheoryBasis', () => {
  // Exhaustive over the union types: tsc fails here when a severity or basis is added to or removed from src/theory/types.ts.
  const severities = { error: true, warning: true, info: true, hint: true } satisfies Record<Severity, true>;
  assert.deepEqual([...enumOf('severity')].sort(), Object.keys(severities).sort());
  // The protocol's guard, the runtime list the views trust, accepts exactly these.
  const finding = (severity: string) => ({ code: 'DL101', severity, message: 'm', path: 'model.init', measured: false });
  for (const s of enumOf('severity')) assert.ok(isFinding(finding(s as string)), String(s));
  assert.ok(!isFinding(finding('fatal')));
  const bases = {
    'gaussian-bn-linear-centred': true,
    'gaussian-bn-linear-uncentred': true,
    'gaussian-bn-large-batch': true,
    'orthogonal-linear-bounded': true,
    'orthogonal-bn-finite-batch': true,
    'orthogonal-nonlinear': true,
    shaped: true,
    'residual-bn': true,
    'residual-unnormalized': true,
    'residual-skipinit': true,
    'no-normalization': true,
    'layernorm-mean-field': true,
    unknown: true,
  } satisfies Record<TheoryBasis, true>;
  assert.deepEqual([...enumOf('theoryBasis')].sort(), Object.keys(bases).sort());
  const labels = { teacher: true, file: true } satisfies Record<NonNullable<TrainResult['labels']>, true>;
  assert.deepEqual([...((resultSchema['definitions'] as Record<string, JsonSchema>)['train']!['properties'] as Record<string, JsonSchema>)['labels']!['enum'] as string[]].sort(), Object.keys(labels).sort());
});

/** Every key of T, each marked required or optional as T declares it; tsc rejects a missing, extra or wrongly marked key. */
type Fields<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? 'optional' : 'required' };
const fields = <T>(f: Fields<T>): Record<string, 'optional' | 'required'> => f;

function at(pointer: string): JsonSchema {
  let node: unknown = resultSchema;
  for (const key of pointer.split('/').filter(Boolean)) node = (node as JsonSchema | unknown[])[key as never];
  assert.ok(node && typeof node === 'object', pointer);
  return node as JsonSchema;
}

test('every object of the schema has exactly the fields of its TypeScript type, required exactly where the type requires them', () => {
  const objects: [string, Record<string, 'optional' | 'required'>][] = [
    ['', fields<Result>({ depthlens: 'required', spec: 'required', backend: 'required', seconds: 'required', predictedSeconds: 'optional', calibration: 'optional', seeds: 'required', timings: 'required', memory: 'optional', quick: 'optional', quickCaps: 'optional', partial: 'optional', layers: 'required', growth: 'required', theory: 'required', depthSweep: 'optional', train: 'optional', findings: 'required' })],
    ['/properties/spec', fields<Result['spec']>({ path: 'required', name: 'required' })],
    ['/properties/quickCaps', fields<QuickCaps>({ depth: 'required', width: 'required', seeds: 'required' })],
    ['/definitions/cappedValue', fields<CappedValue>({ spec: 'required', run: 'required' })],
    ['/properties/memory', fields<MemoryUse>({ peakGpuBytes: 'optional' })],
    ['/definitions/backend', fields<BackendInfo>({ name: 'required', version: 'required', threads: 'required', simd: 'optional', adapter: 'optional', reason: 'optional', matmul: 'optional' })],
    ['/definitions/gpuMatMul', fields<GpuMatMulChoice>({ kernel: 'required', shape: 'optional', tiledGflops: 'optional', tfjsGflops: 'optional', reason: 'required' })],
    ['/definitions/gpuAdapter', fields<GpuAdapterInfo>({ vendor: 'required', architecture: 'required', device: 'required', description: 'required', backendType: 'optional', driver: 'optional', software: 'required', memoryBytes: 'optional', memorySource: 'optional' })],
    ['/definitions/timings', fields<Timings>({ initSeconds: 'required', diagnosticSeconds: 'required', trainSeconds: 'required', sweepSeconds: 'optional' })],
    ['/definitions/spread', fields<Spread>({ mean: 'required', min: 'required', max: 'required' })],
    ['/definitions/activationStats', fields<ActivationStats>({ mean: 'required', rms: 'required', saturated: 'required' })],
    ['/definitions/layer', fields<LayerResult>({ index: 'required', isometryGap: 'required', degenerate: 'required', rank: 'required', logGradNorm: 'required', activations: 'optional' })],
    ['/definitions/growth', fields<Growth>({ perLayer: 'required', log10Range: 'required' })],
    ['/definitions/theoryLine', fields<TheoryLine>({ perLayer: 'required', lambda: 'required', basis: 'required', logGradNorm: 'optional' })],
    ['/definitions/depthSweepPoint', fields<DepthSweepPoint>({ depth: 'required', logGradNormW1: 'required' })],
    ['/definitions/layerValue', fields<NonNullable<TrainRecord['isometryGap']>[number]>({ layer: 'required', value: 'required' })],
    ['/definitions/trainRecord', fields<TrainRecord>({ step: 'required', loss: 'required', accuracy: 'required', evalLoss: 'optional', evalAccuracy: 'optional', logGradNorm: 'required', isometryGap: 'optional', weightIsometry: 'optional' })],
    ['/definitions/diverged/oneOf/1', fields<NonNullable<TrainResult['diverged']>>({ step: 'required', reason: 'required' })],
    ['/definitions/trainDepthRun', fields<TrainDepthRun>({ depth: 'required', records: 'required', diverged: 'optional', skipped: 'optional' })],
    ['/definitions/train', fields<TrainResult>({ records: 'required', depthRuns: 'optional', diverged: 'optional', depth: 'optional', optimizer: 'optional', lr: 'optional', labels: 'optional', skipped: 'optional' })],
    ['/definitions/position', fields<Position>({ line: 'required', character: 'required' })],
    ['/definitions/range', fields<Range>({ start: 'required', end: 'required' })],
    ['/definitions/fixEdit', fields<NonNullable<FindingFix['more']>[number]>({ path: 'required', value: 'required' })],
    ['/definitions/fix', fields<FindingFix>({ path: 'required', value: 'required', title: 'required', preferred: 'optional', more: 'optional' })],
    ['/definitions/finding', fields<Finding>({ code: 'required', severity: 'required', message: 'required', path: 'required', range: 'optional', measured: 'required', fix: 'optional', alternatives: 'optional' })],
  ];
  for (const [pointer, f] of objects) {
    const node = at(pointer);
    const label = pointer || '(top level)';
    assert.deepEqual(Object.keys(node['properties'] as JsonSchema).sort(), Object.keys(f).sort(), `${label}: properties`);
    const required = Object.keys(f).filter((k) => f[k] === 'required');
    assert.deepEqual([...((node['required'] as string[] | undefined) ?? [])].sort(), required.sort(), `${label}: required`);
  }
  // Every definition with properties is covered above (a new object type must be added to this table).
  const covered = new Set(objects.map(([p]) => p));
  for (const [name, def] of Object.entries(definitions)) {
    if (def['properties']) assert.ok(covered.has(`/definitions/${name}`), `definitions.${name} is not compared with its type`);
  }
});
