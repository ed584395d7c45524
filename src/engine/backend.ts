// Chooses, initialises and reports the TensorFlow.js backend (DESIGN §4).
// auto: tfjs-node-gpu → tfjs-node → wasm → cpu. The native packages are optional: they are looked up in node_modules and in
// RunOptions.nativeModulePaths (where the extension installs them), and asking for a missing one is a clear error.
import * as tfjs from '@tensorflow/tfjs';
import { setWasmPaths, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { BackendChoice, BackendInfo, BackendName } from '../result';

export type Tf = typeof tfjs;

export interface Backend {
  /** The tfjs namespace to compute with: a native package brings its own copy of tfjs-core. */
  tf: Tf;
  info: BackendInfo;
}

export class BackendUnavailableError extends Error {}

const NATIVE_PACKAGE: Record<'tfjs-node-gpu' | 'tfjs-node', string> = {
  'tfjs-node-gpu': '@tensorflow/tfjs-node-gpu',
  'tfjs-node': '@tensorflow/tfjs-node',
};
const NATIVE_NAME: Record<'tfjs-node-gpu' | 'tfjs-node', BackendName> = { 'tfjs-node-gpu': 'tensorflow-gpu', 'tfjs-node': 'tensorflow' };
const AUTO_ORDER: Exclude<BackendChoice, 'auto'>[] = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];
const WASM_FILE = 'tfjs-backend-wasm-simd.wasm';

let current: Backend | null = null;
let wasmPathsSet = false;

/** Initialises the requested backend (or the first that works for 'auto') and verifies tfjs really switched to it. */
export async function selectBackend(choice: BackendChoice, nativeModulePaths: string[] = []): Promise<Backend> {
  if (choice === 'auto') {
    const failures: string[] = [];
    for (const c of AUTO_ORDER) {
      try {
        return await selectBackend(c, nativeModulePaths);
      } catch (e) {
        failures.push(`${c}: ${(e as Error).message}`);
      }
    }
    throw new BackendUnavailableError(`no TensorFlow.js backend could be initialised:\n  ${failures.join('\n  ')}`);
  }
  if (current && backendChoiceOf(current.info.name) === choice) return current;
  const backend = choice === 'tfjs-node-gpu' || choice === 'tfjs-node' ? await initNative(choice, nativeModulePaths) : await initBundled(choice);
  current = backend;
  return backend;
}

function backendChoiceOf(name: BackendName): BackendChoice {
  return name === 'tensorflow-gpu' ? 'tfjs-node-gpu' : name === 'tensorflow' ? 'tfjs-node' : name;
}

async function initBundled(choice: 'wasm' | 'cpu'): Promise<Backend> {
  if (choice === 'wasm') configureWasmPaths();
  let ok = false;
  try {
    ok = await tfjs.setBackend(choice);
  } catch (e) {
    throw new BackendUnavailableError(`the ${choice} backend failed to start: ${(e as Error).message}`);
  }
  if (!ok || tfjs.getBackend() !== choice) {
    throw new BackendUnavailableError(`the ${choice} backend failed to start (tfjs is on "${tfjs.getBackend()}")`);
  }
  await tfjs.ready();
  if (choice === 'wasm') {
    const simd = (await tfjs.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
    // Threads are hard-disabled in Node by tfjs (issue #3830): one thread, reported as such.
    return { tf: tfjs, info: { name: 'wasm', version: version_wasm, threads: 1, simd } };
  }
  return { tf: tfjs, info: { name: 'cpu', version: tfjs.version_core, threads: 1 } };
}

/**
 * When running from a bundle (dist/engine.js, dist/cli.js) the .wasm files sit next to it (scripts/build.mjs copies them);
 * unbundled, the package finds its own files.
 */
function configureWasmPaths(): void {
  if (wasmPathsSet) return;
  wasmPathsSet = true;
  if (typeof __dirname === 'string' && existsSync(join(__dirname, WASM_FILE))) setWasmPaths(join(__dirname, '/'));
}

async function initNative(choice: 'tfjs-node-gpu' | 'tfjs-node', nativeModulePaths: string[]): Promise<Backend> {
  const pkg = NATIVE_PACKAGE[choice];
  // createRequire(dir/_) resolves dir/node_modules/<pkg> and the node_modules folders above dir, like Node itself.
  const candidates = [...nativeModulePaths.map((p) => join(p, '_')), join(process.cwd(), '_')];
  if (typeof __filename === 'string') candidates.push(__filename);
  let loaded: Tf | null = null;
  const errors: string[] = [];
  for (const from of candidates) {
    try {
      loaded = createRequire(from)(pkg) as Tf;
      break;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code !== 'MODULE_NOT_FOUND') errors.push(`${from}: ${err.message}`);
    }
  }
  if (!loaded) {
    const install = `"npm install ${pkg}" or the VS Code command "DepthLens: Install Native Backend", or choose --backend wasm`;
    throw new BackendUnavailableError(
      errors.length
        ? `${pkg} was found but failed to load (${errors.join('; ')}). Reinstall it with ${install}.`
        : `${pkg} is not installed. Install it with ${install}.`,
    );
  }
  const name = NATIVE_NAME[choice];
  const ok = await loaded.setBackend(name);
  if (!ok || loaded.getBackend() !== name) {
    throw new BackendUnavailableError(`${pkg} loaded but the "${name}" backend failed to start (tfjs is on "${loaded.getBackend()}")`);
  }
  await loaded.ready();
  const { availableParallelism } = await import('node:os');
  return { tf: loaded, info: { name, version: loaded.version_core, threads: availableParallelism() } };
}
