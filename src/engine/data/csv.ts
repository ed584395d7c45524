// CSV reader for numeric data, streamed: the file is read in chunks and decoded as UTF-8 line by line, so its size is
// bounded by the data file limit, never by V8's largest string.
// Rules: cells are separated by commas and trimmed (surrounding double quotes are dropped); blank lines are skipped; the
// first non-blank line is a header when none of its cells is a number; every other row must have the same number of
// cells, each a finite decimal number (hexadecimal, octal and binary literals are refused). Rows are named by their
// 1-based line number in the file. Errors say where (row, column) and what was expected, never what the file holds.
import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { SpecPath } from '../../shared/findings';
import { DataError } from './errors';
import type { NumericTable } from './table';
import { ValueStore } from './valueStore';

const CHUNK_BYTES = 4 * 2 ** 20;
/** No row of a few thousand numeric columns comes near this; a file without line breaks does. */
export const MAX_CSV_LINE_CHARS = 8 * 2 ** 20;

export interface CsvLimits {
  /** Refuse a file whose rows have more cells than this, at the first such row. */
  maxColumns: number;
  /** Refuse a file with more numbers than this, at the row that passes it. */
  maxValues: number;
}

/** Reads and parses a csv file from disk in chunks. */
export function readCsvFile(file: string, path: SpecPath, limits: CsvLimits): NumericTable {
  const parser = new CsvParser(file, path, limits);
  const fd = openSync(file, 'r');
  try {
    // StringDecoder keeps a character split across chunks whole (and is several times faster here than a fatal TextDecoder);
    // it turns invalid bytes into U+FFFD, which no numeric csv holds.
    const decoder = new StringDecoder('utf8');
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const n = readSync(fd, buffer, 0, CHUNK_BYTES, null);
      const text = n === 0 ? decoder.end() : decoder.write(buffer.subarray(0, n));
      if (text.includes('\uFFFD')) {
        throw new DataError(`${file}: not UTF-8 text (an invalid byte sequence near row ${parser.nextLine}); save it as UTF-8 csv`, path, file);
      }
      parser.push(text, n === 0);
      if (n === 0) break;
    }
  } finally {
    closeSync(fd);
  }
  return parser.finish();
}

/** Parses csv text held in memory (small files, tests). */
export function parseCsv(text: string, file: string, path: SpecPath, limits: CsvLimits = { maxColumns: Infinity, maxValues: Infinity }): NumericTable {
  const parser = new CsvParser(file, path, limits);
  parser.push(text, true);
  return parser.finish();
}

class CsvParser {
  private carry = '';
  /** 1-based number of the line the carry starts on. */
  nextLine = 1;
  private readonly values = new ValueStore();
  private readonly lineNumbers: number[] = [];
  private columns = -1;
  private columnsFrom = 0;
  private sawFirstLine = false;

  constructor(
    private readonly file: string,
    private readonly path: SpecPath,
    private readonly limits: CsvLimits,
  ) {}

  /** Adds text; `end` marks the end of the file (an unterminated last line is a row too). */
  push(text: string, end = false): void {
    const all = this.carry + text;
    let start = 0;
    for (;;) {
      const nl = all.indexOf('\n', start);
      if (nl === -1) break;
      this.line(all.slice(start, nl));
      start = nl + 1;
    }
    this.carry = all.slice(start);
    if (this.carry.length > MAX_CSV_LINE_CHARS) {
      throw new DataError(`${this.file}: row ${this.nextLine} is longer than ${MAX_CSV_LINE_CHARS / 2 ** 20} Mi characters; this is not a numeric csv file`, this.path, this.file);
    }
    if (end && this.carry !== '') {
      this.line(this.carry);
      this.carry = '';
    }
  }

