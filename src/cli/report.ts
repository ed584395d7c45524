// `depthlens analyze --html report.html`: the panel bundle with the result inlined — script, styles and the codicon font
// (as a data: URI) in one file that opens offline in any browser.
import { existsSync, readFileSync } from 'node:fs';
import { writeOutputFile } from './outputFile';
import { join, resolve } from 'node:path';
import { renderReportHtml, type RunRecord } from '../shared/panelHtml';
import type { Result } from '../shared/result';

export interface ReportOptions {
  /** The run before this one, drawn dashed for comparison. */
  previous?: Result | null;
  /** Folder holding panel.js, panel.css, codicon.css and codicon.ttf (default: dist/webview). */
  assetsDir?: string;
  /** Spec text, versions, machine, time and options: what makes the report reproducible. */
  record?: RunRecord;
}

const ASSETS = ['panel.js', 'panel.css', 'codicon.css', 'codicon.ttf'];

/** dist/webview beside the bundled CLI (dist/cli.js), or under the repository root when run from source. */
export function findWebviewAssets(): string {
  const candidates = [join(__dirname, 'webview'), resolve(__dirname, '../../dist/webview')];
  const found = candidates.find((dir) => ASSETS.every((f) => existsSync(join(dir, f))));
  if (!found) {
    throw new Error(`HTML report: the panel bundle is missing (looked for ${ASSETS.join(', ')} in ${candidates.join(' and ')}); run \`node scripts/build.mjs\` first`);
  }
  return found;
}

export function renderHtmlReport(result: Result, options: ReportOptions = {}): string {
  const dir = options.assetsDir ?? findWebviewAssets();
  const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
  const assets = {
    script: read('panel.js'),
    panelCss: read('panel.css'),
    codiconCss: read('codicon.css'),
    codiconFontBase64: readFileSync(join(dir, 'codicon.ttf')).toString('base64'),
  };
  return renderReportHtml(result, assets, options.previous ?? null, options.record);
}

export function writeHtmlReport(result: Result, outFile: string, options: ReportOptions = {}): void {
  writeOutputFile('HTML report', outFile, renderHtmlReport(result, options));
}
