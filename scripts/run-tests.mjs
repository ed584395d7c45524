// Runs the node:test suites: node scripts/run-tests.mjs [unit|engine|cli|webview|extension ...]
// With no argument, every suite. One node --test process, so one closing `pass/fail` summary.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const suites = ['unit', 'engine', 'cli', 'webview', 'extension'];
const chosen = process.argv.slice(2).length ? process.argv.slice(2) : suites;
for (const s of chosen) if (!suites.includes(s)) throw new Error(`unknown test suite "${s}" (known: ${suites.join(', ')})`);

function testFiles(dir) {
  let out = [];
  let names = [];
  try { names = readdirSync(dir); } catch { return out; }
  for (const name of names.sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(testFiles(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const files = chosen.flatMap((s) => testFiles(join(root, 'test', s)));
if (files.length === 0) throw new Error('no test files found');
// The webgpu tests run on SwiftShader's Vulkan driver (Debian's chromium) unless the environment names a Vulkan driver.
const swiftShader = '/usr/lib/chromium/vk_swiftshader_icd.json';
const env = { ...process.env };
if (!env.VK_ICD_FILENAMES && !env.VK_DRIVER_FILES && existsSync(swiftShader)) env.VK_ICD_FILENAMES = swiftShader;
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], { stdio: 'inherit', cwd: root, env });
process.exit(r.status ?? 1);
