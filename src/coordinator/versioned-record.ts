// Coordinator records (in __consumer_offsets and __transaction_state) are an
// int16 schema version followed by that version's struct.
import type { MessageCodec } from '../protocol/codec.js';
import { ProtocolError, Reader, Writer } from '../protocol/primitives.js';

export function writeVersioned<T>(schema: MessageCodec<T>, version: number, body: T): Buffer {
  const w = new Writer(128);
  w.int16(version);
  schema.encode(w, version, body as never);
  return Buffer.from(w.toBuffer());
}

/** Reads a version prefix and the struct after it; throws ProtocolError for a version the schema lacks. */
export function readVersioned<T>(schema: MessageCodec<T>, buf: Buffer): T {
  const r = new Reader(buf);
  const version = r.int16();
  if (version < schema.minVersion || version > schema.maxVersion) {
    throw new ProtocolError(`${schema.schema.name} version ${version} is not known`);
  }
  return schema.decode(r, version);
}
