// The status item: backend and run state; clicking it opens the panel.
import * as vscode from 'vscode';
import type { RunState } from '../shared/protocol';
import { backendDetails, backendText } from '../shared/backendText';
import type { BackendChoice, BackendInfo } from '../shared/result';

export class RunStatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('depthlens.status', vscode.StatusBarAlignment.Left, 10);
  private backend: BackendInfo | undefined;
  private choice: BackendChoice = 'auto';
  private state: RunState = 'idle';
  private detail = '';

  constructor() {
    this.item.name = 'DepthLens';
    this.item.command = 'depthlens.openPanel';
    this.render();
  }

  setChoice(choice: BackendChoice): void {
    this.choice = choice;
    this.render();
  }

  setBackend(info: BackendInfo): void {
    this.backend = info;
    this.render();
  }

  setState(state: RunState, detail = ''): void {
    this.state = state;
    this.detail = detail;
    this.render();
  }

  /** Shown while a spec is open (or a run is going on). */
  setVisible(visible: boolean): void {
    if (visible || this.state === 'running') this.item.show();
    else this.item.hide();
  }

  get text(): string {
    return this.item.text;
  }

  private render(): void {
    const gpu = this.backend?.adapter ? ` (${this.backend.adapter.software ? 'software GPU' : 'GPU'})` : '';
    const backend = this.backend ? `${this.backend.name}${this.backend.threads > 1 ? ` ×${this.backend.threads}` : ''}${gpu}` : this.choice;
    const icon = { idle: '$(pulse)', running: '$(sync~spin)', done: '$(check)', cancelled: '$(circle-slash)', error: '$(error)' }[this.state];
    this.item.text = `${icon} DepthLens: ${backend}${this.detail ? ` · ${this.detail}` : ''}`;
    const lines = [
      `Backend setting: ${this.choice}`,
      ...(this.backend ? [`Last run: ${backendText(this.backend)}`, ...backendDetails(this.backend)] : ['No run yet']),
      `State: ${this.state}${this.detail ? ` (${this.detail})` : ''}`,
    ];
    this.item.tooltip = lines.join('\n');
    this.item.backgroundColor = this.state === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }

  dispose(): void {
    this.item.dispose();
  }
}
