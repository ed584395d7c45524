// Reader for NumPy .npy files (format versions 1–3): little-endian <f4 <f8 <i4 <i8 and |u1, C order, 1-D or 2-D.
// From disk the header is read and checked (shape against the file's size and the column and value caps) before any data,
// which then streams in chunks into one float64 array.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { SpecPath } from '../../shared/findings';
import { DataError } from './errors';
import type { NumericTable } from './table';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

type Dtype = '<f4' | '<f8' | '<i4' | '<i8' | '|u1';
const ITEM_SIZE: Record<Dtype, number> = { '<f4': 4, '<f8': 8, '<i4': 4, '<i8': 8, '|u1': 1 };

interface NpyHeader {
  dtype: Dtype;
  shape: number[];
  dataOffset: number;
}

export interface NpyLimits {
  /** Most columns of a 2-D array. */
  maxColumns: number;
  /** Most values in the array. */
  maxValues: number;
}

const NO_LIMITS: NpyLimits = { maxColumns: Infinity, maxValues: Infinity };
/** A header is a short Python dict; numpy pads it to 64 bytes. Anything near this is not a .npy header. */
const MAX_HEADER_BYTES = 64 * 1024;
const CHUNK_BYTES = 4 * 2 ** 20;

/** Parses a whole .npy file held in memory (small files, tests). */
export function parseNpy(bytes: Uint8Array, file: string, path: SpecPath, limits: NpyLimits = NO_LIMITS): NumericTable {
  const header = parseHeader(bytes, file, path);
  const { rows, columns, count } = checkShape(header, bytes.length, file, path, limits);
  const values = new Float64Array(count);
  readValues(bytes, header.dataOffset, header.dtype, count, values, 0);
  return finish(values, header, rows, columns, file, path);
}

/** Reads a .npy file from disk: header first, then the data in chunks. */
export function readNpyFile(file: string, path: SpecPath, limits: NpyLimits): NumericTable {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(size, 12 + MAX_HEADER_BYTES));
    readFully(fd, head, 0);
    const header = parseHeader(head, file, path);
    const { rows, columns, count } = checkShape(header, size, file, path, limits);
    const values = new Float64Array(count);
    const item = ITEM_SIZE[header.dtype];
    const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / item));
    const chunk = Buffer.allocUnsafe(perChunk * item);
    for (let done = 0; done < count; ) {
      const n = Math.min(perChunk, count - done);
      const got = readFully(fd, chunk.subarray(0, n * item), header.dataOffset + done * item);
      if (got < n * item) throw new DataError(`${file}: truncated: the file ended while reading its data`, path, file);
      readValues(chunk, 0, header.dtype, n, values, done);
      done += n;
    }
    return finish(values, header, rows, columns, file, path);
  } finally {
    closeSync(fd);
  }
}

function readFully(fd: number, into: Buffer, position: number): number {
  let at = 0;
  while (at < into.length) {
    const n = readSync(fd, into, at, into.length - at, position + at);
    if (n === 0) break;
    at += n;
  }
  return at;
}

function checkShape(header: NpyHeader, fileBytes: number, file: string, path: SpecPath, limits: NpyLimits): { rows: number; columns: number; count: number } {
  const { shape, dtype } = header;
  if (shape.length !== 1 && shape.length !== 2) {
    throw new DataError(`${file}: array has ${shape.length} dimensions (shape (${shape.join(', ')})); expected 1 or 2`, path, file);
  }
  const rows = shape[0]!;
  const columns = shape.length === 2 ? shape[1]! : 1;
  if (columns > limits.maxColumns) {
    throw new DataError(`${file}: shape (${shape.join(', ')}) has ${columns} columns, more than the ${limits.maxColumns} a data file may have (data.features is at most ${limits.maxColumns - 1} plus a label)`, path, file);
  }
  const count = rows * columns;
  if (count > limits.maxValues) {
    throw new DataError(`${file}: shape (${shape.join(', ')}) holds ${count} values, more than the ${limits.maxValues} a data set may hold (${(limits.maxValues * 8) / 2 ** 30} GiB as float64); use fewer samples`, path, file);
  }
  const needed = count * ITEM_SIZE[dtype];
  if (fileBytes - header.dataOffset < needed) {
    throw new DataError(`${file}: truncated: shape (${shape.join(', ')}) of ${dtype} needs ${needed} data bytes, the file has ${fileBytes - header.dataOffset}`, path, file);
  }
  return { rows, columns, count };
}

function finish(values: Float64Array, header: NpyHeader, rows: number, columns: number, file: string, path: SpecPath): NumericTable {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      const r = Math.floor(i / columns);
      throw new DataError(`${file}: row index ${r}, column ${(i % columns) + 1}: expected a finite number, found NaN or infinity`, path, file);
    }
  }
  return { file, rows, columns, values, rowName: (r) => `row index ${r}`, ndim: header.shape.length };
}

function parseHeader(bytes: Uint8Array, file: string, path: SpecPath): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new DataError(`${file}: not a .npy file (bad magic: expected \\x93NUMPY)`, path, file);
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new DataError(`${file}: truncated .npy header`, path, file);
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new DataError(`${file}: unsupported .npy format version ${major}.${bytes[7]}`, path, file);
  }
  if (headerLength > MAX_HEADER_BYTES) throw new DataError(`${file}: malformed .npy header (${headerLength} bytes long; numpy writes a few hundred)`, path, file);
  if (headerStart + headerLength > bytes.length) throw new DataError(`${file}: truncated .npy header`, path, file);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, headerStart + headerLength));

  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(text)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new DataError(`${file}: malformed .npy header (expected a dict with 'descr', 'fortran_order' and 'shape')`, path, file);
  }
  if (fortran === 'True') {
    throw new DataError(`${file}: Fortran-order arrays are not supported; save it in C order (numpy.ascontiguousarray)`, path, file);
  }
  if (!(descr in ITEM_SIZE)) {
    const hint = descr.startsWith('>') ? ' (big-endian; convert with arr.astype(arr.dtype.newbyteorder("<")))' : '';
    const shown = /^[<>|=][a-zA-Z]\d{1,2}$/.test(descr) ? `dtype ${descr}` : 'its dtype';
    throw new DataError(`${file}: ${shown} is not supported${hint}; use one of ${Object.keys(ITEM_SIZE).join(' ')}`, path, file);
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => (/^\d+L?$/.test(s) ? parseInt(s, 10) : NaN));
  if (shape.some((n) => !Number.isSafeInteger(n))) throw new DataError(`${file}: malformed shape in .npy header (expected a tuple of whole numbers)`, path, file);
  return { dtype: descr as Dtype, shape, dataOffset: headerStart + headerLength };
}

/** Converts `count` values of `dtype` at bytes[offset..] into out[at..]. */
function readValues(bytes: Uint8Array, offset: number, dtype: Dtype, count: number, out: Float64Array, at: number): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * ITEM_SIZE[dtype]);
  switch (dtype) {
    case '<f4':
      for (let i = 0; i < count; i++) out[at + i] = view.getFloat32(i * 4, true);
      break;
    case '<f8':
      for (let i = 0; i < count; i++) out[at + i] = view.getFloat64(i * 8, true);
      break;
    case '<i4':
      for (let i = 0; i < count; i++) out[at + i] = view.getInt32(i * 4, true);
      break;
    case '<i8':
      for (let i = 0; i < count; i++) out[at + i] = Number(view.getBigInt64(i * 8, true));
      break;
    case '|u1':
      for (let i = 0; i < count; i++) out[at + i] = view.getUint8(i);
      break;
  }
}
