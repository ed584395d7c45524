// Shared setup for the webview tests: build the panel bundle, launch headless Debian Chromium, load the panel with a
// stubbed acquireVsCodeApi that records what the panel posts and stores.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createNonce, renderPanelHtml } from '../../src/shared/panelHtml';
import type { HostToWebview, WebviewToHost } from '../../src/shared/protocol';

export const root = resolve(__dirname, '../..');
export const outputDir = join(root, 'test-output');
export const screenshotDir = join(outputDir, 'screenshots');
const webviewDir = join(root, 'dist/webview');

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

let built = false;

export function buildPanel(): void {
  if (built) return;
  execFileSync(process.execPath, ['scripts/build.mjs', '--only=panel'], { cwd: root, stdio: 'pipe' });
  built = true;
}

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** The panel as the extension serves it: asset URIs plus a CSP restricted to them (file: here, vscode-resource there). */
export function writePanelHtml(): string {
  buildPanel();
  mkdirSync(join(outputDir, 'webview'), { recursive: true });
  const uri = (f: string): string => pathToFileURL(join(webviewDir, f)).href;
  const html = renderPanelHtml({
    script: { uri: uri('panel.js') },
    styles: [{ uri: uri('codicon.css') }, { uri: uri('panel.css') }],
    nonce: createNonce(),
    cspSource: 'file:',
    title: 'DepthLens',
  });
  const file = join(outputDir, 'webview', 'panel.html');
  writeFileSync(file, html);
  return file;
}

export interface PanelPage {
  page: Page;
  errors: string[];
  posted(): Promise<WebviewToHost[]>;
  savedState(): Promise<unknown>;
  send(message: HostToWebview | unknown): Promise<void>;
}

/**
 * The acquireVsCodeApi stand-in, as source text: functions passed to the page would be rewritten by tsx (esbuild adds
 * __name() helpers that do not exist in the page).
 */
function stubScript(theme: string, state: unknown): string {
  return `
    window.__posted = [];
    window.__state = ${JSON.stringify(state)};
    let acquired = false;
    window.acquireVsCodeApi = () => {
      if (acquired) throw new Error('acquireVsCodeApi called twice');
      acquired = true;
      return {
        postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
        getState: () => window.__state,
        setState: (s) => { window.__state = JSON.parse(JSON.stringify(s)); },
      };
    };
    document.addEventListener('DOMContentLoaded', () => document.body.classList.add(${JSON.stringify(theme)}));
  `;
}

/**
 * Opens the panel in a VS Code-like page: body class for the theme, acquireVsCodeApi stubbed before any script runs.
 * `state` is what getState() returns (a previous setState, for the reload test).
 */
export async function openPanel(browser: Browser, options: { theme?: 'vscode-dark' | 'vscode-light' | 'vscode-high-contrast'; state?: unknown; size?: { width: number; height: number } } = {}): Promise<PanelPage> {
  const file = writePanelHtml();
  const page = await browser.newPage({ viewport: options.size ?? { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.addInitScript(stubScript(options.theme ?? 'vscode-dark', options.state ?? null));
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction(() => (window as unknown as { depthlensPanel?: unknown }).depthlensPanel !== undefined, undefined, { timeout: 5000 });
  return {
    page,
    errors,
    posted: () => page.evaluate(() => (window as unknown as { __posted: WebviewToHost[] }).__posted),
    savedState: () => page.evaluate(() => (window as unknown as { __state: unknown }).__state),
    send: async (message) => {
      await page.evaluate((m) => window.postMessage(m, '*'), message);
      // postMessage is asynchronous: a round trip through the event loop lets the panel handle it.
      await page.evaluate(() => new Promise((r) => setTimeout(r, 0)));
    },
  };
}
