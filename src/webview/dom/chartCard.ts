// One chart in a card: title, axis toggle, PNG export, the canvas, and its text summary (also its accessible description).
import { defaultYScale, SeriesChart, type YScale } from '../charts/seriesChart';
import type { ChartContent, ChartSpec } from '../charts/definitions';
import type { Result } from '../../shared/result';
import type { Palette } from '../theme';
import { h, icon } from './h';

import type { AxisChoice } from '../state';

export type { AxisChoice };

export class ChartCard {
  readonly section: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private readonly summary: HTMLElement;
  private readonly xToggle: HTMLButtonElement | null;
  private readonly yToggle: HTMLButtonElement | null;
  private chart: SeriesChart | null = null;
  /** The scales the user chose with the toggles (unset: the chart's default for the data). */
  private choice: AxisChoice = {};

  constructor(
    parent: HTMLElement,
    readonly spec: ChartSpec,
    private readonly exportImage: (name: string, dataUrl: string) => void,
    private readonly chose: (choice: AxisChoice) => void = () => undefined,
  ) {
    const summaryId = `summary-${spec.id}`;
    this.canvas = h('canvas', { role: 'img', 'aria-label': spec.title, 'aria-describedby': summaryId });
    this.summary = h('p', { class: 'chart-summary', id: summaryId });
    const save = h('button', { type: 'button', class: 'icon-button', title: 'Save chart as PNG', 'aria-label': `Save "${spec.title}" as PNG` }, icon('device-camera'));
    save.addEventListener('click', () => this.exportPng());
    this.xToggle = spec.xToggle
      ? h('button', { type: 'button', class: 'toggle-button', 'aria-pressed': 'false', title: 'Logarithmic depth axis', id: `xlog-${spec.id}` }, 'log x')
      : null;
    this.xToggle?.addEventListener('click', () => {
      const x = this.chart?.xType === 'logarithmic' ? 'linear' : 'logarithmic';
      this.choice = { ...this.choice, x };
      this.chart?.setXType(x);
      this.syncToggle();
      this.chose(this.choice);
    });
    this.yToggle = spec.yToggle
      ? h('button', { type: 'button', class: 'toggle-button', 'aria-pressed': String(defaultYScale(spec.axes.y) === 'log'), title: 'Logarithmic y axis', id: `ylog-${spec.id}` }, 'log y')
      : null;
    this.yToggle?.addEventListener('click', () => {
      const y: YScale = (this.chart?.yScale ?? this.choice.y ?? defaultYScale(spec.axes.y)) === 'log' ? 'linear' : 'log';
      this.choice = { ...this.choice, y };
      this.chart?.setYScale(y);
      this.syncToggle();
      this.chose(this.choice);
    });
    this.section = h(
      'section',
      { class: 'card', id: `chart-${spec.id}`, 'aria-labelledby': `title-${spec.id}`, hidden: true },
      h('header', { class: 'card-header' }, h('h2', { id: `title-${spec.id}` }, spec.title), h('span', { class: 'card-actions' }, this.xToggle, this.yToggle, save)),
      h('div', { class: 'chart-box', title: 'Wheel to zoom the x axis, drag to pan, double-click to show all' }, this.canvas),
      this.summary,
    );
    parent.append(this.section);
  }

  get seriesChart(): SeriesChart | null {
    return this.chart;
  }

  /** The scales chosen earlier (restored state), applied now and to the chart when it is created. */
  restore(choice: AxisChoice | undefined): void {
    this.choice = { ...choice };
    if (this.chart && choice?.y && this.chart.yScale !== choice.y) this.chart.setYScale(choice.y);
    if (this.chart && choice?.x && this.chart.xType !== choice.x) this.chart.setXType(choice.x);
    this.syncToggle();
  }

  show(content: ChartContent, palette: Palette, result: Result): void {
    this.section.hidden = !content.visible;
    this.summary.textContent = content.summary;
    if (!content.visible) return;
    // Created on first use only; every later result updates the same chart in place.
    if (this.chart) this.chart.update(content.series, content.collapse, content.xTitle, content.xPerLayer);
    else {
      this.chart = new SeriesChart(this.canvas, this.spec.axes, content.series, palette, content.collapse, this.choice.y);
      if (content.xTitle || content.xPerLayer !== undefined) this.chart.update(content.series, content.collapse, content.xTitle, content.xPerLayer);
    }
    const wanted = this.choice.x ?? this.spec.xToggle?.(result) ?? null;
    if (wanted && this.chart.xType !== wanted) this.chart.setXType(wanted);
    this.syncToggle();
  }

  retheme(palette: Palette): void {
    this.chart?.retheme(palette);
  }

  private syncToggle(): void {
    const y = this.chart?.yScale ?? this.choice.y ?? defaultYScale(this.spec.axes.y);
    this.yToggle?.setAttribute('aria-pressed', String(y === 'log'));
    if (!this.xToggle || !this.chart) return;
    this.xToggle.setAttribute('aria-pressed', String(this.chart.xType === 'logarithmic'));
  }

  /** PNG on the theme background (the canvas itself is transparent). */
  private exportPng(): void {
    const copy = document.createElement('canvas');
    copy.width = this.canvas.width;
    copy.height = this.canvas.height;
    const ctx = copy.getContext('2d');
    if (!ctx) return;
    ctx.fillStyle = getComputedStyle(this.section).backgroundColor || '#ffffff';
    ctx.fillRect(0, 0, copy.width, copy.height);
    ctx.drawImage(this.canvas, 0, 0);
    this.exportImage(`depthlens-${this.spec.id}.png`, copy.toDataURL('image/png'));
  }
}
