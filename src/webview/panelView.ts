// The panel: run info and controls on top, charts in a grid, findings beside them. Owns the state and applies messages.
import type { Chart } from 'chart.js';
import { isHostToWebview, type HostToWebview, type RunStateMessage, type StaleReason } from '../shared/protocol';
import type { Result } from '../shared/result';
import type { Finding } from '../shared/findings';
import { CHARTS, type Baseline, type ChartId } from './charts/definitions';
import type { SeriesChart } from './charts/seriesChart';
import { ComparePicker } from './dom/comparePicker';
import { renderRunRecord } from './dom/runRecord';
import { ChartCard } from './dom/chartCard';
import { FindingsList, type FindingGroup } from './dom/findingsList';
import { h, icon } from './dom/h';
import { ProgressBar, RunControls } from './dom/runControls';
import { RunInfo } from './dom/runInfo';
import type { Host } from './host';
import { emptyState, readInitialData, restoreState, type PanelState, type RunEntry } from './state';
import { addRun, baselineRun, currentEntry, nameRun, runShortLabel } from './runs';
import { readPalette, watchTheme, type Palette } from './theme';
import type { XY } from './series';

/** What tests and the devtools console can inspect: the live Chart.js instances. */
export interface PanelHandle {
  chart(id: ChartId): Chart<'line', XY[]> | null;
  /** The chart's wrapper (x scale, zoom). */
  card(id: ChartId): SeriesChart | null;
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
  private readonly compare: ComparePicker;
  private readonly empty: HTMLElement;
  private readonly stale: HTMLElement;
  private readonly staleText: HTMLElement;
  private readonly charts: HTMLElement;

  constructor(private readonly doc: Document, private readonly host: Host) {
    const body = doc.body;
    this.palette = readPalette(body);
    const top = h('header', { class: 'topbar' });
    const status = h('div', { class: 'status-row' });
    this.charts = h('div', { class: 'charts' });
    const sidebar = h('aside', { class: 'sidebar', 'aria-label': 'Findings' });
    this.empty = h('p', { class: 'empty' }, EMPTY_TEXT);
    this.staleText = h('span', { class: 'stale-text' });
    const rerun = host.interactive ? h('button', { type: 'button', class: 'button secondary', id: 'stale-run' }, icon('refresh'), 'Run again') : null;
    rerun?.addEventListener('click', () => host.post({ type: 'run', mode: this.state.result?.quick ? 'quick' : 'full' }));
    this.stale = h('div', { class: 'stale-banner', role: 'status', hidden: true }, icon('warning'), this.staleText, rerun);
    body.append(top, status, h('main', { class: 'layout' }, h('div', { class: 'charts-column' }, this.empty, this.stale, this.charts), sidebar));
    this.info = new RunInfo(top, host.interactive ? () => host.post({ type: 'run', mode: 'full' }) : null);
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
    this.compare = new ComparePicker(status, {
      pick: (n) => this.pickBaseline(n),
      relative: (on) => this.setRelative(on),
      name: (n, name) => this.nameRun(n, name),
    });
    this.cards = CHARTS.map(
      (spec) =>
        new ChartCard(this.charts, spec, (name, dataUrl) => this.exportImage(name, dataUrl), (choice) => {
          this.state.axes[spec.id] = choice;
          this.persist();
        }),
    );
    this.findings = new FindingsList(
      sidebar,
      host.interactive ? (f) => this.reveal(f) : null,
      host.interactive ? (f) => f.fix && host.post({ type: 'applyFix', code: f.code, path: f.path, title: f.fix.title }) : null,
    );
  }

