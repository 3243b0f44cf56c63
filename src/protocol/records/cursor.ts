// Bounds-checked reader for the fields inside v2 records. Varlongs are decoded
// with plain number arithmetic (exact below 2^53) instead of BigInt: record
// iteration is on the validation and consume paths.
import { RecordErrorCode, RecordsError } from './errors.js';

export class RecordCursor {
  constructor(readonly buf: Buffer, public pos: number, readonly end: number) {}

  /** Zigzag varint of at most 5 bytes. */
  varint(): number {
    let value = 0;
    for (let shift = 0; shift <= 28; shift += 7) {
      const b = this.byte();
      value |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return (value >>> 1) ^ -(value & 1);
    }
    throw malformed('varint longer than 5 bytes', this.pos);
  }

  /** Zigzag varlong of at most 10 bytes. */
  varlong(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
      scale *= 128;
    }
    throw malformed('varlong longer than 10 bytes', this.pos);
  }

  /** A varint length (-1 = null) followed by that many bytes, as a view. */
  nullableBytes(): Buffer | null {
    const n = this.varint();
    if (n < 0) return null;
    const start = this.pos;
    return this.buf.subarray(start, this.skip(n));
  }

  /** Advances past `n` bytes; returns the new position. */
  skip(n: number): number {
    if (n < 0 || this.pos + n > this.end) throw malformed(`${n} bytes do not fit`, this.pos);
    return (this.pos += n);
  }

  private byte(): number {
    if (this.pos >= this.end) throw malformed('record ends early', this.pos);
    return this.buf[this.pos++];
  }
}

export function malformed(what: string, at: number): RecordsError {
  return new RecordsError(RecordErrorCode.INVALID_RECORD, `malformed record at byte ${at}: ${what}`);
}
