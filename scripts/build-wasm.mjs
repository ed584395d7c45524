// The engine's hand-written WebAssembly (SIMD, for host-side numerics): each src/engine/simd/NAME.wat becomes
// NAMEBinary.ts, its binary as base64 (bundled with the engine like any module: no file to find at run time). The .ts files
// are committed, so a build needs no wabt; a unit test compiles the .wat again and fails when the two differ.
//   node scripts/build-wasm.mjs          (npm run build:wasm)
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SIMD_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'engine', 'simd');

/** The generated module's text for the .wat at `file`. */
export async function generatedModule(file) {
  const { default: initWabt } = await import('wabt');
  const wabt = await initWabt();
  const name = basename(file, '.wat');
  const parsed = wabt.parseWat(`${name}.wat`, readFileSync(file, 'utf8'), { simd: true });
  try {
    parsed.validate();
    const { buffer } = parsed.toBinary({});
    const constant = `${name.toUpperCase()}_WASM_BASE64`;
    return [
      `// Generated from ${name}.wat by scripts/build-wasm.mjs (npm run build:wasm); do not edit.`,
      `export const ${constant} =`,
      `  '${Buffer.from(buffer).toString('base64')}';`,
      '',
    ].join('\n');
  } finally {
    parsed.destroy();
  }
}

export function watFiles() {
  return readdirSync(SIMD_DIR)
    .filter((f) => f.endsWith('.wat'))
    .map((f) => join(SIMD_DIR, f));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const file of watFiles()) {
    const out = file.replace(/\.wat$/, 'Binary.ts');
    writeFileSync(out, await generatedModule(file));
    console.log(`${out}`);
  }
}
