// A Chart.js line chart driven by a list of series definitions. Created once; later results replace the datasets'
// data in place and redraw without animation, so streamed partial results never re-create the chart.
import type { Chart, ChartDataset, ScaleOptions, TooltipItem } from 'chart.js';
import { valueAt, type LayerRange, type XY } from '../series';
import { numberText, pow10Text } from '../../shared/numberText';
import { withAlpha, type Palette, type PaletteColor } from '../theme';
import { registerCharts } from './register';
import { LABEL_SPACE } from './collapsePlugin';

/** How a series is drawn: the two band edges (low then high, filled between), the seed mean, and plain lines. */
export type SeriesRole = 'band-low' | 'band-high' | 'mean' | 'previous' | 'theory' | 'line' | 'dashed' | 'raw';

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
  /** The values are log10 of the quantity: ticks read 10ᵏ (data past float range stays drawable). */
  log10?: boolean;
  /**
   * The smallest range the axis shows (axis units; a factor for a logarithmic axis), centred on the data: seed noise
   * of a flat curve is then drawn flat, not stretched into a trend.
   */
  minSpan?: number;
  /** Ticks exactly at the data's x values (few points, e.g. training records). */
  ticksAtData?: boolean;
}

export interface ChartDef {
  x: AxisDef;
  y: AxisDef;
  y1?: AxisDef;
  /** Reserve a strip above the plot for rank-collapse labels. */
  collapseLabels?: boolean;
}

type LineDataset = ChartDataset<'line', XY[]> & { depthlensKey?: string; depthlensRole?: SeriesRole };

function tickText(value: number, def: AxisDef, ticks: readonly { value: number }[]): string {
  if (def.percent) return `${Math.round(value * 100)}%`;
  if (!def.log10) return numberText(value);
  // One notation per axis: 10ᵏ when every tick is a whole decade, else the numbers themselves (0.5, 1, 2, 5, 10).
  const decades = ticks.every((t) => Math.abs(t.value - Math.round(t.value)) < 1e-9);
  return powerText(value, decades);
}

/**
 * The quantity whose log10 is `exponent` (never overflows): 10ᵏ at whole decades when `decades`, plain digits within
 * three orders of 1, else m·10ᵏ.
 */
export function powerText(exponent: number, decades = true): string {
  if (!Number.isFinite(exponent)) return numberText(exponent);
  const k = Math.round(exponent);
  if (Math.abs(exponent) < 3 && !(decades && Math.abs(exponent - k) < 1e-9)) return numberText(10 ** exponent);
  if (Math.abs(exponent - k) < 1e-9) return pow10Text(k);
  const floor = Math.floor(exponent);
  const mantissa = Number((10 ** (exponent - floor)).toPrecision(3));
  return mantissa >= 10 ? pow10Text(floor + 1) : `${mantissa}·${pow10Text(floor)}`;
}

/**
 * Ticks of a log10-valued axis, as a log axis would place them (1-2-5 steps over a few decades, else whole decades),
 * computed on values shifted by whole decades so that exponents past the float range work too.
 */
export function log10AxisTicks(min: number, max: number): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || !(max > min)) return [];
  if (max - min > 8) {
    const ks: number[] = [];
    for (let k = Math.ceil(min) || 0; k <= Math.floor(max); k++) ks.push(k); // || 0: ceil(−0.2) is −0
    const stride = Math.ceil(ks.length / 8);
    return ks.filter((_, i) => i % stride === 0);
  }
  const k0 = Math.floor(min);
  return logTicks(10 ** (min - k0), 10 ** (max - k0)).map((t) => Number((Math.log10(t) + k0).toFixed(12)));
}

/** Widens [min, max] to at least `span` around its centre (a factor around the geometric centre for a log axis). */
export function widenToSpan(min: number, max: number, span: number, logarithmic: boolean): [number, number] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [min, max];
  if (logarithmic) {
    if (!(min > 0) || max / min >= span) return [min, max];
    const centre = Math.sqrt(min * max);
    const half = Math.sqrt(span);
    return [centre / half, centre * half];
  }
  if (max - min >= span) return [min, max];
  const centre = (min + max) / 2;
  return [centre - span / 2, centre + span / 2];
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

/** About five ticks at a round step (1, 2 or 5 × 10ᵏ) inside [min, max]. */
export function evenTicks(min: number, max: number): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || !(max > min)) return [];
  const raw = (max - min) / 4;
  const k = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * k).find((s) => s >= raw) ?? 10 * k;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max * (1 + 1e-12); v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** The x values the visible series have points at (not the band edges). */