  /** Restore (webview state, else the report's inlined result), then listen for messages and theme changes. */
  start(win: Window): PanelHandle {
    const restored = restoreState(this.host.getState());
    if (restored) {
      this.state = restored;
      this.controls?.restore(restored.controls);
      for (const card of this.cards) card.restore(restored.axes[card.spec.id]);
    } else {
      const initial = readInitialData(this.doc);
      if (initial) {
        if (initial.previous) addRun(this.state.history, initial.previous, 0);
        this.state.result = addRun(this.state.history, initial.result, 0).result;
        if (initial.record) renderRunRecord(this.charts.parentElement ?? this.doc.body, initial.record, initial.result);
      }
    }
    this.render();
    win.addEventListener('message', (event: MessageEvent) => this.receive(event.data));
    watchTheme(() => this.retheme());
    this.host.post({ type: 'ready' });
    return {
      chart: (id) => this.cards.find((c) => c.spec.id === id)?.seriesChart?.chart ?? null,
      card: (id) => this.cards.find((c) => c.spec.id === id)?.seriesChart ?? null,
      state: () => this.state,
    };
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
      case 'document':
        this.showDocument(message.file, message.name, message.stale);
        break;
    }
    this.persist();
  }

  /** The host follows the active spec editor: show that spec's latest run (or none), never another spec's. */
  private showDocument(file: string, name: string, stale: StaleReason | null): void {
    const switched = this.state.document?.file !== file;
    this.state.document = { file, name, stale };
    if (switched && this.state.result?.spec.path !== file) {
      const runs = this.state.history[file] ?? [];
      this.state.result = runs[runs.length - 1]?.result ?? null;
    }
    this.render();
  }

  private showResult(result: Result, previous: Result | null | undefined): void {
    const file = result.spec.path;
    const history = this.state.history;
    if (previous && previous.spec.path === file && !(history[file]?.length)) addRun(history, previous, 0);
    const finished = result.partial ? result : addRun(history, result, Date.now()).result;
    // A run of a spec the panel does not follow goes into its history (shown when the user switches there), not on screen.
    if (this.state.document && this.state.document.file !== file) return;
    this.state.result = finished;
    this.render();
  }

  private showRunState(message: RunStateMessage): void {
    this.progress.show(message);
    this.controls?.setRunning(message.state === 'running');
  }

  private pickBaseline(n: number | undefined): void {
    const file = this.state.result?.spec.path;
    if (!file) return;
    if (n === undefined) delete this.state.baseline[file];
    else this.state.baseline[file] = n;
    this.render();
    this.persist();
  }

  private setRelative(on: boolean): void {
    this.state.relativeDepth = on;
    this.render();
    this.persist();
  }

  private nameRun(n: number, name: string): void {
    const file = this.state.result?.spec.path;
    if (!file || !nameRun(this.state.history, file, n, name)) return;
    this.render();
    this.persist();
  }

  private baseline(result: Result): { entry: RunEntry | null; chart: Baseline | null } {
    const runs = this.state.history[result.spec.path] ?? [];
    const entry = baselineRun(runs, result, this.state.baseline[result.spec.path], this.state.relativeDepth);
    return { entry, chart: entry ? { result: entry.result, label: runShortLabel(entry) } : null };
  }

  private render(): void {
    const result = this.state.result;
    const document = this.state.document;
    this.empty.hidden = result !== null;
    this.empty.textContent = document ? `No run of “${document.name}” yet: press Run, or run “DepthLens: Analyze Current Spec”.` : EMPTY_TEXT;
    if (result) {
      this.info.show(result);
      const { entry, chart } = this.baseline(result);
      const runs = this.state.history[result.spec.path] ?? [];
      const self = currentEntry(runs, result);
      // Relative depth only where it changes something: a baseline of another depth (same depth: ℓ/L is the same picture).
      const relative = this.state.relativeDepth && !!entry && entry.result.layers.length !== result.layers.length;
      const view = { relative, current: self ? runShortLabel(self) : result.partial ? 'the run in progress' : null };
      for (const card of this.cards) card.show(card.spec.content(result, chart, view), this.palette, result);
      this.compare.render(runs, result, this.state.baseline[result.spec.path], entry, this.state.relativeDepth);
    } else {
      if (document) this.info.showDocument(document.name, document.file);
      for (const card of this.cards) card.section.hidden = true;
      this.compare.render([], null, undefined, null, this.state.relativeDepth);
    }
    this.renderStale();
    this.renderFindings();
  }

  private renderStale(): void {
    const stale = this.state.result ? this.state.document?.stale ?? null : null;
    this.stale.hidden = stale === null;
    this.charts.classList.toggle('stale', stale !== null);
    if (stale === null || !this.state.result) return;
    const runs = this.state.history[this.state.result.spec.path] ?? [];
    const entry = currentEntry(runs, this.state.result);
    const which = entry ? `run ${entry.n}` : 'the last run';
    this.staleText.textContent =
      stale === 'invalid'
        ? `The spec does not parse (see Problems): the charts still show ${which}, of the last valid text.`
        : `The spec has changed since ${which}: these charts do not show it as written now.`;
  }

  private renderFindings(): void {
    const result = this.state.result;
    const document = this.state.document;
    const specFindings = this.state.specFindings && (!document || this.state.specFindings.file === document.file) ? this.state.specFindings.findings : null;
    // Static findings of the spec as last edited supersede the ones computed when the run started; measured ones come
    // from the run only (the host's list carries them too: they are not listed twice).
    const statics = dedupe((specFindings ?? result?.findings ?? []).filter((f) => !f.measured));
    const measured = dedupe(result?.findings.filter((f) => f.measured) ?? []);
    const groups: FindingGroup[] = [
      { title: 'Spec problems', findings: statics.filter(isSpecProblem) },
      { title: this.measuredTitle(), findings: measured },
      { title: 'Predicted from the spec', findings: statics.filter((f) => !isSpecProblem(f)) },
    ];
    const nothingYet = !result && !specFindings;
    this.findings.render(groups, nothingYet ? { icon: 'info', text: 'No spec analysed yet.' } : undefined);
  }

  private measuredTitle(): string {
    const result = this.state.result;
    if (!result) return 'Measured';
    const entry = currentEntry(this.state.history[result.spec.path] ?? [], result);
    const which = result.partial ? 'the run in progress' : entry ? `run ${entry.n}` : 'the last run';
    const stale = this.state.document?.stale ? ', before the edit' : '';
    return `Measured in ${which} (${result.layers.length} layers${result.quick ? ', quick' : ''}${stale})`;
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

const EMPTY_TEXT = 'No results yet: press Run, or run “DepthLens: Analyze Current Spec” from the Command Palette.';

/** DL0xx: the spec itself is invalid (syntax, schema), not a prediction about the network. */
function isSpecProblem(f: Finding): boolean {
  return /^DL0\d\d$/.test(f.code);
}

function dedupe(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.code}|${f.path}|${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
