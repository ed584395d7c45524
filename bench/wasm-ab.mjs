// The wasm diagnostic of one seed at fixed sizes, from the source tree at ROOT (another checkout, e.g. a git worktree of an
// older commit): run it alternately on two roots to compare them in the same conditions (bench/RESULTS.md, "A/B").
//   node --import tsx bench/wasm-ab.mjs ROOT [reps=3] [sizes=128/32/1000,512/64/300,100/100/1000]
// prints JSON {"width/batch/depth": [median init s, median diagnostic s, fastest init + diagnostic s]}. On a shared VM a
// process can run 1.3–1.6× slow throughout (steal); the fastest repetition is the steadier statistic to compare.
const root = process.argv[2];
const reps = Number(process.argv[3] ?? 3);
const sizes = (process.argv[4] ?? '128/32/1000,512/64/300,100/100/1000').split(',').map((s) => s.split('/').map(Number));
const { parseSpec } = await import(`${root}/src/spec/index.ts`);
const { selectBackend } = await import(`${root}/src/engine/backend.ts`);
const { runSeed } = await import(`${root}/src/engine/diagnose.ts`);

const specText = ([width, batch, depth]) =>
  [
    'depthlens: 1',
    'name: ab',
    `data: { source: gaussian, features: ${width}, batch: ${batch}, classes: 10 }`,
    `model: { depth: ${depth}, width: ${width}, init: orthogonal, norm: batchnorm, center: false, eps: 0, activation: identity }`,
    'loss: cross-entropy',
    'diagnostics: { seeds: 1, seed: 0 }',
    '',
  ].join('\n');
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const backend = await selectBackend('wasm');
const out = {};
for (const size of sizes) {
  const spec = parseSpec(specText(size), 'ab.yaml').spec;
  await runSeed(backend, spec, 0); // warm-up: JIT, kernels, the wasm heap at this size
  const init = [];
  const diag = [];
  for (let r = 0; r < reps; r++) {
    const run = await runSeed(backend, spec, 0);
    init.push(run.initSeconds);
    diag.push(run.diagnosticSeconds);
  }
  out[size.join('/')] = [median(init), median(diag), Math.min(...init.map((s, i) => s + diag[i]))];
}
console.log(JSON.stringify(out));
process.exit(0);