  private line(raw: string): void {
    const lineNumber = this.nextLine++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    const cells = line.split(',');
    if (cells.length > this.limits.maxColumns) {
      throw new DataError(
        `${this.file}: row ${lineNumber} has ${cells.length} columns, more than the ${this.limits.maxColumns} a data file may have (data.features is at most ${this.limits.maxColumns - 1} plus a label)`,
        this.path,
        this.file,
      );
    }
    if (!this.sawFirstLine) {
      this.sawFirstLine = true;
      if (cells.every((c) => cellValue(c) === null)) return;
    }
    if (this.columns === -1) {
      this.columns = cells.length;
      this.columnsFrom = lineNumber;
    } else if (cells.length !== this.columns) {
      throw new DataError(
        `${this.file}: row ${lineNumber} has ${cells.length} column${cells.length === 1 ? '' : 's'}, expected ${this.columns} (as in row ${this.columnsFrom})`,
        this.path,
        this.file,
      );
    }
    for (let c = 0; c < cells.length; c++) {
      const v = cellValue(cells[c]!);
      if (v === null) {
        throw new DataError(`${this.file}: row ${lineNumber}, column ${c + 1}: expected a decimal number, found ${describeCell(unquote(cells[c]!))}`, this.path, this.file);
      }
      this.values.push(v);
    }
    this.lineNumbers.push(lineNumber);
    if (this.values.length > this.limits.maxValues) {
      throw new DataError(
        `${this.file}: row ${lineNumber} takes the file past ${this.limits.maxValues} numbers, the most a data set may hold (${(this.limits.maxValues * 8) / 2 ** 30} GiB as float64); use fewer samples`,
        this.path,
        this.file,
      );
    }
  }

  finish(): NumericTable {
    if (this.columns === -1) throw new DataError(`${this.file}: no data rows`, this.path, this.file);
    const lineNumbers = this.lineNumbers;
    return {
      file: this.file,
      rows: lineNumbers.length,
      columns: this.columns,
      values: this.values.toArray(),
      rowName: (r) => `row ${lineNumbers[r]}`,
      ndim: 2,
    };
  }
}

/** A cell's number, or null. The common unquoted cell takes a fast path without regular expressions or new strings. */
function cellValue(raw: string): number | null {
  const fast = plainDecimal(raw);
  if (fast !== null) return fast;
  return parseNumber(unquote(raw));
}

/**
 * Number() trims blanks itself but also takes '', '0x1F', '0o17', '0b11' and 'Infinity': accept its result only when the
 * cell holds nothing but digits, '.', exponent letters, signs and blanks, with at least one digit.
 */
function plainDecimal(cell: string): number | null {
  let digits = false;
  for (let i = 0; i < cell.length; i++) {
    const c = cell.charCodeAt(i);
    if (c >= 48 && c <= 57) digits = true;
    else if (c !== 46 && c !== 101 && c !== 69 && c !== 43 && c !== 45 && c !== 32 && c !== 9) return null;
  }
  if (!digits) return null;
  const v = Number(cell);
  return Number.isFinite(v) ? v : null;
}

function unquote(cell: string): string {
  const t = cell.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).trim() : t;
}

/** A decimal number: digits, one optional point, an optional exponent; Number() alone would also take 0x1F, 0o17, 0b11. */
const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function parseNumber(cell: string): number | null {
  if (!DECIMAL.test(cell)) return null;
  const v = Number(cell);
  return Number.isFinite(v) ? v : null;
}

/** What kind of cell it is, without repeating what it says: data files may hold anything. */
function describeCell(cell: string): string {
  if (cell === '') return 'an empty cell';
  if (/^[-+]?0[xXoObB][0-9a-fA-F_]*$/.test(cell)) return 'a hexadecimal, octal or binary literal (write it in decimal)';
  if (/^[-+]?(inf|infinity|nan)$/i.test(cell)) return 'a non-finite value (NaN or infinity)';
  if (DECIMAL.test(cell)) return 'a number too large for a float64';
  return `text that is not a number (${cell.length} character${cell.length === 1 ? '' : 's'})`;
}
