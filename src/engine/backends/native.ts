// The optional native TensorFlow packages (@tensorflow/tfjs-node, -gpu): libtensorflow with its own threads (and CUDA 11 for
// -gpu). Each brings its own copy of tfjs-core, so the pass computes with the namespace the package returns.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { BackendName } from '../../shared/result';
import { BackendUnavailableError, type Backend, type Tf } from './types';
import { findPackage } from './packages';

export type NativeChoice = 'tfjs-node-gpu' | 'tfjs-node';

const PACKAGE: Record<NativeChoice, string> = { 'tfjs-node-gpu': '@tensorflow/tfjs-node-gpu', 'tfjs-node': '@tensorflow/tfjs-node' };
const NAME: Record<NativeChoice, BackendName> = { 'tfjs-node-gpu': 'tensorflow-gpu', 'tfjs-node': 'tensorflow' };

export async function initNative(choice: NativeChoice, roots: readonly string[]): Promise<Backend> {
  const pkg = PACKAGE[choice];
  const install = `"npm install ${pkg}" in DepthLens's folder or the VS Code command "DepthLens: Install Native or GPU Backend", or choose --backend wasm`;
  const dir = findPackage(pkg, roots);
  if (!dir) throw new BackendUnavailableError(`${pkg} is not installed. Install it with ${install}.`);
  let loaded: Tf;
  try {
    loaded = createRequire(join(dir, 'package.json'))(dir) as Tf;
  } catch (e) {
    throw new BackendUnavailableError(`${pkg} was found but failed to load (${(e as Error).message.split('\n')[0]}; from ${dir}). Reinstall it with ${install}.`);
  }
  const name = NAME[choice];
  const ok = await loaded.setBackend(name);
  if (!ok || loaded.getBackend() !== name) {
    throw new BackendUnavailableError(`${pkg} loaded but the "${name}" backend failed to start (tfjs is on "${loaded.getBackend()}")`);
  }
  await loaded.ready();
  const { availableParallelism } = await import('node:os');
  return { tf: loaded, info: { name, version: loaded.version_core, threads: availableParallelism() } };
}