function dataXs(chart: Chart): number[] {
  const xs = new Set<number>();
  for (const d of chart.data.datasets as LineDataset[]) {
    if (d.depthlensRole === 'band-low' || d.depthlensRole === 'band-high') continue;
    for (const p of d.data) if (p.y !== null) xs.add(p.x);
  }
  return [...xs].sort((a, b) => a - b);
}

/** How the y axis scales: log (a logarithmic axis, or log10 values with 10ᵏ ticks) or linear. */
export type YScale = 'log' | 'linear';

/** The scale an axis definition draws by default. */
export function defaultYScale(def: AxisDef): YScale {
  return def.type === 'logarithmic' || def.log10 ? 'log' : 'linear';
}

const LOG_TITLE = ' (log scale)';

/**
 * The y axis drawn at `scale`: log10-valued data switches to a linear axis of the values themselves (10^y), a
 * logarithmic axis to a linear one, a linear axis to a logarithmic one; the minimum span only applies on the default.
 */
export function yAxisAt(def: AxisDef, scale: YScale): AxisDef {
  if (scale === defaultYScale(def)) return def;
  const base = def.title.endsWith(LOG_TITLE) ? def.title.slice(0, -LOG_TITLE.length) : def.title;
  const { minSpan: _span, ...rest } = def;
  if (scale === 'linear') return { ...rest, type: 'linear', log10: false, title: base };
  return { ...rest, type: 'logarithmic', log10: false, title: `${base}${LOG_TITLE}` };
}

/** Point markers only help on short series; on long ones they are clutter and cost frames. */
const MARKER_LIMIT = 60;

export class SeriesChart {
  readonly chart: Chart<'line', XY[]>;
  private defs: SeriesDef[] = [];
  private palette: Palette;
  /** The x range zoomed or panned to; null shows all the data. */
  private xView: { min: number; max: number } | null = null;
  /** The y axis as drawn now (the definition's, or its log/linear counterpart). */
  private yDef: AxisDef;

