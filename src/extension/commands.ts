// The palette commands (package.json contributes.commands). Each accepts optional arguments so CodeLens, menus and
// keybindings can pass a target without a picker.
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BackendChoice, Result } from '../shared/result';
import type { RunOutcome } from './engineClient';
import type { Logger } from '../shared/logger';
import type { FindingsStore } from './findingsStore';
import { installNativeBackend, type InstallOutcome, type NativePackage } from './nativeBackend';
import type { PanelController } from './panel';
import type { SavedResults } from './savedResults';
import type { RunController, RunMode } from './runController';
import { exportReport, type ReportFormat } from './exportReport';
import { BACKEND_CHOICES, readSettings, setBackend } from './settings';
import { activeSpecEditor, isSpecDocument, specFilePath } from './specDocuments';
import type { RunStatusItem } from './statusBar';
import { TEMPLATES } from './templates';
import { allowedByTrust, RESTRICTED_MESSAGE } from './workspaceTrust';

export interface CommandDeps {
  context: vscode.ExtensionContext;
  log: Logger;
  runs: RunController;
  panel: PanelController;
  memory: SavedResults;
  store: FindingsStore;
  status: RunStatusItem;
  /** Global storage folder where native backends are installed. */
  nativeDir: string;
  /** Stops an idle engine so the next run starts with the new backend settings or packages. */
  restartEngine(): void;
}

async function specDocument(uri: unknown): Promise<vscode.TextDocument | undefined> {
  if (uri instanceof vscode.Uri) return vscode.workspace.openTextDocument(uri);
  const doc = activeSpecEditor()?.document;
  if (!doc) void vscode.window.showWarningMessage('DepthLens: open a *.depthlens.yaml (or .json) spec first.');
  return doc;
}

/**
 * After Analyze the answer is in the charts: bring an open panel forward (without taking focus from the editor), or
 * offer to open it, so a long run does not end with only a status-bar change.
 */
function offerCharts(panel: PanelController, result: Result): void {
  if (panel.isOpen) {
    panel.show();
    return;
  }
  const open = 'Open charts';
  const findings = result.findings.filter((f) => f.measured).length;
  const what = `${result.spec.name || 'the spec'}: analysed in ${result.seconds.toFixed(1)} s${findings ? `, ${findings} measured finding${findings === 1 ? '' : 's'}` : ''}.`;
  void vscode.window.showInformationMessage(`DepthLens: ${what}`, open).then((pick) => {
    if (pick === open) panel.show();
  });
}

