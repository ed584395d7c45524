// "Export Report": the Result as JSON (format v1), or the panel as one self-contained HTML file with the result inlined.
import * as vscode from 'vscode';
import { createNonce, renderPanelHtml } from '../panelHtml';
import type { Result } from '../result';

export type ReportFormat = 'json' | 'html';

async function readText(uri: vscode.Uri): Promise<string> {
  return Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
}

/** The HTML report: panel.js, panel.css and codicon.css from dist/webview inlined, the codicon font as a data: URI. */
export async function htmlReport(result: Result, extensionUri: vscode.Uri): Promise<string> {
  const dir = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
  const [script, panelCss, codiconCss, font] = await Promise.all([
    readText(vscode.Uri.joinPath(dir, 'panel.js')),
    readText(vscode.Uri.joinPath(dir, 'panel.css')),
    readText(vscode.Uri.joinPath(dir, 'codicon.css')),
    vscode.workspace.fs.readFile(vscode.Uri.joinPath(dir, 'codicon.ttf')),
  ]);
  const fontUri = `data:font/ttf;base64,${Buffer.from(font).toString('base64')}`;
  return renderPanelHtml({
    title: `DepthLens report — ${result.spec.name || result.spec.path}`,
    nonce: createNonce(),
    script: { inline: script.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n') },
    styles: [{ inline: codiconCss.replace(/url\(\s*["']?\.?\/?codicon\.ttf[^"')]*["']?\s*\)/g, `url("${fontUri}")`) }, { inline: panelCss }],
    initial: { result },
  });
}

export async function exportReport(result: Result, format: ReportFormat, target: vscode.Uri, extensionUri: vscode.Uri): Promise<void> {
  const text = format === 'json' ? JSON.stringify(result, null, 2) + '\n' : await htmlReport(result, extensionUri);
  await vscode.workspace.fs.writeFile(target, Buffer.from(text, 'utf8'));
}
