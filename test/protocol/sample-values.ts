// Builds a message value for one version from its schema: every field on the
// wire in that version gets a non-default value, every other field the value
// decoding yields for it (its default). Written independently of codec.ts so
// the round-trip tests check the codec against a second reading of the schema.

import { inRange, type Field, type FieldType, type MessageSchema, type PrimitiveType } from '../../src/protocol/schema.js';

/** 'filled': non-null everywhere, arrays of two; 'nulls': null wherever the version allows it, arrays of one. */
export type Flavor = 'filled' | 'nulls';

export function sampleMessage(schema: MessageSchema, version: number, flavor: Flavor): Record<string, unknown> {
  const counter = { next: 1 };
  return sampleStruct(schema.fields, version, flavor, counter);
}

function sampleStruct(fields: readonly Field[], version: number, flavor: Flavor, counter: { next: number }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    out[field.name] = inRange(version, field.versions)
      ? sampleField(field, version, flavor, counter)
      : defaultOf(field);
  }
  return out;
}

function sampleField(field: Field, version: number, flavor: Flavor, counter: { next: number }): unknown {
  if (flavor === 'nulls' && inRange(version, field.nullableVersions)) return null;
  return sampleType(field.type, field.default, version, flavor, counter);
}

function sampleType(type: FieldType, fieldDefault: unknown, version: number, flavor: Flavor, counter: { next: number }): unknown {
  if (typeof type === 'string') return samplePrimitive(type, fieldDefault, counter.next++);
  if ('struct' in type) return sampleStruct(type.struct, version, flavor, counter);
  const length = flavor === 'filled' ? 2 : 1;
  return Array.from({ length }, () => sampleType(type.array, undefined, version, flavor, counter));
}

function samplePrimitive(type: PrimitiveType, fieldDefault: unknown, n: number): unknown {
  switch (type) {
    case 'bool':
      return fieldDefault !== true;
    case 'int8':
      return (n % 100) + 1;
    case 'int16':
      return 300 + n;
    case 'uint16':
      return 40000 + n;
    case 'int32':
      return 70000 + n;
    case 'uint32':
      return 3_000_000_000 + n;
    case 'int64':
      // Above 2^32 and negative values exercise both halves of the 64-bit encoding.
      return n % 2 === 0 ? 2 ** 40 + n : -(2 ** 35) - n;
    case 'float64':
      return n + 0.5;
    case 'string':
      return `s${n}-ünï`;
    case 'bytes':
      return Buffer.from([n & 0xff, 1, 2, 3]);
    case 'records':
      return Buffer.from(Array.from({ length: 20 }, (_, i) => (n + i) & 0xff));
    case 'uuid':
      return Buffer.from(Array.from({ length: 16 }, (_, i) => (n * 7 + i + 1) & 0xff));
  }
}

/** What decoding yields for a field that is not on the wire. */
export function defaultOf(field: Field): unknown {
  if (field.default !== undefined) return field.default;
  return typeDefault(field.type);
}

function typeDefault(type: FieldType): unknown {
  if (typeof type !== 'string') {
    if ('array' in type) return [];
    return Object.fromEntries(type.struct.map((f) => [f.name, defaultOf(f)]));
  }
  switch (type) {
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'bytes':
      return Buffer.alloc(0);
    case 'uuid':
      return Buffer.alloc(16);
    case 'records':
      return null;
    default:
      return 0;
  }
}
