// Packages the extension: `node scripts/package.mjs` makes the universal depthlens.vsix (no GPU binary: the GPU backend is
// then one "DepthLens: Install Native Backend" away); `--target <vscode-target>` (repeatable, or `--all`) makes
// platform-specific packages (`vsce package --target`) that carry Dawn's WebGPU addon for that platform only, vendored
// under dist/vendor/webgpu where the engine looks for it. Run `npm run build` first.
import { cpSync, existsSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** VS Code's platform targets and the folder of the `webgpu` package holding that platform's dawn.node. */
export const DAWN_FOLDER = {
  'linux-x64': 'linux-x64',
  'linux-arm64': 'linux-arm64',
  'darwin-x64': 'darwin-universal',
  'darwin-arm64': 'darwin-universal',
  'win32-x64': 'win32-x64',
  'win32-arm64': 'win32-arm64',
};

const args = process.argv.slice(2);
const targets = args.includes('--all') ? Object.keys(DAWN_FOLDER) : args.flatMap((a, i) => (args[i - 1] === '--target' ? [a] : []));
const outDir = args.find((a, i) => args[i - 1] === '--out') ?? root;
for (const t of targets) if (!(t in DAWN_FOLDER)) fail(`unknown target "${t}" (known: ${Object.keys(DAWN_FOLDER).join(', ')})`);
if (!existsSync(join(root, 'dist', 'engine.js'))) fail('dist/engine.js is missing: run `npm run build` first');

const vendor = join(root, 'dist', 'vendor');
try {
  if (targets.length === 0) {
    rmSync(vendor, { recursive: true, force: true });
    vsce([], join(outDir, 'depthlens.vsix'));
  }
  for (const target of targets) {
    const pkg = join(root, 'node_modules', 'webgpu');
    const folder = join(pkg, 'dist', DAWN_FOLDER[target]);
    if (!existsSync(folder)) fail(`node_modules/webgpu has no ${DAWN_FOLDER[target]} binary: run npm ci (it is an optional dependency)`);
    rmSync(vendor, { recursive: true, force: true });
    const into = join(vendor, 'webgpu');
    for (const f of ['package.json', 'LICENSE.md']) if (existsSync(join(pkg, f))) cpSync(join(pkg, f), join(into, f));
    cpSync(folder, join(into, 'dist', DAWN_FOLDER[target]), { recursive: true });
    vsce(['--target', target], join(outDir, `depthlens-${target}.vsix`));
  }
} finally {
  rmSync(vendor, { recursive: true, force: true });
}

function vsce(extra, out) {
  const cli = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  const r = spawnSync(process.execPath, [cli, 'package', '--no-dependencies', '--allow-missing-repository', ...extra, '-o', out], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0) fail(`vsce package ${extra.join(' ')} failed`);
}

function fail(message) {
  console.error(`package: ${message}`);
  process.exit(1);
}
