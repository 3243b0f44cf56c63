// Kafka wire primitives: fixed-width big-endian integers, (zigzag) varints,
// classic and compact strings/bytes/arrays, tagged-field sections.

/** Thrown when a buffer ends early or holds an impossible value; the broker maps it to a closed connection or INVALID_REQUEST. */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

export class Reader {
  offset: number;
  constructor(readonly buf: Buffer, offset = 0) {
    this.offset = offset;
  }

  get remaining(): number {
    return this.buf.length - this.offset;
  }

  private need(n: number): number {
    const at = this.offset;
    if (n < 0 || at + n > this.buf.length) {
      throw new ProtocolError(`need ${n} bytes at offset ${at}, only ${this.buf.length - at} left`);
    }
    this.offset = at + n;
    return at;
  }

  int8(): number { return this.buf.readInt8(this.need(1)); }
  uint8(): number { return this.buf.readUInt8(this.need(1)); }
  int16(): number { return this.buf.readInt16BE(this.need(2)); }
  uint16(): number { return this.buf.readUInt16BE(this.need(2)); }
  int32(): number { return this.buf.readInt32BE(this.need(4)); }
  uint32(): number { return this.buf.readUInt32BE(this.need(4)); }
  int64(): bigint { return this.buf.readBigInt64BE(this.need(8)); }
  float64(): number { return this.buf.readDoubleBE(this.need(8)); }
  bool(): boolean { return this.buf[this.need(1)] !== 0; }

  /** 64-bit integer as a JS number; offsets and timestamps stay below 2^53 in practice. */
  int64n(): number {
    const at = this.need(8);
    const v = this.buf.readBigInt64BE(at);
    return Number(v);
  }

  uuid(): Buffer { const at = this.need(16); return this.buf.subarray(at, at + 16); }

  uvarint(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      const b = this.buf[this.need(1)];
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
    throw new ProtocolError('unsigned varint longer than 5 bytes');
  }

  varint(): number {
    const u = this.uvarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  /** Zigzag varlong; returned as a number (exact up to 2^53). */
  varlong(): number {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      const b = this.buf[this.need(1)];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        return Number((result >> 1n) ^ -(result & 1n));
      }
      shift += 7n;
    }
    throw new ProtocolError('varlong longer than 10 bytes');
  }

  bytesRaw(n: number): Buffer { const at = this.need(n); return this.buf.subarray(at, at + n); }

  string(): string {
    const n = this.int16();
    if (n < 0) throw new ProtocolError('null where a string is required');
    return this.bytesRaw(n).toString('utf8');
  }
  nullableString(): string | null {
    const n = this.int16();
    return n < 0 ? null : this.bytesRaw(n).toString('utf8');
  }
  compactString(): string {
    const n = this.uvarint() - 1;
    if (n < 0) throw new ProtocolError('null where a compact string is required');
    return this.bytesRaw(n).toString('utf8');
  }
  compactNullableString(): string | null {
    const n = this.uvarint() - 1;
    return n < 0 ? null : this.bytesRaw(n).toString('utf8');
  }
  nullableBytes(): Buffer | null {
    const n = this.int32();
    return n < 0 ? null : this.bytesRaw(n);
  }
  compactNullableBytes(): Buffer | null {
    const n = this.uvarint() - 1;
    return n < 0 ? null : this.bytesRaw(n);
  }
  /** Array length: -1 (classic) or 0 (compact) mean null. */
  arrayLength(compact: boolean): number {
    const n = compact ? this.uvarint() - 1 : this.int32();
    if (n > this.remaining) throw new ProtocolError(`array of ${n} elements exceeds the ${this.remaining} bytes left`);
    return n;
  }

  /** Reads a tagged-field section, calling `onTag` for each field; unknown tags are skipped. */
  taggedFields(onTag?: (tag: number, r: Reader) => void): void {
    const count = this.uvarint();
    let last = -1;
    for (let i = 0; i < count; i++) {
      const tag = this.uvarint();
      if (tag <= last) throw new ProtocolError(`tagged fields out of order: ${tag} after ${last}`);
      last = tag;
      const size = this.uvarint();
      const body = this.bytesRaw(size);
      if (onTag) onTag(tag, new Reader(body));
    }
  }
}

/**
 * Growable writer producing a list of chunks. Large payloads (record sets) are
 * appended by reference with `buffers()` so a fetch response is never copied.
 */
export class Writer {
  private chunks: Buffer[] = [];
  private buf: Buffer;
  private pos = 0;
  private total = 0;

