// The panel's HTML document, shared by the VS Code webview (assets by asWebviewUri) and the standalone HTML report
// (assets inlined). Dependency-free on purpose: the extension host and the CLI both import it.
import type { Result } from './result';

/** A script or stylesheet, either by URI (webview) or inlined (report). */
export type PanelAsset = { uri: string } | { inline: string };

export interface PanelHtmlOptions {
  /** The panel bundle (dist/webview/panel.js). */
  script: PanelAsset;
  /** Stylesheets in order: codicons first, then panel.css. */
  styles: PanelAsset[];
  /** A fresh random nonce per document: only scripts and styles carrying it run. */
  nonce: string;
  /** webview.cspSource inside VS Code: the origin local resources are served from. Omit for the report. */
  cspSource?: string;
  title?: string;
  /** Inlined as an inert JSON data block; the panel shows it at start when it has no saved state. */
  initial?: { result: Result; previous?: Result | null; record?: RunRecord };
}

/**
 * What a report needs to be reproduced from: the spec text as run, the DepthLens version, where and when it ran and
 * with which options (the backend's name, version and adapter are in the Result itself).
 */
export interface RunRecord {
  specText: string;
  depthlensVersion: string;
  /** ISO 8601, UTC. */
  createdAt: string;
  /** "depthlens analyze (CLI)" or "VS Code 1.96.0". */
  producedBy: string;
  machine: { platform: string; arch: string; cpus: number; cpuModel: string; memoryGiB: number; node: string };
  /** The run options that change numbers: backend choice, seeds override, quick caps, sweep and training. */
  options: Record<string, string | number | boolean>;
}

/** The id the panel reads the inlined result from (src/webview/state.ts). */
export const INITIAL_DATA_ID = 'depthlens-initial';

/** 32 hex digits from the platform's CSPRNG (Node 20 and browsers both have globalThis.crypto). */
export function createNonce(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** Inline <script>/<style> content ends at the first "</script" or "</style": break those sequences (and "<!--"). */
function inlineSafe(code: string, tag: 'script' | 'style'): string {
  const closing = new RegExp(`</(${tag})`, 'gi');
  const safe = code.replace(closing, '<\\/$1');
  return tag === 'script' ? safe.replace(/<!--/g, '<\\!--') : safe;
}

/** JSON that can sit inside a <script type="application/json"> block: "<" escaped so no tag can end it. */
export function jsonDataBlock(data: unknown): string {
  return JSON.stringify(data).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function contentSecurityPolicy(nonce: string, cspSource?: string): string {
  const local = cspSource ? `${cspSource} ` : '';
  return [
    "default-src 'none'",
    `img-src ${local}data:`,
    `font-src ${local}data:`,
    `style-src ${local}'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

export function renderPanelHtml(o: PanelHtmlOptions): string {
  const nonce = escapeHtml(o.nonce);
  const styles = o.styles.map((s) =>
    'uri' in s ? `<link rel="stylesheet" nonce="${nonce}" href="${escapeHtml(s.uri)}">` : `<style nonce="${nonce}">${inlineSafe(s.inline, 'style')}</style>`,
  );
  const data = o.initial
    ? `<script type="application/json" id="${INITIAL_DATA_ID}">${jsonDataBlock({ result: o.initial.result, previous: o.initial.previous ?? null, record: o.initial.record ?? null })}</script>`
    : '';
  const script = 'uri' in o.script
    ? `<script nonce="${nonce}" src="${escapeHtml(o.script.uri)}"></script>`
    : `<script nonce="${nonce}">${inlineSafe(o.script.inline, 'script')}</script>`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(o.nonce, o.cspSource))}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(o.title ?? 'DepthLens')}</title>`,
    ...styles,
    '</head>',
    '<body>',
    data,
    script,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** The four files of dist/webview a self-contained report is made of, as text (the font base64-encoded). */
export interface ReportAssets {
  script: string;
  panelCss: string;
  codiconCss: string;
  codiconFontBase64: string;
}

/** codicon.css refers to codicon.ttf by relative URL; a single-file report needs the font inside the CSS. */
export function inlineCodiconFont(css: string, fontBase64: string): string {
  const inlined = css.replace(/url\(\s*["']?\.?\/?codicon\.ttf[^"')]*["']?\s*\)/g, `url("data:font/ttf;base64,${fontBase64}")`);
  if (inlined === css) throw new Error('HTML report: codicon.css has no codicon.ttf url() to inline (codicons package changed?)');
  return inlined;
}

/**
 * The standalone report: the panel with script, styles and font inlined and the result in its data block. One file,
 * no network, read-only (the panel finds no acquireVsCodeApi). Used by the CLI (--html) and the extension's export.
 */
export function renderReportHtml(result: Result, assets: ReportAssets, previous: Result | null = null, record?: RunRecord): string {
  return renderPanelHtml({
    title: `DepthLens report — ${result.spec.name || result.spec.path}`,
    nonce: createNonce(),
    // The source map comment would make devtools fetch a file that is not there.
    script: { inline: assets.script.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n') },
    styles: [{ inline: inlineCodiconFont(assets.codiconCss, assets.codiconFontBase64) }, { inline: assets.panelCss }],
    initial: { result, previous, ...(record ? { record } : {}) },
  });
}
