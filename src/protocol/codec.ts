// Schema interpreter: turns a MessageSchema into an encoder/decoder. Each
// version's field list is compiled once, on its first use, into a tree of
// closures; encoding and decoding then only walk that tree.
//
// Value conventions: int64 is a JS number (exact below 2^53; Long.MIN/MAX
// survive a round trip); uuid is a 16-byte Buffer (all zero = none); bytes are
// copied out of the frame (group metadata outlives requests); records are a
// Buffer slice of the frame (no copy) and are written by reference.

import { ProtocolError, Writer, type Reader } from './primitives.js';
import { inRange, parseRange, type Field, type FieldType, type MessageSchema, type PrimitiveType } from './schema.js';

/** What a 'records' field is encoded from; decoding always yields a Buffer slice or null. */
export type Records = Buffer | readonly Buffer[] | null;

/**
 * What `encode` accepts: T with every field optional, at any depth. Kafka gives every field a
 * default, and a field left undefined is written as that default (e.g. a response built once for
 * all versions may leave out the fields of newer versions).
 */
export type Encodable<T> = T extends Buffer
  ? T
  : T extends readonly (infer E)[]
    ? readonly Encodable<E>[]
    : T extends object
      ? { [K in keyof T]?: Encodable<T[K]> }
      : T;

export interface MessageCodec<T> {
  readonly schema: MessageSchema;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** Whether `version` uses compact types and tagged fields; answers for versions beyond maxVersion too (header parsing needs it). */
  flexible(version: number): boolean;
  /** Writes `value`; a field left undefined is written as its default. */
  encode(w: Writer, version: number, value: Encodable<T>): void;
  /** Reads one message; throws ProtocolError on truncation, impossible values or an unsupported version. */
  decode(r: Reader, version: number): T;
}

/** Reads/writes one value of a field's type, compiled for one version. Closures only: no `this`. */
interface ValueCodec {
  read: (r: Reader) => unknown;
  write: (w: Writer, value: unknown) => void;
}

/** A field's default: a fresh value (arrays and structs are mutable) and a test for "equals the default". */
interface DefaultValue {
  make: () => unknown;
  is: (value: unknown) => boolean;
}

/** Compared against only, never handed out (a caller could write into it). */
const ZERO_UUID = Buffer.alloc(16);
/** Shared default for bytes fields: zero-length, so nothing can be written into it. */
const EMPTY_BYTES = Buffer.alloc(0);
const TWO_32 = 2 ** 32;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export function defineMessage<T>(schema: MessageSchema): MessageCodec<T> {
  const { min: minVersion, max: maxVersion } = parseRange(schema.validVersions);
  const flexibleRange = parseRange(schema.flexibleVersions);
  const flexible = (version: number): boolean => version >= flexibleRange.min && version <= flexibleRange.max;

  // Compiled on first use: a process serves a few versions of each API, and compiling every
  // version of every message at import cost ~45 ms and ~5 MiB (docs/benchmarks.md, embedded broker).
  const compiled: (ValueCodec | undefined)[] = [];
  const codecFor = (version: number): ValueCodec => {
    if (!Number.isInteger(version) || version < minVersion || version > maxVersion) {
      throw new ProtocolError(`${schema.name} version ${version} is not supported`);
    }
    return (compiled[version - minVersion] ??= structCodec(schema.fields, version, flexible(version), schema.name));
  };

  return {
    schema,
    minVersion,
    maxVersion,
    flexible,
    encode: (w, version, value) => codecFor(version).write(w, value),
    decode: (r, version) => codecFor(version).read(r) as T,
  };
}

