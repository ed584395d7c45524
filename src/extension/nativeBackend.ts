// "Install Native or GPU Backend": npm-installs an optional backend package into the extension's global storage, where the engine
// looks on its next run (RunOptions.nativeModulePaths): `webgpu` (Dawn's WebGPU for Node, the GPU path: its binaries are
// inside the package, so the npm registry is all it needs; for a universal .vsix, which carries no GPU binary) or
// @tensorflow/tfjs-node(-gpu) (their install scripts download libtensorflow, so those need more network).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type NativePackage = 'webgpu' | '@tensorflow/tfjs-node' | '@tensorflow/tfjs-node-gpu';

/** Must match the bundled @tensorflow/tfjs so the native backend registers into the same tfjs-core version. */
export const TFJS_VERSION = '4.22.0';
/** The Dawn binding DepthLens is built and tested against (package.json optionalDependencies). */
export const WEBGPU_VERSION = '0.6.2';

function versionOf(pkg: NativePackage): string {
  return pkg === 'webgpu' ? WEBGPU_VERSION : TFJS_VERSION;
}

export interface InstallOutcome {
  ok: boolean;
  /** A message for the user: what happened and what to do. */
  message: string;
  /** npm's exit code, or null when it could not start or was cancelled. */
  exitCode: number | null;
}

export interface InstallHooks {
  onOutput?(line: string): void;
  /** Aborting kills npm. */
  signal?: AbortSignal;
}

const NETWORK_ERROR = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|getaddrinfo|socket hang up|network|ERR_SOCKET/i;
const LIBTF_DOWNLOAD = /libtensorflow|storage\.googleapis\.com|install-?script|node-pre-gyp/i;

/** Turns npm's exit code and output into a message naming the cause and what still works. */
export function describeInstallFailure(pkg: NativePackage, exitCode: number | null, output: string): string {
  const fallback = 'DepthLens keeps using the bundled WebAssembly backend. The full npm output is in the DepthLens log.';
  if (NETWORK_ERROR.test(output)) {
    const where = LIBTF_DOWNLOAD.test(output) ? 'download the TensorFlow C library' : 'reach the npm registry';
    const needs = pkg === 'webgpu' ? 'the npm registry' : 'network access once, to download TensorFlow';
    return `Could not install ${pkg}: this machine appears to be offline (npm could not ${where}). This backend needs ${needs}. ${fallback}`;
  }
  if (/EACCES|EPERM/.test(output)) return `Could not install ${pkg}: permission denied writing the extension's storage folder. ${fallback}`;
  if (/ENOSPC/.test(output)) return `Could not install ${pkg}: the disk is full. ${fallback}`;
  return `Could not install ${pkg}: npm exited with code ${exitCode ?? 'unknown'}. ${fallback}`;
}

/** Runs `npm install --prefix <storageDir> <pkg>@<version>`. Never throws. */
export function installNativeBackend(pkg: NativePackage, storageDir: string, hooks: InstallHooks = {}): Promise<InstallOutcome> {
  try {
    mkdirSync(storageDir, { recursive: true });
    // A package.json makes the folder its own npm project; its allowScripts lets npm >= 11 run tfjs-node's install
    // script (which fetches libtensorflow). Older npm ignores the field.
    const manifest = join(storageDir, 'package.json');
    if (!existsSync(manifest)) {
      // webgpu's own script only clears macOS's quarantine flag from its binary.
      const allowScripts = { '@tensorflow/tfjs-node': true, '@tensorflow/tfjs-node-gpu': true, webgpu: true };
      writeFileSync(manifest, JSON.stringify({ name: 'depthlens-native-backends', private: true, allowScripts }, null, 2) + '\n');
    }
  } catch (err) {
    return Promise.resolve({ ok: false, exitCode: null, message: `Could not create ${storageDir}: ${err instanceof Error ? err.message : String(err)}` });
  }
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const args = ['install', '--prefix', storageDir, '--no-audit', '--no-fund', '--foreground-scripts', `${pkg}@${versionOf(pkg)}`];
  return new Promise((resolve) => {
    let output = '';
    let settled = false;
    const done = (o: InstallOutcome): void => {
      if (!settled) {
        settled = true;
        resolve(o);
      }
    };
    const child = spawn(npm, args, { cwd: storageDir, shell: process.platform === 'win32' });
    const onData = (chunk: Buffer): void => {
      const s = chunk.toString('utf8');
      output += s;
      for (const line of s.split(/\r?\n/)) if (line.trim()) hooks.onOutput?.(line);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const onAbort = (): void => {
      child.kill('SIGTERM');
      done({ ok: false, exitCode: null, message: `Installing ${pkg} was cancelled.` });
    };
    if (hooks.signal?.aborted) onAbort();
    else hooks.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err: NodeJS.ErrnoException) => {
      const message =
        err.code === 'ENOENT'
          ? `Could not install ${pkg}: npm was not found on PATH. Install Node.js (which provides npm) and try again.`
          : `Could not install ${pkg}: ${err.message}`;
      done({ ok: false, exitCode: null, message });
    });
    child.on('close', (code) => {
      if (code === 0) {
        const next = pkg === 'webgpu' ? 'backend "webgpu" uses it, and "auto" for runs large enough to gain from the GPU' : 'backend "auto" picks it first';
        done({ ok: true, exitCode: 0, message: `Installed ${pkg}@${versionOf(pkg)} into ${storageDir}. The next run can use it (${next}).` });
      } else done({ ok: false, exitCode: code, message: describeInstallFailure(pkg, code, output) });
    });
  });
}
