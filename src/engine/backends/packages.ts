// Where optional backend packages may be loaded from: DepthLens's own install (the node_modules beside its package.json)
// and the folders the caller names (the extension's global storage). Never the workspace or the current directory, and
// never the node_modules folders above those roots: a spec's repository must not be able to put code in DepthLens's way.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let ownRoot: string | null | undefined;

/** The folder holding DepthLens's package.json, found from this file (bundled in dist/ or run from src/ by tsx). */
export function installRoot(): string | null {
  if (ownRoot !== undefined) return ownRoot;
  ownRoot = null;
  let dir = typeof __dirname === 'string' ? __dirname : process.cwd();
  for (let i = 0; i < 6; i++) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'depthlens') {
          ownRoot = dir;
          break;
        }
      } catch {
        // an unreadable package.json on the way up is not ours
      }
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return ownRoot;
}

/**
 * The package's folder: in DepthLens's own node_modules (a checkout, the CLI), vendored into a platform-specific extension
 * package (dist/vendor/<pkg>, see scripts/package.mjs), or in `<root>/node_modules` of a caller's root (the extension's
 * storage, where "Install Native or GPU Backend" puts it).
 */
export function findPackage(pkg: string, extraRoots: readonly string[]): string | null {
  const own = installRoot();
  const candidates = [
    ...(own ? [join(own, 'node_modules', pkg), join(own, 'dist', 'vendor', pkg)] : []),
    ...extraRoots.map((root) => join(root, 'node_modules', pkg)),
  ];
  return candidates.find((dir) => existsSync(join(dir, 'package.json'))) ?? null;
}