function structCodec(fields: readonly Field[], version: number, flexible: boolean, path: string): ValueCodec {
  // Decoding fills every field in declaration order: from the wire when present, else its default
  // (tagged fields start at their default and are overwritten from the tagged section).
  const names: string[] = [];
  const readers: ((r: Reader) => unknown)[] = [];
  const regular: { name: string; codec: ValueCodec; fallback: DefaultValue }[] = [];
  const tagged: { tag: number; name: string; codec: ValueCodec; fallback: DefaultValue }[] = [];
  const mustBeDefault: { name: string; fallback: DefaultValue }[] = [];

  for (const field of fields) {
    const fieldPath = `${path}.${field.name}`;
    const fallback = defaultValue(field, fieldPath);
    names.push(field.name);
    if (!inRange(version, field.versions)) {
      readers.push(fallback.make);
      if (field.ignorable === false) mustBeDefault.push({ name: field.name, fallback });
      continue;
    }
    const codec = valueCodec(field.type, version, flexible, inRange(version, field.nullableVersions), fieldPath);
    if (field.tag !== undefined && inRange(version, field.taggedVersions)) {
      if (!flexible) throw new Error(`${fieldPath}: tagged in non-flexible version ${version}`);
      tagged.push({ tag: field.tag, name: field.name, codec, fallback });
      readers.push(fallback.make);
    } else {
      regular.push({ name: field.name, codec, fallback });
      readers.push(codec.read);
    }
  }
  tagged.sort((a, b) => a.tag - b.tag);
  const taggedByNumber = new Map(tagged.map((t) => [t.tag, t]));

  const read = (r: Reader): unknown => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) out[names[i]] = readers[i](r);
    if (flexible) {
      if (tagged.length === 0) {
        r.taggedFields();
      } else {
        r.taggedFields((tag, body) => {
          const t = taggedByNumber.get(tag);
          if (t !== undefined) out[t.name] = t.codec.read(body);
        });
      }
    }
    return out;
  };

  const write = (w: Writer, value: unknown): void => {
    if (value === null || typeof value !== 'object') throw new ProtocolError(`${path}: expected an object, got ${String(value)}`);
    const obj = value as Record<string, unknown>;
    for (const { name, fallback } of mustBeDefault) {
      if (!fallback.is(obj[name])) throw new ProtocolError(`${path}.${name} cannot be sent in version ${version}`);
    }
    for (const { name, codec, fallback } of regular) {
      const v = obj[name];
      codec.write(w, v === undefined ? fallback.make() : v);
    }
    if (flexible) writeTaggedSection(w, obj, tagged);
  };

  return { read, write };
}

function writeTaggedSection(
  w: Writer,
  obj: Record<string, unknown>,
  tagged: readonly { tag: number; name: string; codec: ValueCodec; fallback: DefaultValue }[],
): void {
  let count = 0;
  for (const t of tagged) if (!t.fallback.is(obj[t.name])) count++;
  w.uvarint(count);
  if (count === 0) return;
  for (const t of tagged) {
    const value = obj[t.name];
    if (t.fallback.is(value)) continue;
    // The size prefix comes first, so the value is encoded aside; tagged fields are small and rare.
    const body = new Writer(64);
    t.codec.write(body, value);
    const bytes = body.toBuffer();
    w.uvarint(t.tag).uvarint(bytes.length).raw(bytes);
  }
}

function valueCodec(type: FieldType, version: number, flexible: boolean, nullable: boolean, path: string): ValueCodec {
  if (typeof type === 'string') return primitiveCodec(type, flexible, nullable, path);
  if ('struct' in type) {
    if (nullable) throw new Error(`${path}: nullable structs are not supported`);
    return structCodec(type.struct, version, flexible, path);
  }
  return arrayCodec(valueCodec(type.array, version, flexible, false, `${path}[]`), flexible, nullable, path);
}

function arrayCodec(element: ValueCodec, flexible: boolean, nullable: boolean, path: string): ValueCodec {
  const readElement = element.read;
  const writeElement = element.write;
  return {
    read: (r) => {
      const n = r.arrayLength(flexible);
      if (n < 0) return nullOrThrow(nullable, path);
      const out = new Array<unknown>(n);
      for (let i = 0; i < n; i++) out[i] = readElement(r);
      return out;
    },
    write: (w, value) => {
      if (value === null) {
        if (!nullable) throw nullNotAllowed(path);
        w.arrayLength(null, flexible);
        return;
      }
      const items = value as readonly unknown[];
      w.arrayLength(items.length, flexible);
      for (let i = 0; i < items.length; i++) writeElement(w, items[i]);
    },
  };
}

function primitiveCodec(type: PrimitiveType, flexible: boolean, nullable: boolean, path: string): ValueCodec {
  switch (type) {
    case 'int8':
      return { read: (r) => r.int8(), write: (w, v) => w.int8(v as number) };
    case 'int16':
      return { read: (r) => r.int16(), write: (w, v) => w.int16(v as number) };
    case 'uint16':
      return { read: (r) => r.uint16(), write: (w, v) => w.uint16(v as number) };
    case 'int32':
      return { read: (r) => r.int32(), write: (w, v) => w.int32(v as number) };
    case 'uint32':
      return { read: (r) => r.uint32(), write: (w, v) => w.uint32(v as number) };
    case 'int64':
      return { read: readInt64, write: (w, v) => writeInt64(w, v as number, path) };
    case 'float64':
      return { read: (r) => r.float64(), write: (w, v) => w.float64(v as number) };
    case 'bool':
      return { read: (r) => r.bool(), write: (w, v) => w.bool(v as boolean) };
    case 'uuid':
      return {
        read: (r) => Buffer.from(r.uuid()),
        write: (w, v) => {
          const id = nonNull(v, path) as Buffer;
          if (id.length !== 16) throw new ProtocolError(`${path}: a uuid is 16 bytes, got ${id.length}`);
          w.uuid(id);
        },
      };
    case 'string':
      return stringCodec(flexible, nullable, path);
    case 'bytes':
      return bytesCodec(flexible, nullable, path);
    case 'records':
      return recordsCodec(flexible, nullable, path);
  }
}