  constructor(canvas: HTMLCanvasElement, private readonly def: ChartDef, series: SeriesDef[], palette: Palette, collapse: LayerRange[] = [], yScale?: YScale) {
    const ChartCtor = registerCharts();
    this.palette = palette;
    this.defs = series;
    this.yDef = yAxisAt(def.y, yScale ?? defaultYScale(def.y));
    const scales: Record<string, ScaleOptions<'linear' | 'logarithmic'>> = {
      x: this.axis(def.x, 'bottom'),
      y: this.axis(this.yDef, 'left'),
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
            filter: (item) => !['band-low', 'band-high', 'raw'].includes((item.dataset as LineDataset).depthlensRole ?? ''),
            callbacks: {
              title: (items) => (items.length ? `${def.x.title} ${numberText(items[0].parsed.x)}` : ''),
              label: (item) => this.tooltipLabel(item, def),
            },
          },
          depthlensCollapse: { ranges: collapse, color: withAlpha(palette.red, 0.55), textColor: palette.red, xPerLayer: 1 },
        },
      },
    });
    // Options changed after construction take effect on the next update: without it the first frame keeps Chart.js's
    // default grey ticks and titles.
    this.applyPalette();
    this.chart.update('none');
    this.listenForZoom(canvas);
  }

  /** Linear or logarithmic x (the depth sweep's toggle); resets any zoom. */
  setXType(type: 'linear' | 'logarithmic'): void {
    const x = this.chart.options.scales?.x;
    if (!x) return;
    Object.assign(x, this.axis({ ...this.def.x, type }, 'bottom'));
    this.xView = null;
    this.applyPalette();
    this.chart.update('none');
  }

  /** Log or linear y (the card's toggle); the data is redrawn in the new scale. */
  setYScale(scale: YScale): void {
    const y = this.chart.options.scales?.y;
    if (!y) return;
    this.yDef = yAxisAt(this.def.y, scale);
    Object.assign(y, this.axis(this.yDef, 'left'));
    (this.chart.data.datasets as LineDataset[]).forEach((d, i) => {
      const s = this.defs[i];
      if (s) d.data = this.plotted(s);
    });
    this.applyPalette();
    this.chart.update('none');
  }

  get yScale(): YScale {
    return defaultYScale(this.yDef);
  }

  /**
   * A series' points as the y axis draws them: log10 values shown on a linear axis become the values (10^y; past the
   * float range they are gaps), values on a logarithmic axis must be positive.
   */
  private plotted(s: SeriesDef): XY[] {
    if ((s.yAxisID ?? 'y') !== 'y' || this.yDef === this.def.y) return s.data;
    if (this.def.y.log10) return s.data.map((p) => ({ x: p.x, y: p.y === null ? null : finiteOrNull(10 ** p.y) }));
    if (this.yDef.type === 'logarithmic') return s.data.map((p) => ({ x: p.x, y: p.y !== null && p.y > 0 ? p.y : null }));
    return s.data;
  }

  get xType(): 'linear' | 'logarithmic' {
    return this.chart.options.scales?.x?.type === 'logarithmic' ? 'logarithmic' : 'linear';
  }

  get zoomed(): boolean {
    return this.xView !== null;
  }

  /** Shows all the data again (double-click does the same). */
  resetZoom(): void {
    this.setXView(null);
  }

  /**
   * Wheel zooms x around the pointer, dragging pans it, double-click resets: the long per-layer series need a closer
   * look at a few layers without losing the whole.
   */
  private listenForZoom(canvas: HTMLCanvasElement): void {
    canvas.addEventListener('wheel', (e) => {
      const x = this.chart.scales.x;
      if (!x || e.offsetX < x.left || e.offsetX > x.right) return;
      e.preventDefault();
      const log = this.xType === 'logarithmic';
      const to = (v: number): number => (log ? Math.log10(v) : v);
      const from = (v: number): number => (log ? 10 ** v : v);
      const at = to(x.getValueForPixel(e.offsetX) ?? 0);
      const [lo, hi] = [to(x.min), to(x.max)];
      const factor = e.deltaY < 0 ? 0.8 : 1.25;
      const full = this.dataExtent();
      let min = at - (at - lo) * factor;
      let max = at + (hi - at) * factor;
      if (full && min <= to(full.min) && max >= to(full.max)) {
        this.setXView(null);
        return;
      }
      if (full) [min, max] = [Math.max(min, to(full.min)), Math.min(max, to(full.max))];
      if (max - min > 1e-9) this.setXView({ min: from(min), max: from(max) });
    }, { passive: false });
    let drag: { px: number; min: number; max: number } | null = null;
    canvas.addEventListener('pointerdown', (e) => {
      if (!this.xView) return;
      drag = { px: e.offsetX, min: this.chart.scales.x.min, max: this.chart.scales.x.max };
      canvas.setPointerCapture(e.pointerId);
    });
    canvas.addEventListener('pointermove', (e) => {
      if (!drag) return;
      const x = this.chart.scales.x;
      const shift = ((drag.px - e.offsetX) / Math.max(1, x.right - x.left)) * (drag.max - drag.min);
      const full = this.dataExtent();
      let min = drag.min + shift;
      let max = drag.max + shift;
      if (full && min < full.min) [min, max] = [full.min, full.min + (max - min)];
      if (full && max > full.max) [min, max] = [full.max - (max - min), full.max];
      this.setXView({ min, max });
    });
    const end = (): void => {
      drag = null;
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
    canvas.addEventListener('dblclick', () => this.setXView(null));
  }

  private dataExtent(): { min: number; max: number } | null {
    let min = Infinity;
    let max = -Infinity;
    for (const d of this.chart.data.datasets) for (const p of d.data) {
      if (p.x < min) min = p.x;
      if (p.x > max) max = p.x;
    }
    return min < max ? { min, max } : null;
  }

  private setXView(view: { min: number; max: number } | null): void {
    this.xView = view;
    const x = this.chart.options.scales?.x;
    if (!x) return;
    x.min = view?.min ?? this.def.x.min;
    x.max = view?.max ?? this.def.x.max;
    this.chart.update('none');
  }

  /** Replace the series (same keys: data swapped into the existing datasets) and redraw without animation. */
  update(series: SeriesDef[], collapse: LayerRange[] = [], xTitle?: string, xPerLayer = 1): void {
    this.defs = series;
    const x = this.chart.options.scales?.x as { title?: { text?: string } } | undefined;
    if (x?.title) x.title.text = xTitle ?? this.def.x.title;
    const datasets = this.chart.data.datasets as LineDataset[];
    series.forEach((s, i) => {
      const existing = datasets[i];
      if (existing && existing.depthlensKey === s.key) {
        existing.data = this.plotted(s);
        existing.label = s.label;
        this.styleDataset(existing, s);
      } else {
        datasets[i] = this.dataset(s);
      }
    });
    datasets.length = series.length;
    const collapseOptions = this.chart.options.plugins?.depthlensCollapse;
    if (collapseOptions) Object.assign(collapseOptions, { ranges: collapse, xPerLayer });
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
    const logarithmic = def.type === 'logarithmic';
    return {
      type: def.type,
      position,
      afterDataLimits: (scale: { min: number; max: number }) => {
        // An axis with no finite data (every layer collapsed) still gets a readable range, never an empty frame.
        if (!Number.isFinite(scale.min) || !Number.isFinite(scale.max) || (logarithmic && !(scale.min > 0))) return;
        if (def.minSpan !== undefined && def.min === undefined && def.max === undefined) {
          [scale.min, scale.max] = widenToSpan(scale.min, scale.max, def.minSpan, logarithmic);
        }
      },
      afterBuildTicks: (scale: { min: number; max: number; ticks: { value: number }[]; chart: Chart }) => {
        if (def.ticksAtData) {
          // scale.chart: this runs inside the Chart constructor too, before this.chart is set.
          const xs = dataXs(scale.chart).filter((v) => v >= scale.min && v <= scale.max);
          if (xs.length >= 2 && xs.length <= 12) scale.ticks = xs.map((value) => ({ value }));
          return;
        }
        let nice = logarithmic ? logTicks(scale.min, scale.max) : def.log10 ? log10AxisTicks(scale.min, scale.max) : [];
        // A log axis over a fraction of a decade (a loss from 1.6 to 1.26): even steps read better than crowded 1-2-5s.
        if (logarithmic && nice.length < 2) nice = evenTicks(scale.min, scale.max);
        if (nice.length >= 2) scale.ticks = nice.map((value) => ({ value }));
      },
      min: def.min,
      max: def.max,
      title: { display: true, text: def.title },
      grid: {},
      border: {},
      ticks: {
        maxTicksLimit: 8,
        callback: (value, _index, ticks) => tickText(Number(value), def, ticks),
      },
    };
  }

  /** "label: value"; a mean line adds the seeds' min–max range and the theory's value at the same x. */
  private tooltipLabel(item: TooltipItem<'line'>, def: ChartDef): string {
    const d = item.dataset as LineDataset;
    const axis = (d.yAxisID === 'y1' ? def.y1 : this.yDef) ?? this.yDef;
    const text = (v: number | null | undefined): string =>
      axis.percent && typeof v === 'number' ? `${(v * 100).toFixed(1)}%` : axis.log10 && typeof v === 'number' ? powerText(v) : numberText(v);
    let label = `${d.label}: ${text(item.parsed.y)}`;
    if (d.depthlensRole === 'mean' && d.depthlensKey) {
      const base = d.depthlensKey.replace(/-mean$/, '');
      const all = this.chart.data.datasets as LineDataset[];
      const low = all.find((s) => s.depthlensKey === `${base}-min`)?.data[item.dataIndex]?.y;
      const high = all.find((s) => s.depthlensKey === `${base}-max`)?.data[item.dataIndex]?.y;
      if (low !== undefined && high !== undefined && low !== null && high !== null) label += ` (seeds ${text(low)} to ${text(high)})`;
      const theory = all.find((s) => s.depthlensRole === 'theory');
      const t = theory ? valueAt(theory.data, item.parsed.x ?? Number.NaN) : null;
      if (t !== null) label += `; theory ${text(t)}`;
    }
    return label;
  }

  private inLegend(d: LineDataset | undefined): boolean {
    return !!d && d.depthlensRole !== 'band-low' && d.depthlensRole !== 'band-high' && d.depthlensRole !== 'raw' && d.data.length > 0;
  }

  private dataset(s: SeriesDef): LineDataset {
    const d: LineDataset = { label: s.label, data: this.plotted(s), depthlensKey: s.key, yAxisID: s.yAxisID ?? 'y' };
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
    // Lower order draws on top: the measurement above the theory and the earlier run, the band beneath everything.
    d.order = { mean: 0, line: 0, dashed: 1, theory: 2, previous: 3, raw: 4, 'band-low': 5, 'band-high': 5 }[s.role];
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
      case 'raw':
        d.borderColor = withAlpha(color, 0.3);
        d.borderWidth = 1;
        d.pointRadius = 0;
        break;
      case 'mean':
      case 'line':
        break;
    }
  }
}

function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}
