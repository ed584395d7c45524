// The webgpu backend for tests: on SwiftShader's Vulkan driver (Debian's chromium package) unless the environment names a
// driver. CI installs SwiftShader, so there a missing adapter fails the test; elsewhere the test is skipped with the reason.
import type { TestContext } from 'node:test';
import { existsSync } from 'node:fs';
import { selectBackend, type Backend } from '../../src/engine/backend';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;

/** The webgpu backend (tfjs switched to it), or null after marking the test skipped; throws in CI. */
export async function webgpuBackend(t: TestContext): Promise<Backend | null> {
  try {
    return await selectBackend('webgpu');
  } catch (e) {
    const why = `no WebGPU adapter (${(e as Error).message}); install chromium (SwiftShader) and libvulkan1`;
    if (process.env.CI) throw new Error(why);
    t.skip(why);
    return null;
  }
}
