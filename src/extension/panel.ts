// The diagnostics panel: one webview, created on demand or restored by the serializer after a reload.
// Sends results, run state and the edited spec's findings; handles the panel's reveal / run / cancel / exportImage messages.
import * as vscode from 'vscode';
import { createNonce, renderPanelHtml } from '../shared/panelHtml';
import { isWebviewToHost, type HostToWebview, type WebviewToHost } from '../shared/protocol';
import type { Logger } from '../shared/logger';

export const PANEL_VIEW_TYPE = 'depthlens.panel';

export interface PanelHost {
  /** What to show when the panel (re)appears: the latest result, run state and findings. */
  snapshot(): HostToWebview[];
  onMessage(message: Exclude<WebviewToHost, { type: 'ready' }>): void;
}

export class PanelController implements vscode.Disposable, vscode.WebviewPanelSerializer {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private queue: HostToWebview[] = [];
  /** The last message of each kind sent or queued (the in-host tests read what the panel was told). */
  private readonly last = new Map<HostToWebview['type'], HostToWebview>();

  constructor(private readonly extensionUri: vscode.Uri, private readonly host: PanelHost, private readonly log: Logger) {}

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  /** Opens the panel beside the editor, or brings it to the front. */
  show(): void {
    if (this.panel) {
      this.panel.reveal(undefined, true);
      return;
    }
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'DepthLens', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, this.options());
    this.adopt(panel);
  }

  /** VS Code restores a panel that was open when the window closed. */
  async deserializeWebviewPanel(panel: vscode.WebviewPanel): Promise<void> {
    panel.webview.options = this.options();
    this.adopt(panel);
  }

  /** Posts now if the panel is ready, else queues (latest message of each kind wins). Does nothing when closed. */
  post(message: HostToWebview): void {
    if (!this.panel) return;
    this.last.set(message.type, message);
    if (this.ready) void this.panel.webview.postMessage(message);
    else this.queue = [...this.queue.filter((m) => m.type !== message.type), message];
  }

  lastPosted(type: HostToWebview['type']): HostToWebview | undefined {
    return this.last.get(type);
  }

  private options(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview')] };
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    this.ready = false;
    this.queue = this.host.snapshot();
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon.png');
    panel.webview.html = this.html(panel.webview);
    panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m));
    panel.onDidDispose(() => {
      if (this.panel === panel) this.panel = undefined;
    });
  }

  private receive(message: unknown): void {
    if (!isWebviewToHost(message)) {
      this.log.warn(`panel: ignoring malformed message ${JSON.stringify(message).slice(0, 200)}`);
      return;
    }
    if (message.type === 'ready') {
      // A reload of the webview (theme change, hidden/shown) needs the full picture again.
      this.ready = true;
      const pending = this.queue.length ? this.queue : this.host.snapshot();
      this.queue = [];
      for (const m of pending) {
        this.last.set(m.type, m);
        void this.panel?.webview.postMessage(m);
      }
      return;
    }
    this.host.onMessage(message);
  }

  private html(webview: vscode.Webview): string {
    const asset = (name: string): string => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', name)).toString();
    return renderPanelHtml({
      script: { uri: asset('panel.js') },
      styles: [{ uri: asset('codicon.css') }, { uri: asset('panel.css') }],
      cspSource: webview.cspSource,
      nonce: createNonce(),
    });
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
