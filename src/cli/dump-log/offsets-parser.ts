// --offsets-decoder: __consumer_offsets records printed as Kafka's DumpLogSegments
// OffsetsMessageParser prints them: the key as {"type":"<key version>","data":{...}}, the value
// as {"version":"<value version>","data":{...}} (the fields of that version, in schema order, as
// Kafka's generated JSON converters write them), "<DELETE>" for a tombstone. A consumer group's
// member subscriptions and assignments are decoded too, as Kafka does.
import {
  GroupMetadataKeySchema, GroupMetadataValueSchema, OffsetCommitKeySchema, OffsetCommitValueSchema,
} from '../../coordinator/group/records.js';
import { type MessageCodec, defineMessage } from '../../protocol/codec.js';
import { Reader } from '../../protocol/primitives.js';
import type { DecodedRecord } from '../../protocol/records/record.js';
import { type Field, type FieldType, inRange } from '../../protocol/schema.js';
import type { ParsedRecord } from './record-parsers.js';

/** Kafka's ConsumerProtocol.PROTOCOL_TYPE: groups whose member metadata is a subscription/assignment. */
const CONSUMER_PROTOCOL_TYPE = 'consumer';

const TOPIC_PARTITIONS = (versions: string): Field['type'] => ({
  array: {
    struct: [
      { name: 'topic', type: 'string', versions },
      { name: 'partitions', type: { array: 'int32' }, versions },
    ],
  },
});

// Kafka's ConsumerProtocolSubscription / ConsumerProtocolAssignment (the "consumer" embedded protocol).
const SubscriptionSchema = defineMessage<object>({
  name: 'ConsumerProtocolSubscription',
  apiKey: -1,
  validVersions: '0-3',
  flexibleVersions: 'none',
  fields: [
    { name: 'topics', type: { array: 'string' }, versions: '0+' },
    { name: 'userData', type: 'bytes', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'ownedPartitions', type: TOPIC_PARTITIONS('1+'), versions: '1+' },
    { name: 'generationId', type: 'int32', versions: '2+', default: -1 },
    { name: 'rackId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
  ],
});

const AssignmentSchema = defineMessage<object>({
  name: 'ConsumerProtocolAssignment',
  apiKey: -1,
  validVersions: '0-3',
  flexibleVersions: 'none',
  fields: [
    { name: 'assignedPartitions', type: TOPIC_PARTITIONS('0+'), versions: '0+' },
    { name: 'userData', type: 'bytes', versions: '0+', nullableVersions: '0+', default: null },
  ],
});

type Json = null | boolean | number | string | Json[] | { [name: string]: Json };

/** A decoded value as JSON: bytes as base64 (Jackson's BinaryNode), structs as objects. */
function valueJson(type: FieldType, version: number, value: unknown): Json {
  if (value === null || value === undefined) return null;
  if (typeof type === 'string') return type === 'bytes' ? (value as Buffer).toString('base64') : (value as Json);
  if ('array' in type) return (value as unknown[]).map((item) => valueJson(type.array, version, item));
  return structJson(type.struct, version, value as Record<string, unknown>);
}

/** The fields a version has, in schema order. */
function structJson(fields: readonly Field[], version: number, value: Record<string, unknown>): { [name: string]: Json } {
  const json: { [name: string]: Json } = {};
  for (const f of fields) if (inRange(version, f.versions)) json[f.name] = valueJson(f.type, version, value[f.name]);
  return json;
}

/** A versioned message read from `r` (version already read) as JSON. */
function messageJson(codec: MessageCodec<object>, version: number, r: Reader): { [name: string]: Json } {
  return structJson(codec.schema.fields, version, codec.decode(r, version) as Record<string, unknown>);
}

/** Embedded-protocol bytes (int16 version, then the struct) as JSON, or the bytes as base64 when they do not parse. */
function embeddedJson(codec: MessageCodec<object>, bytes: Buffer): Json {
  try {
    const r = new Reader(bytes);
    return messageJson(codec, r.int16(), r);
  } catch {
    return bytes.toString('base64');
  }
}

/** GroupMetadataValue as JSON, with a consumer group's subscriptions and assignments decoded (Kafka's prepareGroupMetadataValue). */
function groupMetadataJson(version: number, r: Reader): { [name: string]: Json } {
  const value = GroupMetadataValueSchema.decode(r, version);
  const json = structJson(GroupMetadataValueSchema.schema.fields, version, value as unknown as Record<string, unknown>);
  if (value.protocolType === CONSUMER_PROTOCOL_TYPE) {
    (json.members as { [name: string]: Json }[]).forEach((member, n) => {
      member.subscription = embeddedJson(SubscriptionSchema, value.members[n].subscription);
      member.assignment = embeddedJson(AssignmentSchema, value.members[n].assignment);
    });
  }
  return json;
}

function checkVersion(codec: MessageCodec<object>, version: number): void {
  if (version < codec.minVersion || version > codec.maxVersion) throw new Error(`Unknown version ${version} of ${codec.schema.name}`);
}

/** Kafka's OffsetsMessageParser.parse. */
export function offsetsParser(record: DecodedRecord): ParsedRecord {
  if (record.key === null) {
    throw new Error(`Failed to decode message at offset ${record.offset} using offset topic decoder (message had a missing key)`);
  }
  try {
    const keyReader = new Reader(record.key);
    const keyType = keyReader.int16();
    const isOffsetCommit = keyType === 0 || keyType === 1;
    if (!isOffsetCommit && keyType !== 2) return { key: `Unknown record type ${keyType} at offset ${record.offset}, skipping.` };
    const keyCodec = (isOffsetCommit ? OffsetCommitKeySchema : GroupMetadataKeySchema) as MessageCodec<object>;
    const key = JSON.stringify({ type: String(keyType), data: messageJson(keyCodec, keyType, keyReader) });
    if (record.value === null) return { key, payload: '<DELETE>' };
    const valueReader = new Reader(record.value);
    const version = valueReader.int16();
    checkVersion((isOffsetCommit ? OffsetCommitValueSchema : GroupMetadataValueSchema) as MessageCodec<object>, version);
    const data = isOffsetCommit ? messageJson(OffsetCommitValueSchema as MessageCodec<object>, version, valueReader) : groupMetadataJson(version, valueReader);
    return { key, payload: JSON.stringify({ version: String(version), data }) };
  } catch (e) {
    return { key: `Error at offset ${record.offset}, skipping. ${(e as Error).message}` };
  }
}