export function registerCommands(d: CommandDeps): vscode.Disposable[] {
  const run = async (uri: unknown, mode: RunMode): Promise<RunOutcome | undefined> => {
    const doc = await specDocument(uri);
    if (!doc) return undefined;
    if (!isSpecDocument(doc)) {
      void vscode.window.showWarningMessage(`DepthLens: ${doc.fileName} is not a *.depthlens.{yaml,yml,json} spec.`);
      return undefined;
    }
    const outcome = await d.runs.run(doc, mode);
    if (outcome.kind === 'done') offerCharts(d.panel, outcome.result);
    return outcome;
  };
  const nativeInstalled = (pkg: NativePackage): boolean => existsSync(join(d.nativeDir, 'node_modules', pkg, 'package.json'));
  // A platform-specific package vendors the addon (scripts/package.mjs); the universal one needs it installed.
  const gpuInstalled = (): boolean =>
    nativeInstalled('webgpu') || ['dist/vendor/webgpu', 'node_modules/webgpu'].some((p) => existsSync(join(d.context.extensionPath, p, 'package.json')));

  return [
    vscode.commands.registerCommand('depthlens.analyze', (uri?: unknown) => run(uri, 'full')),
    vscode.commands.registerCommand('depthlens.runSweep', (uri?: unknown) => run(uri, 'sweep')),
    vscode.commands.registerCommand('depthlens.cancelRun', () => d.runs.cancel()),
    vscode.commands.registerCommand('depthlens.openPanel', () => d.panel.show()),

    vscode.commands.registerCommand('depthlens.selectBackend', async (choice?: unknown) => {
      let picked: BackendChoice | undefined = BACKEND_CHOICES.find((c) => c === choice);
      if (!picked) {
        const describe: Record<BackendChoice, string> = {
          auto: 'native TensorFlow if installed, else the faster of WebAssembly and a hardware GPU for each run',
          webgpu: gpuInstalled() ? 'the local GPU through WebGPU (Vulkan, Metal, D3D12)' : 'not installed: run "Install Native or GPU Backend" and pick webgpu',
          'tfjs-node-gpu': nativeInstalled('@tensorflow/tfjs-node-gpu') ? 'native TensorFlow with CUDA (installed)' : 'not installed: run "Install Native or GPU Backend"',
          'tfjs-node': nativeInstalled('@tensorflow/tfjs-node') ? 'native TensorFlow on the CPU (installed)' : 'not installed: run "Install Native or GPU Backend"',
          wasm: 'WebAssembly with SIMD (bundled)',
          cpu: 'pure JavaScript (bundled, slowest)',
        };
        const current = readSettings().backend;
        const item = await vscode.window.showQuickPick(
          BACKEND_CHOICES.map((c) => ({ label: c, description: c === current ? `$(check) current · ${describe[c]}` : describe[c] })),
          { title: 'DepthLens backend', placeHolder: `Backend for the next runs (now: ${current})` },
        );
        picked = item?.label as BackendChoice | undefined;
      }
      if (!picked) return undefined;
      await setBackend(picked);
      d.status.setChoice(picked);
      d.restartEngine();
      d.log.info(`backend set to ${picked}`);
      return picked;
    }),

    vscode.commands.registerCommand('depthlens.newSpec', async (templateId?: unknown) => {
      let template = TEMPLATES.find((t) => t.id === templateId);
      if (!template) {
        const item = await vscode.window.showQuickPick(
          TEMPLATES.map((t) => ({ label: t.label, detail: t.detail, template: t })),
          { title: 'New DepthLens spec', placeHolder: 'Start from a template' },
        );
        template = item?.template;
      }
      if (!template) return undefined;
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      let doc: vscode.TextDocument;
      if (folder) {
        let target = vscode.Uri.joinPath(folder, `${template.stem}.depthlens.yaml`);
        for (let n = 2; await exists(target); n++) target = vscode.Uri.joinPath(folder, `${template.stem}-${n}.depthlens.yaml`);
        await vscode.workspace.fs.writeFile(target, Buffer.from(template.text, 'utf8'));
        doc = await vscode.workspace.openTextDocument(target);
      } else {
        doc = await vscode.workspace.openTextDocument({ language: 'depthlens', content: template.text });
      }
      await vscode.window.showTextDocument(doc);
      return doc.uri;
    }),

    vscode.commands.registerCommand('depthlens.exportReport', async (format?: unknown, target?: unknown) => {
      const editor = activeSpecEditor();
      const entry = (editor ? d.memory.forFile(specFilePath(editor.document)) : undefined) ?? d.memory.latest();
      if (!entry) {
        void vscode.window.showWarningMessage('DepthLens: no result to export yet. Run "DepthLens: Analyze Current Spec" first.');
        return undefined;
      }
      let fmt: ReportFormat | undefined = format === 'json' || format === 'html' ? format : undefined;
      if (!fmt) {
        const item = await vscode.window.showQuickPick(
          [
            { label: 'HTML', description: 'self-contained report with the charts', fmt: 'html' as const },
            { label: 'JSON', description: 'Result format v1 (as `depthlens analyze --json`)', fmt: 'json' as const },
          ],
          { title: 'Export DepthLens report' },
        );
        fmt = item?.fmt;
      }
      if (!fmt) return undefined;
      const stem = entry.last.spec.path ? entry.last.spec.path.replace(/\.depthlens\.(ya?ml|json)$/i, '') : 'depthlens-report';
      const uri =
        target instanceof vscode.Uri
          ? target
          : await vscode.window.showSaveDialog({
              defaultUri: vscode.Uri.file(`${stem}.report.${fmt}`),
              filters: fmt === 'html' ? { 'HTML report': ['html'] } : { 'JSON result': ['json'] },
            });
      if (!uri) return undefined;
      await exportReport(entry, fmt, uri, d.context.extension, d.context.extensionUri);
      d.log.info(`exported ${fmt} report to ${uri.fsPath}`);
      const openIt = 'Open';
      const reveal = 'Reveal in File Explorer';
      void vscode.window.showInformationMessage(`DepthLens: report written to ${uri.fsPath}`, openIt, reveal).then((pick) => {
        // An HTML report opens in the browser (it is a page, not source); a JSON result in an editor.
        if (pick === openIt) void (fmt === 'html' ? vscode.env.openExternal(uri) : vscode.window.showTextDocument(uri));
        if (pick === reveal) void vscode.commands.executeCommand('revealFileInOS', uri);
      });
      return uri;
    }),

    vscode.commands.registerCommand('depthlens.installNativeBackend', async (pkgArg?: unknown): Promise<InstallOutcome | undefined> => {
      const packages: NativePackage[] = ['webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];
      let pkg = packages.find((p) => p === pkgArg);
      if (!pkg) {
        const item = await vscode.window.showQuickPick(
          [
            { label: 'webgpu', description: 'the local GPU through WebGPU: NVIDIA, AMD, Intel, Apple (Vulkan, Metal, D3D12)', pkg: packages[0] },
            { label: '@tensorflow/tfjs-node', description: 'TensorFlow on the CPU (multi-threaded, AVX)', pkg: packages[1] },
            { label: '@tensorflow/tfjs-node-gpu', description: 'TensorFlow with CUDA 11 (needs an NVIDIA GPU, CUDA 11.2 and cuDNN 8)', pkg: packages[2] },
          ],
          { title: 'Install a native or GPU backend', placeHolder: `Installed into ${d.nativeDir}` },
        );
        pkg = item?.pkg;
      }
      if (!pkg) return undefined;
      if (!allowedByTrust(`Installing ${pkg}`, true, d.log)) return { ok: false, message: RESTRICTED_MESSAGE, exitCode: null };
      const chosen = pkg;
      d.log.info(`installing ${chosen} into ${d.nativeDir}`);
      const outcome = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `DepthLens: installing ${chosen}`, cancellable: true },
        (progress, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort());
          return installNativeBackend(chosen, d.nativeDir, {
            signal: abort.signal,
            onOutput: (line) => {
              d.log.info(`npm: ${line}`);
              progress.report({ message: line.slice(0, 120) });
            },
          });
        },
      );
      if (outcome.ok) {
        d.restartEngine();
        d.log.info(outcome.message);
        void vscode.window.showInformationMessage(`DepthLens: ${outcome.message}`);
      } else {
        d.log.error(outcome.message);
        void vscode.window.showErrorMessage(`DepthLens: ${outcome.message}`);
      }
      return outcome;
    }),
  ];
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
