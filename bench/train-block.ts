// The longest event-loop block during one short training run on wasm (issue 16 item 5): what a cancel, Ctrl-C or the
// parent's disconnect waits for at worst. `node --import tsx bench/train-block.ts [width] [batch] [root]`; `root` (default
// this checkout) lets the same run be timed against another checkout's engine, e.g. one from before the banded step.
import { join, resolve } from 'node:path';

const width = Number(process.argv[2] ?? 4096);
const batch = Number(process.argv[3] ?? 256);
const root = resolve(process.argv[4] ?? join(__dirname, '..'));

async function main(): Promise<void> {
  const { selectBackend } = (await import(join(root, 'src/engine/backend'))) as typeof import('../src/engine/backend');
  const { trainNetwork } = (await import(join(root, 'src/engine/train/trainer'))) as typeof import('../src/engine/train/trainer');
  const { parseSpec } = (await import(join(root, 'src/spec/index'))) as typeof import('../src/spec/index');
  const tf = (await selectBackend('wasm')).tf;
  const yaml = `depthlens: 1\nname: block\ndata: { source: gaussian, features: ${width}, batch: 64, classes: 2 }
model: { depth: 1, width: ${width}, init: he, norm: batchnorm, activation: relu }
train: { steps: 1, batch: ${batch}, optimizer: sgd, lr: 0.01 }\n`;
  const spec = parseSpec(yaml, '/tmp/block.depthlens.yaml').spec;
  if (!spec) throw new Error('bad spec');
  const t0 = performance.now();
  let last = t0;
  let worst = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 5);
  await trainNetwork(tf, spec, spec.model.layers, 1);
  clearInterval(ticker);
  const total = performance.now() - t0;
  console.log(`width ${width}, train batch ${batch}, 1 step + 2 records on wasm (${root}): ${(total / 1000).toFixed(1)} s in all, longest event-loop block ${worst.toFixed(0)} ms`);
}

void main();
