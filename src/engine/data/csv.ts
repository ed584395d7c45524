// CSV reader for numeric data.
// Rules: cells are separated by commas and trimmed (surrounding double quotes are dropped); blank lines are skipped; the
// first non-blank line is a header when none of its cells is a number; every other row must have the same number of
// cells, each a finite number. Rows are named by their 1-based line number in the file.
import type { SpecPath } from '../../shared/findings';
import { DataError } from './errors';
import type { NumericTable } from './table';

export function parseCsv(text: string, file: string, path: SpecPath): NumericTable {
  const lines = text.split('\n');
  const values: number[] = [];
  const lineNumbers: number[] = [];
  let columns = -1;
  let columnsFrom = 0;
  let sawFirstLine = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (line.trim() === '') continue;
    const lineNumber = i + 1;
    const cells = line.split(',').map(unquote);
    if (!sawFirstLine) {
      sawFirstLine = true;
      if (cells.every((c) => parseNumber(c) === null)) continue;
    }
    if (columns === -1) {
      columns = cells.length;
      columnsFrom = lineNumber;
    } else if (cells.length !== columns) {
      throw new DataError(
        `${file}: row ${lineNumber} has ${cells.length} column${cells.length === 1 ? '' : 's'}, expected ${columns} (as in row ${columnsFrom})`,
        path,
        file,
      );
    }
    for (let c = 0; c < cells.length; c++) {
      const v = parseNumber(cells[c]);
      if (v === null) {
        const shown = cells[c] === '' ? 'an empty cell' : `"${cells[c].slice(0, 40)}"`;
        throw new DataError(`${file}: row ${lineNumber}, column ${c + 1}: ${shown} is not a number`, path, file);
      }
      values.push(v);
    }
    lineNumbers.push(lineNumber);
  }
  if (columns === -1) throw new DataError(`${file}: no data rows`, path, file);
  return {
    file,
    rows: lineNumbers.length,
    columns,
    values: Float64Array.from(values),
    rowName: (r) => `row ${lineNumbers[r]}`,
    ndim: 2,
  };
}

function unquote(cell: string): string {
  const t = cell.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).trim() : t;
}

function parseNumber(cell: string): number | null {
  if (cell === '') return null;
  const v = Number(cell);
  return Number.isFinite(v) ? v : null;
}
