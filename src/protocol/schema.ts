// The shape of Samsa's message schema definitions. Each API module under
// src/protocol/messages/ declares its request and response as data in this
// form (written by us from the Kafka protocol specification); codec.ts turns a
// definition into an encoder/decoder per version.

/** A version range as Kafka writes it: '0+', '3-7', '5', or 'none'. */
export type VersionRange = string;

export type PrimitiveType =
  | 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'float64' | 'bool' | 'uuid'
  | 'string' | 'bytes'
  /** A record set: int32-length (classic) or compact bytes (flexible); decoded as a Buffer slice, encoded from Buffer | Buffer[] by reference. */
  | 'records';

export interface Field {
  /** camelCase name used in decoded objects. */
  name: string;
  /** A primitive, an array of a primitive (`{ array: 'int32' }`), a struct (`{ struct: [...] }`) or an array of structs (`{ array: { struct: [...] } }`). */
  type: FieldType;
  /** Versions in which the field is on the wire (as a regular field, or as a tagged one when `tag` is set). */
  versions: VersionRange;
  /** Versions in which the value may be null (strings, bytes, records, arrays, structs). */
  nullableVersions?: VersionRange;
  /** Tagged field number; the field is then written in the tagged section in `taggedVersions`. */
  tag?: number;
  taggedVersions?: VersionRange;
  /** Default when absent from a version, or omitted from a tagged section when equal. */
  default?: unknown;
  /** If false, encoding a version without this field fails when the value differs from its default. Defaults to true (ignorable) for simplicity of responses. */
  ignorable?: boolean;
}

export type FieldType =
  | PrimitiveType
  | { array: PrimitiveType | { struct: Field[] } }
  | { struct: Field[] };

export interface MessageSchema {
  /** e.g. 'ProduceRequest' */
  name: string;
  apiKey: number;
  /** Versions Samsa accepts/speaks. */
  validVersions: VersionRange;
  /** Versions using compact types and tagged fields. */
  flexibleVersions: VersionRange;
  fields: Field[];
}

/** Parses a version range; 'none' yields an empty range. */
export function parseRange(range: VersionRange): { min: number; max: number } {
  if (range === 'none') return { min: 1, max: 0 };
  if (range.endsWith('+')) return { min: Number(range.slice(0, -1)), max: Number.MAX_SAFE_INTEGER };
  const dash = range.indexOf('-');
  if (dash >= 0) return { min: Number(range.slice(0, dash)), max: Number(range.slice(dash + 1)) };
  const v = Number(range);
  return { min: v, max: v };
}

export function inRange(version: number, range: VersionRange | undefined): boolean {
  if (range === undefined) return false;
  const { min, max } = parseRange(range);
  return version >= min && version <= max;
}
