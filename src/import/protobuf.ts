// The protobuf wire format (https://protobuf.dev/programming-guides/encoding/), just what reading and writing ONNX needs:
// varints, fixed 32/64-bit values and length-delimited fields. Every read is bounds-checked against the buffer, so a
// truncated or hostile file is a ModelFileError at a byte offset, never an out-of-range read or an allocation the file
// merely claims.
import { ModelFileError } from './errors';

export const WIRE = { varint: 0, fixed64: 1, bytes: 2, startGroup: 3, endGroup: 4, fixed32: 5 } as const;

/** One field of a message: its number, wire type and where its payload sits. */
export interface WireField {
  field: number;
  wire: number;
  /** varint and fixed values (as a bigint for 64-bit ones). */
  value: bigint;
  /** bytes fields: the payload's [start, end) in the buffer. */
  start: number;
  end: number;
}

/** Reads the fields of one message, buffer[start, end), in order. */
export class WireReader {
  constructor(
    readonly buffer: Uint8Array,
    private readonly what: string,
  ) {}

  fail(offset: number, message: string): never {
    throw new ModelFileError(`${this.what}: ${message} at byte ${offset}`, { byte: offset });
  }

  private varint(pos: number, end: number): { value: bigint; next: number } {
    let value = 0n;
    let shift = 0n;
    for (let i = pos; i < end; i++) {
      const b = this.buffer[i]!;
      value |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return { value, next: i + 1 };
      shift += 7n;
      if (shift >= 70n) this.fail(pos, 'a varint longer than 10 bytes');
    }
    return this.fail(pos, 'the file ends inside a varint (truncated)');
  }

  /** Every field of the message in [start, end). */
  *fields(start: number, end: number): Generator<WireField> {
    let pos = start;
    while (pos < end) {
      const at = pos;
      const key = this.varint(pos, end);
      pos = key.next;
      const field = Number(key.value >> 3n);
      const wire = Number(key.value & 7n);
      if (field === 0) this.fail(at, 'field number 0 (not a protobuf message)');
      if (wire === WIRE.varint) {
        const v = this.varint(pos, end);
        pos = v.next;
        yield { field, wire, value: v.value, start: at, end: pos };
      } else if (wire === WIRE.fixed64 || wire === WIRE.fixed32) {
        const size = wire === WIRE.fixed64 ? 8 : 4;
        if (pos + size > end) this.fail(at, `the file ends inside a ${size * 8}-bit field (truncated)`);
        const view = new DataView(this.buffer.buffer, this.buffer.byteOffset + pos, size);
        const value = size === 8 ? view.getBigUint64(0, true) : BigInt(view.getUint32(0, true));
        yield { field, wire, value, start: pos, end: pos + size };
        pos += size;
      } else if (wire === WIRE.bytes) {
        const len = this.varint(pos, end);
        pos = len.next;
        if (len.value > BigInt(end - pos)) {
          this.fail(at, `field ${field} claims ${len.value} bytes but only ${end - pos} remain (truncated or corrupt)`);
        }
        const n = Number(len.value);
        yield { field, wire, value: len.value, start: pos, end: pos + n };
        pos += n;
      } else this.fail(at, `unsupported wire type ${wire} (field ${field})`);
    }
  }

  string(f: WireField): string {
    return new TextDecoder('utf-8').decode(this.buffer.subarray(f.start, f.end));
  }

  /** A signed 64-bit varint as a number (ONNX dims and ints), refusing values a double cannot hold exactly. */
  int64(f: WireField): number {
    const v = BigInt.asIntN(64, f.value);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) this.fail(f.start, `integer ${v} out of range`);
    return Number(v);
  }

  float32(f: WireField): number {
    return new DataView(new Uint32Array([Number(f.value)]).buffer).getFloat32(0, true);
  }

  /** Packed repeated varints (proto3's default for repeated ints) or a single unpacked one. */
  int64s(f: WireField): number[] {
    if (f.wire === WIRE.varint) return [this.int64(f)];
    const out: number[] = [];
    for (let pos = f.start; pos < f.end; ) {
      const v = this.varint(pos, f.end);
      pos = v.next;
      out.push(this.int64({ ...f, wire: WIRE.varint, value: v.value, start: pos }));
    }
    return out;
  }
}

/** Builds one message. Nested messages are written with `message(field, writer)`. */
export class WireWriter {
  private readonly parts: Uint8Array[] = [];
  private length = 0;

  private push(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.length += bytes.length;
  }

  private varintBytes(v: bigint): Uint8Array {
    const out: number[] = [];
    let x = BigInt.asUintN(64, v);
    do {
      const b = Number(x & 0x7fn);
      x >>= 7n;
      out.push(x > 0n ? b | 0x80 : b);
    } while (x > 0n);
    return Uint8Array.from(out);
  }

  private key(field: number, wire: number): void {
    this.push(this.varintBytes(BigInt(field) * 8n + BigInt(wire)));
  }

  int(field: number, value: number | bigint): this {
    this.key(field, WIRE.varint);
    this.push(this.varintBytes(BigInt(value)));
    return this;
  }

  float(field: number, value: number): this {
    this.key(field, WIRE.fixed32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.push(b);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.key(field, WIRE.bytes);
    this.push(this.varintBytes(BigInt(value.length)));
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, inner: WireWriter): this {
    return this.bytes(field, inner.finish());
  }

  /** Packed repeated int64. */
  ints(field: number, values: readonly number[]): this {
    const inner = new WireWriter();
    for (const v of values) inner.push(inner.varintBytes(BigInt(v)));
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}
