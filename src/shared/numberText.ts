// Number formatting shared by the panel, the report, hovers and CodeLens, so one quantity reads the same everywhere.

const SUPERSCRIPT: Record<string, string> = {
  '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹', '-': '⁻', '.': '·',
};

/** 10 raised to a (rounded) exponent, written with superscripts: 82.3 → "10⁸²". */
export function pow10Text(exponent: number): string {
  const rounded = String(Math.round(exponent));
  return '10' + [...rounded].map((c) => SUPERSCRIPT[c] ?? c).join('');
}

/**
 * A per-layer factor close to 1 needs more digits to say anything (the default threshold is 1.02 per layer):
 * 1.0004 → "1.0004×", 1.0377 → "1.038×", 1.2134 → "1.21×".
 */
export function factorText(factor: number): string {
  if (!Number.isFinite(factor)) return factor > 0 ? '∞×' : '—';
  const off = Math.abs(factor - 1);
  const digits = off < 0.01 ? 4 : off < 0.1 ? 3 : 2;
  return `${Number(factor.toFixed(digits))}×`;
}

/** A total factor from its log10: small ones in plain digits, large ones as a power of ten. */
export function totalFactorText(log10: number): string {
  if (!Number.isFinite(log10)) return '∞×';
  if (Math.abs(log10) < 3) return `${(10 ** log10).toPrecision(3)}×`;
  return `${pow10Text(log10)}×`;
}

/** Compact value for axes and text: 3 significant digits, exponent form outside [1e-3, 1e5). */
export function numberText(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : value < 0 ? '−∞' : 'NaN';
  const a = Math.abs(value);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) {
    const [mantissa, exponent] = Number(value.toPrecision(3)).toExponential().split('e');
    const power = pow10Text(Number(exponent));
    return mantissa === '1' ? power : mantissa === '-1' ? `−${power}` : `${mantissa.replace('-', '−')}·${power}`;
  }
  return Number(value.toPrecision(3)).toString().replace('-', '−');
}

export function secondsText(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

export function percentText(fraction: number): string {
  return `${(fraction * 100).toFixed(fraction < 0.1 ? 1 : 0)}%`;
}

/** λ, the per-layer factor of the squared gradient norm: always 4 decimals (the findings' precision). */
export function lambdaText(lambda: number): string {
  return Number.isFinite(lambda) ? lambda.toFixed(4) : '∞';
}

/** Orders of magnitude (a log10 value) with one decimal: "2.3 orders". */
export function ordersText(log10: number): string {
  if (!Number.isFinite(log10)) return '∞ orders';
  const t = Math.abs(log10).toFixed(1);
  return `${t} order${t === '1.0' ? '' : 's'}`;
}
