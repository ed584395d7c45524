// Webview entry (bundled to dist/webview/panel.js): the DepthLens diagnostics panel in VS Code, and the standalone
// HTML report when acquireVsCodeApi does not exist.
import { connectHost } from './host';
import { PanelView, type PanelHandle } from './panelView';

declare global {
  interface Window {
    depthlensPanel?: PanelHandle;
  }
}

function boot(): void {
  const host = connectHost();
  if (!host.interactive) applyStandaloneTheme(document.body);
  window.depthlensPanel = new PanelView(document, host).start(window);
}

/** The report has no editor theme: follow the browser's colour scheme. */
function applyStandaloneTheme(body: HTMLElement): void {
  if (/\bvscode-(light|dark|high-contrast)\b/.test(body.className)) return;
  const light = window.matchMedia?.('(prefers-color-scheme: light)').matches ?? false;
  body.classList.add(light ? 'vscode-light' : 'vscode-dark');
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
else boot();
