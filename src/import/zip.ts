// Reads one member of a zip archive (a Keras 3 `.keras` file: config.json, metadata.json, model.weights.h5) without reading
// the rest: the end-of-central-directory record, the central directory, then the member's local header and data. Every
// size is checked against the file and against caps before anything is allocated, and inflation stops at the cap, so a
// truncated archive, a lying header or a zip bomb is a located error in bounded time and memory.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { crc32, inflateRawSync } from 'node:zlib';
import { ModelFileError } from './errors';

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** Central directories of model archives hold a handful of entries. */
const MAX_CENTRAL_BYTES = 16 * 1024 * 1024;

function readAt(fd: number, offset: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, out, got, length - got, offset + got);
    if (n === 0) break;
    got += n;
  }
  return out.subarray(0, got);
}

/** The bytes of `member` (stored or deflated), at most `maxBytes` once inflated. */
export function readZipMember(file: string, member: string, maxBytes: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const fail = (message: string, byte: number): never => {
      throw new ModelFileError(`${file} is not a readable .keras (zip) archive: ${message} at byte ${byte}`, { byte });
    };
    const tailStart = Math.max(0, size - (22 + 0xffff));
    const tail = readAt(fd, tailStart, size - tailStart);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) fail('no end-of-central-directory record (not a zip file, or truncated)', size);
    const entries = tail.readUInt16LE(eocd + 10);
    const cdSize = tail.readUInt32LE(eocd + 12);
    const cdOffset = tail.readUInt32LE(eocd + 16);
    if (cdOffset === 0xffffffff || entries === 0xffff) fail('a ZIP64 archive (DepthLens reads the config of archives under 4 GiB)', tailStart + eocd);
    if (cdSize > MAX_CENTRAL_BYTES || cdOffset + cdSize > size) fail(`a central directory of ${cdSize} bytes at ${cdOffset} outside the file`, tailStart + eocd);
    const cd = readAt(fd, cdOffset, cdSize);
    const names: string[] = [];
    for (let p = 0, k = 0; k < entries; k++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL) fail('a damaged central directory entry', cdOffset + p);
      const method = cd.readUInt16LE(p + 10);
      const crc = cd.readUInt32LE(p + 16);
      const compressed = cd.readUInt32LE(p + 20);
      const uncompressed = cd.readUInt32LE(p + 24);
      const nameLength = cd.readUInt16LE(p + 28);
      const next = p + 46 + nameLength + cd.readUInt16LE(p + 30) + cd.readUInt16LE(p + 32);
      if (next > cd.length) fail('a central directory entry running past its end', cdOffset + p);
      const name = cd.toString('utf8', p + 46, p + 46 + nameLength);
      names.push(name);
      if (name === member) {
        const local = cd.readUInt32LE(p + 42);
        if (uncompressed > maxBytes) fail(`${member} claims ${uncompressed} bytes, more than the ${maxBytes} DepthLens reads`, cdOffset + p);
        if (compressed > maxBytes || local + 30 > size) fail(`${member}'s data lies outside the file`, cdOffset + p);
        const header = readAt(fd, local, 30);
        if (header.length < 30 || header.readUInt32LE(0) !== LOCAL) fail(`no local header for ${member}`, local);
        const dataStart = local + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
        if (dataStart + compressed > size) fail(`${member} is cut short (truncated archive)`, dataStart);
        const data = readAt(fd, dataStart, compressed);
        let out: Buffer;
        if (method === 0) out = data;
        else if (method === 8) {
          try {
            out = inflateRawSync(data, { maxOutputLength: maxBytes });
          } catch (e) {
            const tooBig = (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
            return fail(tooBig ? `${member} inflates past ${maxBytes} bytes (a zip bomb?)` : `${member} does not inflate (${(e as Error).message})`, dataStart);
          }
        } else return fail(`${member} uses compression method ${method} (DepthLens reads stored and deflated members)`, cdOffset + p);
        if (out.length !== uncompressed) fail(`${member} inflates to ${out.length} bytes, not the ${uncompressed} its header says`, dataStart);
        if (crc32(out) !== crc) fail(`${member} fails its CRC check (corrupt archive)`, dataStart);
        return out;
      }
      p = next;
    }
    const listed = names.slice(0, 6).join(', ');
    return fail(`no ${member} in the archive (it holds ${listed || 'nothing'}${names.length > 6 ? ', …' : ''})`, cdOffset);
  } finally {
    closeSync(fd);
  }
}