  constructor(initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  get length(): number {
    return this.total + this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n, 256));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  int8(v: number): this { this.ensure(1); this.buf.writeInt8(v, this.pos); this.pos += 1; return this; }
  uint8(v: number): this { this.ensure(1); this.buf[this.pos++] = v; return this; }
  int16(v: number): this { this.ensure(2); this.buf.writeInt16BE(v, this.pos); this.pos += 2; return this; }
  uint16(v: number): this { this.ensure(2); this.buf.writeUInt16BE(v, this.pos); this.pos += 2; return this; }
  int32(v: number): this { this.ensure(4); this.buf.writeInt32BE(v, this.pos); this.pos += 4; return this; }
  uint32(v: number): this { this.ensure(4); this.buf.writeUInt32BE(v >>> 0, this.pos); this.pos += 4; return this; }
  int64(v: number | bigint): this {
    this.ensure(8);
    this.buf.writeBigInt64BE(BigInt(v), this.pos);
    this.pos += 8;
    return this;
  }
  float64(v: number): this { this.ensure(8); this.buf.writeDoubleBE(v, this.pos); this.pos += 8; return this; }
  bool(v: boolean): this { return this.uint8(v ? 1 : 0); }
  uuid(v: Buffer | null): this {
    this.ensure(16);
    if (v) v.copy(this.buf, this.pos, 0, 16); else this.buf.fill(0, this.pos, this.pos + 16);
    this.pos += 16;
    return this;
  }

  uvarint(v: number): this {
    this.ensure(5);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
    return this;
  }
  varint(v: number): this {
    return this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }
  varlong(v: number | bigint): this {
    let z = BigInt.asUintN(64, (BigInt(v) << 1n) ^ (BigInt(v) >> 63n));
    this.ensure(10);
    while (z >= 0x80n) {
      this.buf[this.pos++] = Number(z & 0x7fn) | 0x80;
      z >>= 7n;
    }
    this.buf[this.pos++] = Number(z);
    return this;
  }

  raw(b: Buffer): this {
    this.ensure(b.length);
    b.copy(this.buf, this.pos);
    this.pos += b.length;
    return this;
  }

  /** Appends buffers by reference (no copy). */
  buffers(list: readonly Buffer[]): this {
    if (this.pos > 0) {
      this.chunks.push(this.buf.subarray(0, this.pos));
      this.total += this.pos;
      this.buf = this.buf.subarray(this.pos);
      this.pos = 0;
    }
    for (const b of list) {
      if (b.length === 0) continue;
      this.chunks.push(b);
      this.total += b.length;
    }
    return this;
  }

  string(v: string): this {
    const n = Buffer.byteLength(v);
    this.int16(n);
    this.ensure(n);
    this.pos += this.buf.write(v, this.pos);
    return this;
  }
  nullableString(v: string | null): this {
    if (v === null) return this.int16(-1);
    return this.string(v);
  }
  compactString(v: string): this {
    const n = Buffer.byteLength(v);
    this.uvarint(n + 1);
    this.ensure(n);
    this.pos += this.buf.write(v, this.pos);
    return this;
  }
  compactNullableString(v: string | null): this {
    if (v === null) return this.uvarint(0);
    return this.compactString(v);
  }
  nullableBytes(v: Buffer | null): this {
    if (v === null) return this.int32(-1);
    return this.int32(v.length).raw(v);
  }
  compactNullableBytes(v: Buffer | null): this {
    if (v === null) return this.uvarint(0);
    return this.uvarint(v.length + 1).raw(v);
  }
  arrayLength(n: number | null, compact: boolean): this {
    if (compact) return this.uvarint(n === null ? 0 : n + 1);
    return this.int32(n === null ? -1 : n);
  }

  /** Reserves 4 bytes for a length written later with `patchInt32`; returns the absolute position. */
  reserveInt32(): number {
    this.ensure(4);
    const at = this.length;
    this.pos += 4;
    return at;
  }
  /** Patches a value at an absolute position that is still in the current chunk. */
  patchInt32(at: number, v: number): void {
    const local = at - this.total;
    if (local < 0) throw new Error('patchInt32: position already flushed to a chunk');
    this.buf.writeInt32BE(v, local);
  }

  /** The written bytes as chunks (for writev). */
  chunksOut(): Buffer[] {
    const out = this.chunks.slice();
    if (this.pos > 0) out.push(this.buf.subarray(0, this.pos));
    return out;
  }

  /** The written bytes as one buffer (copies only if chunks were appended by reference). */
  toBuffer(): Buffer {
    if (this.chunks.length === 0) return this.buf.subarray(0, this.pos);
    return Buffer.concat(this.chunksOut(), this.length);
  }
}

/** Size in bytes of `v` as an unsigned varint. */
export function uvarintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** Size in bytes of `v` as a zigzag varint. */
export function varintSize(v: number): number {
  return uvarintSize(v >= 0 ? v * 2 : -v * 2 - 1);
}
