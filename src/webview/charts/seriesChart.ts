// A Chart.js line chart driven by a list of series definitions. Created once; later results replace the datasets'
// data in place and redraw without animation, so streamed partial results never re-create the chart.
import type { Chart, ChartDataset, ScaleOptions, TooltipItem } from 'chart.js';
import type { LayerRange, XY } from '../series';
import { numberText } from '../../shared/numberText';
import { withAlpha, type Palette, type PaletteColor } from '../theme';
import { registerCharts } from './register';
import { LABEL_SPACE } from './collapsePlugin';

/** How a series is drawn: the two band edges (low then high, filled between), the seed mean, and plain lines. */
export type SeriesRole = 'band-low' | 'band-high' | 'mean' | 'previous' | 'theory' | 'line' | 'dashed';

export interface SeriesDef {
  /** Stable identity across updates (the dataset is reused when the key matches). */
  key: string;
  label: string;
  role: SeriesRole;
  color: PaletteColor;
  data: XY[];
  yAxisID?: 'y' | 'y1';
}

export interface AxisDef {
  type: 'linear' | 'logarithmic';
  title: string;
  min?: number;
  max?: number;
  percent?: boolean;
}

export interface ChartDef {
  x: AxisDef;
  y: AxisDef;
  y1?: AxisDef;
  /** Reserve a strip above the plot for rank-collapse labels. */
  collapseLabels?: boolean;
}

type LineDataset = ChartDataset<'line', XY[]> & { depthlensKey?: string; depthlensRole?: SeriesRole };

function tickText(value: number, def: AxisDef): string {
  return def.percent ? `${Math.round(value * 100)}%` : numberText(value);
}

/** Log-axis ticks at m × 10ᵏ inside [min, max], with the finest mantissa set that fits 8 ticks, else thinned powers of ten. */
export function logTicks(min: number, max: number): number[] {
  if (!(min > 0) || !(max > min)) return [];
  const lo = Math.floor(Math.log10(min));
  const hi = Math.ceil(Math.log10(max));
  const inside = (v: number): boolean => v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9);
  const ticksFor = (mantissas: number[]): number[] => {
    const out: number[] = [];
    for (let k = lo; k <= hi; k++) for (const m of mantissas) out.push(Number((m * 10 ** k).toPrecision(12)));
    return out.filter(inside);
  };
  // Less than a decade: 1-2-5 may leave a single tick, so finer steps first.
  for (const mantissas of [[1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8], [1, 2, 5], [1, 3]]) {
    const ticks = ticksFor(mantissas);
    if (ticks.length <= 8) return ticks;
  }
  const powers = ticksFor([1]);
  const stride = Math.ceil(powers.length / 8);
  return powers.filter((_, i) => i % stride === 0);
}

/** Point markers only help on short series; on long ones they are clutter and cost frames. */
const MARKER_LIMIT = 60;

export class SeriesChart {
  readonly chart: Chart<'line', XY[]>;
  private defs: SeriesDef[] = [];
  private palette: Palette;

  constructor(canvas: HTMLCanvasElement, def: ChartDef, series: SeriesDef[], palette: Palette, collapse: LayerRange[] = []) {
    const ChartCtor = registerCharts();
    this.palette = palette;
    this.defs = series;
    const scales: Record<string, ScaleOptions<'linear' | 'logarithmic'>> = {
      x: this.axis(def.x, 'bottom'),
      y: this.axis(def.y, 'left'),
    };
    if (def.y1) scales.y1 = { ...this.axis(def.y1, 'right'), grid: { drawOnChartArea: false } };
    this.chart = new ChartCtor<'line', XY[]>(canvas, {
      type: 'line',
      data: { datasets: series.map((s) => this.dataset(s)) },
      options: {
        animation: false,
        layout: { padding: { top: def.collapseLabels ? LABEL_SPACE : 0 } },
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        spanGaps: false,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        font: { family: palette.fontFamily },
        color: palette.foreground,
        scales,
        plugins: {
          legend: {
            position: 'bottom',
            labels: { boxWidth: 14, boxHeight: 2, filter: (item, data) => this.inLegend(data.datasets[item.datasetIndex ?? 0] as LineDataset) },
          },
          tooltip: {
            filter: (item) => (item.dataset as LineDataset).depthlensRole !== 'band-low' && (item.dataset as LineDataset).depthlensRole !== 'band-high',
            callbacks: {
              title: (items) => (items.length ? `${def.x.title} ${numberText(items[0].parsed.x)}` : ''),
              label: (item) => this.tooltipLabel(item, def),
            },
          },
          depthlensCollapse: { ranges: collapse, color: withAlpha(palette.red, 0.55), textColor: palette.red },
        },
      },
    });
    this.applyPalette();
  }

