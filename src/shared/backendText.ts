// How a result names its backend, in one wording for the CLI summary, the status item, the panel and the report.
// No runtime imports: the webview bundles this file.
import type { BackendInfo } from './result';

/** "webgpu 4.22.0 · NVIDIA H200 (hardware)", "wasm 4.22.0 · 1 thread · SIMD". */
export function backendText(b: BackendInfo): string {
  if (b.adapter) {
    const a = b.adapter;
    const gpu = [a.vendor, a.device || a.architecture].filter(Boolean).join(' ') || a.description || 'unknown adapter';
    return `${b.name} ${b.version} · ${gpu} (${a.software ? 'software adapter' : 'hardware'})`;
  }
  const threads = `${b.threads} thread${b.threads === 1 ? '' : 's'}`;
  return [`${b.name} ${b.version}`, threads, b.simd ? 'SIMD' : null].filter(Boolean).join(' · ');
}

/** The adapter in full (vendor, architecture, device, driver, memory), why this backend ran and which matmul it used, one line each. */
export function backendDetails(b: BackendInfo): string[] {
  const lines: string[] = [];
  if (b.adapter) {
    const a = b.adapter;
    lines.push(
      `adapter: vendor ${a.vendor || '?'}, architecture ${a.architecture || '?'}, device ${a.device || '?'}` +
        `${a.driver ? `, driver ${a.driver}` : a.description ? `, ${a.description}` : ''} — ${a.software ? 'a software adapter (CPU emulation, slow)' : 'a hardware GPU'}`,
    );
  }
  if (b.adapter?.memoryBytes) lines.push(`memory: ${(b.adapter.memoryBytes / 2 ** 30).toFixed(1)} GiB (${b.adapter.memorySource ?? 'as the platform reports it'})`);
  if (b.reason) lines.push(`why: ${b.reason}`);
  if (b.matmul) lines.push(`matmul: ${b.matmul.kernel === 'tiled' ? 'DepthLens’s tiled WGSL kernel' : 'tfjs’s'} (${b.matmul.reason})`);
  return lines;
}