function stringCodec(flexible: boolean, nullable: boolean, path: string): ValueCodec {
  if (flexible) {
    return nullable
      ? { read: (r) => r.compactNullableString(), write: (w, v) => w.compactNullableString(v as string | null) }
      : { read: (r) => r.compactString(), write: (w, v) => w.compactString(nonNull(v, path) as string) };
  }
  return nullable
    ? { read: (r) => r.nullableString(), write: (w, v) => w.nullableString(v as string | null) }
    : { read: (r) => r.string(), write: (w, v) => w.string(nonNull(v, path) as string) };
}

function bytesCodec(flexible: boolean, nullable: boolean, path: string): ValueCodec {
  return {
    read: (r) => {
      const slice = flexible ? r.compactNullableBytes() : r.nullableBytes();
      if (slice === null) return nullOrThrow(nullable, path);
      return Buffer.from(slice);
    },
    write: (w, v) => {
      const bytes = nullable ? (v as Buffer | null) : (nonNull(v, path) as Buffer);
      if (flexible) w.compactNullableBytes(bytes);
      else w.nullableBytes(bytes);
    },
  };
}

function recordsCodec(flexible: boolean, nullable: boolean, path: string): ValueCodec {
  return {
    read: (r) => {
      const slice = flexible ? r.compactNullableBytes() : r.nullableBytes();
      return slice === null ? nullOrThrow(nullable, path) : slice;
    },
    write: (w, v) => {
      const records = v as Records;
      if (records === null) {
        if (!nullable) throw nullNotAllowed(path);
        if (flexible) w.uvarint(0);
        else w.int32(-1);
        return;
      }
      const chunks: readonly Buffer[] = Buffer.isBuffer(records) ? [records] : records;
      let size = 0;
      for (const chunk of chunks) size += chunk.length;
      if (flexible) w.uvarint(size + 1);
      else w.int32(size);
      w.buffers(chunks);
    },
  };
}

function readInt64(r: Reader): number {
  const high = r.int32();
  return high * TWO_32 + r.uint32();
}

function writeInt64(w: Writer, v: number, path: string): void {
  if (Number.isSafeInteger(v)) {
    const high = Math.floor(v / TWO_32);
    w.int32(high).uint32(v - high * TWO_32);
    return;
  }
  if (!Number.isInteger(v)) throw new ProtocolError(`${path}: ${v} is not an int64`);
  // Beyond 2^53 only the extremes are meaningful (Long.MAX_VALUE reads back as 2^63): clamp into range.
  const big = BigInt(v);
  w.int64(big > INT64_MAX ? INT64_MAX : big < INT64_MIN ? INT64_MIN : big);
}

function nonNull(value: unknown, path: string): unknown {
  if (value === null) throw nullNotAllowed(path);
  return value;
}

function nullOrThrow(nullable: boolean, path: string): null {
  if (!nullable) throw new ProtocolError(`${path}: null where the field is not nullable`);
  return null;
}

function nullNotAllowed(path: string): ProtocolError {
  return new ProtocolError(`${path}: null cannot be written, the field is not nullable in this version`);
}

function defaultValue(field: Field, path: string): DefaultValue {
  if (field.default !== undefined) {
    const value = field.default;
    if (value !== null && typeof value === 'object') throw new Error(`${path}: only null and primitive defaults are supported`);
    return constantDefault(value);
  }
  return typeDefault(field.type, path);
}

function typeDefault(type: FieldType, path: string): DefaultValue {
  if (typeof type !== 'string') {
    if ('array' in type) return { make: () => [], is: (v) => v === undefined || (Array.isArray(v) && v.length === 0) };
    const members = type.struct.map((f) => ({ name: f.name, fallback: defaultValue(f, `${path}.${f.name}`) }));
    return {
      make: () => {
        const out: Record<string, unknown> = {};
        for (const { name, fallback } of members) out[name] = fallback.make();
        return out;
      },
      is: (v) => {
        if (v === undefined) return true;
        if (v === null || typeof v !== 'object') return false;
        const obj = v as Record<string, unknown>;
        return members.every(({ name, fallback }) => fallback.is(obj[name]));
      },
    };
  }
  switch (type) {
    case 'bool':
      return constantDefault(false);
    case 'string':
      return constantDefault('');
    case 'records':
      return constantDefault(null);
    case 'uuid':
      return { make: () => Buffer.alloc(16), is: (v) => v === undefined || (Buffer.isBuffer(v) && v.equals(ZERO_UUID)) };
    case 'bytes':
      return { make: () => EMPTY_BYTES, is: (v) => v === undefined || (Buffer.isBuffer(v) && v.length === 0) };
    default:
      return constantDefault(0);
  }
}

function constantDefault(value: unknown): DefaultValue {
  return { make: () => value, is: (v) => v === undefined || v === value };
}
