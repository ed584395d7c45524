// The panel: run info and controls on top, charts in a grid, findings beside them. Owns the state and applies messages.
import type { Chart } from 'chart.js';
import { isHostToWebview, type HostToWebview, type RunStateMessage } from '../shared/protocol';
import type { Result } from '../shared/result';
import type { Finding } from '../shared/findings';
import { CHARTS, type ChartId } from './charts/definitions';
import { ChartCard } from './dom/chartCard';
import { FindingsList, type FindingGroup } from './dom/findingsList';
import { h } from './dom/h';
import { ProgressBar, RunControls } from './dom/runControls';
import { RunInfo } from './dom/runInfo';
import type { Host } from './host';
import { emptyState, readInitialData, restoreState, type PanelState } from './state';
import { readPalette, watchTheme, type Palette } from './theme';
import type { XY } from './series';

/** What tests and the devtools console can inspect: the live Chart.js instances. */
export interface PanelHandle {
  chart(id: ChartId): Chart<'line', XY[]> | null;
  state(): PanelState;
}

export class PanelView {
  private state: PanelState = emptyState();
  private palette: Palette;
  private readonly cards: ChartCard[];
  private readonly info: RunInfo;
  private readonly findings: FindingsList;
  private readonly progress: ProgressBar;
  private readonly controls: RunControls | null;
  private readonly empty: HTMLElement;

  constructor(private readonly doc: Document, private readonly host: Host) {
    const body = doc.body;
    this.palette = readPalette(body);
    const top = h('header', { class: 'topbar' });
    const status = h('div', { class: 'status-row' });
    const charts = h('div', { class: 'charts' });
    const sidebar = h('aside', { class: 'sidebar', 'aria-label': 'Findings' });
    this.empty = h('p', { class: 'empty' }, 'No results yet: press Run, or run “DepthLens: Analyze Current Spec” from the Command Palette.');
    body.append(top, status, h('main', { class: 'layout' }, h('div', { class: 'charts-column' }, this.empty, charts), sidebar));
    this.info = new RunInfo(top);
    this.controls = host.interactive
      ? new RunControls(top, this.state.controls, {
          run: (mode, seeds) => host.post(seeds === null ? { type: 'run', mode } : { type: 'run', mode, seeds }),
          cancel: () => host.post({ type: 'cancel' }),
          changed: (mode, seeds) => {
            this.state.controls = { mode, seeds };
            this.persist();
          },
        })
      : null;
    this.progress = new ProgressBar(status);
    this.cards = CHARTS.map((spec) => new ChartCard(charts, spec, (name, dataUrl) => this.exportImage(name, dataUrl)));
    this.findings = new FindingsList(sidebar, host.interactive ? (f) => this.reveal(f) : null);
  }

  /** Restore (webview state, else the report's inlined result), then listen for messages and theme changes. */
  start(win: Window): PanelHandle {
    const restored = restoreState(this.host.getState());
    if (restored) {
      this.state = restored;
      this.controls?.restore(restored.controls);
    } else {
      const initial = readInitialData(this.doc);
      if (initial) {
        this.state.result = initial.result;
        this.state.previous = initial.previous;
      }
    }
    this.render();
    win.addEventListener('message', (event: MessageEvent) => this.receive(event.data));
    watchTheme(() => this.retheme());
    this.host.post({ type: 'ready' });
    return { chart: (id) => this.cards.find((c) => c.spec.id === id)?.seriesChart?.chart ?? null, state: () => this.state };
  }

  /** Applies a host message; anything that fails the protocol guards is ignored. */
  receive(data: unknown): void {
    if (!isHostToWebview(data)) return;
    this.apply(data);
  }

  private apply(message: HostToWebview): void {
    switch (message.type) {
      case 'result':
        this.showResult(message.result, message.previous);
        break;
      case 'runState':
        this.showRunState(message);
        return;
      case 'specFindings':
        this.state.specFindings = { file: message.file, findings: message.findings };
        this.renderFindings();
        break;
    }
    this.persist();
  }

  private showResult(result: Result, previous: Result | null | undefined): void {
    const current = this.state.result;
    if (previous !== undefined) this.state.previous = previous;
    else if (current && current.spec.path !== result.spec.path) this.state.previous = null;
    this.state.result = result;
    this.render();
  }

  private showRunState(message: RunStateMessage): void {
    this.progress.show(message);
    this.controls?.setRunning(message.state === 'running');
  }

  private render(): void {
    const result = this.state.result;
    this.empty.hidden = result !== null;
    if (result) {
      this.info.show(result);
      for (const card of this.cards) card.show(card.spec.content(result, this.state.previous), this.palette);
    }
    this.renderFindings();
  }

  private renderFindings(): void {
    const result = this.state.result;
    const measured = result?.findings.filter((f) => f.measured) ?? [];
    // Static findings of the spec as last edited supersede the ones computed when the run started.
    const fromSpec = this.state.specFindings?.findings ?? result?.findings.filter((f) => !f.measured) ?? [];
    const groups: FindingGroup[] = [
      { title: 'Measured in the last run', findings: measured },
      { title: 'Predicted from the spec', findings: fromSpec },
    ];
    const nothingYet = !result && !this.state.specFindings;
    this.findings.render(groups, nothingYet ? { icon: 'info', text: 'No spec analysed yet.' } : undefined);
  }

  private retheme(): void {
    this.palette = readPalette(this.doc.body);
    for (const card of this.cards) card.retheme(this.palette);
  }

  private reveal(f: Finding): void {
    this.host.post(f.range ? { type: 'reveal', path: f.path, range: f.range } : { type: 'reveal', path: f.path });
  }

  private exportImage(name: string, dataUrl: string): void {
    if (this.host.interactive) {
      this.host.post({ type: 'exportImage', name, dataUrl });
      return;
    }
    const link = h('a', { href: dataUrl, download: name, hidden: true });
    this.doc.body.append(link);
    link.click();
    link.remove();
  }

  private persist(): void {
    this.host.setState(this.state);
  }
}