  /** Replace the series (same keys: data swapped into the existing datasets) and redraw without animation. */
  update(series: SeriesDef[], collapse: LayerRange[] = []): void {
    this.defs = series;
    const datasets = this.chart.data.datasets as LineDataset[];
    series.forEach((s, i) => {
      const existing = datasets[i];
      if (existing && existing.depthlensKey === s.key) {
        existing.data = s.data;
        existing.label = s.label;
        this.styleDataset(existing, s);
      } else {
        datasets[i] = this.dataset(s);
      }
    });
    datasets.length = series.length;
    const collapseOptions = this.chart.options.plugins?.depthlensCollapse;
    if (collapseOptions) collapseOptions.ranges = collapse;
    this.chart.update('none');
  }

  retheme(palette: Palette): void {
    this.palette = palette;
    this.applyPalette();
    this.chart.update('none');
  }

  private applyPalette(): void {
    const p = this.palette;
    const o = this.chart.options;
    o.color = p.foreground;
    o.font = { ...o.font, family: p.fontFamily };
    for (const scale of Object.values(o.scales ?? {})) {
      if (!scale) continue;
      if (scale.ticks) scale.ticks.color = p.foreground;
      if (scale.grid) scale.grid.color = p.grid;
      if (scale.border) scale.border.color = p.grid;
      const title = (scale as { title?: { color?: string } }).title;
      if (title) title.color = p.foreground;
    }
    const collapse = o.plugins?.depthlensCollapse;
    if (collapse) {
      collapse.color = withAlpha(p.red, 0.55);
      collapse.textColor = p.red;
    }
    const legendLabels = o.plugins?.legend?.labels;
    if (legendLabels) legendLabels.color = p.foreground;
    (this.chart.data.datasets as LineDataset[]).forEach((d, i) => this.styleDataset(d, this.defs[i]));
  }

  private axis(def: AxisDef, position: 'left' | 'right' | 'bottom'): ScaleOptions<'linear' | 'logarithmic'> {
    return {
      type: def.type,
      position,
      afterBuildTicks: def.type === 'logarithmic' ? (scale: { min: number; max: number; ticks: { value: number }[] }) => {
        const nice = logTicks(scale.min, scale.max);
        if (nice.length >= 2) scale.ticks = nice.map((value) => ({ value }));
      } : undefined,
      min: def.min,
      max: def.max,
      title: { display: true, text: def.title },
      grid: {},
      border: {},
      ticks: {
        maxTicksLimit: 8,
        callback: (value) => tickText(Number(value), def),
      },
    };
  }

  /** "label: value", with the seeds' min–max range for a mean line. */
  private tooltipLabel(item: TooltipItem<'line'>, def: ChartDef): string {
    const d = item.dataset as LineDataset;
    const axis = d.yAxisID === 'y1' ? def.y1 : def.y;
    const text = (v: number | null | undefined): string => (axis?.percent && typeof v === 'number' ? `${(v * 100).toFixed(1)}%` : numberText(v));
    let label = `${d.label}: ${text(item.parsed.y)}`;
    if (d.depthlensRole === 'mean' && d.depthlensKey) {
      const base = d.depthlensKey.replace(/-mean$/, '');
      const all = this.chart.data.datasets as LineDataset[];
      const low = all.find((s) => s.depthlensKey === `${base}-min`)?.data[item.dataIndex]?.y;
      const high = all.find((s) => s.depthlensKey === `${base}-max`)?.data[item.dataIndex]?.y;
      if (low !== undefined && high !== undefined) label += ` (min ${text(low)}, max ${text(high)})`;
    }
    return label;
  }

  private inLegend(d: LineDataset | undefined): boolean {
    return !!d && d.depthlensRole !== 'band-low' && d.depthlensRole !== 'band-high' && d.data.length > 0;
  }

  private dataset(s: SeriesDef): LineDataset {
    const d: LineDataset = { label: s.label, data: s.data, depthlensKey: s.key, yAxisID: s.yAxisID ?? 'y' };
    this.styleDataset(d, s);
    return d;
  }

  private styleDataset(d: LineDataset, s: SeriesDef | undefined): void {
    if (!s) return;
    const color = this.palette[s.color];
    const markers = s.data.length <= MARKER_LIMIT;
    d.depthlensRole = s.role;
    d.yAxisID = s.yAxisID ?? 'y';
    d.borderColor = color;
    d.backgroundColor = color;
    d.pointRadius = markers && (s.role === 'mean' || s.role === 'line') ? 2.5 : 0;
    d.pointHoverRadius = s.role === 'band-low' || s.role === 'band-high' ? 0 : 4;
    d.borderDash = [];
    d.borderWidth = 2;
    d.fill = false;
    d.tension = 0;
    switch (s.role) {
      case 'band-low':
        d.borderWidth = 0;
        d.backgroundColor = 'transparent';
        break;
      case 'band-high':
        d.borderWidth = 0;
        d.fill = '-1';
        d.backgroundColor = withAlpha(color, 0.22);
        break;
      case 'previous':
        d.borderColor = withAlpha(color, 0.9);
        d.borderDash = [6, 4];
        d.borderWidth = 1.5;
        break;
      case 'theory':
        d.borderDash = [2, 3];
        d.borderWidth = 1.5;
        break;
      case 'dashed':
        d.borderDash = [6, 3];
        break;
      case 'mean':
      case 'line':
        break;
    }
  }
}
