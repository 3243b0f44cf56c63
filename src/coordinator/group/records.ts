// The records of __consumer_offsets, in Kafka's layouts: every key and value is
// an int16 schema version followed by that version's struct. Key versions 0-1
// are offset commits, 2 is group metadata; a null value is a tombstone.
// Definitions written for Samsa from Kafka's OffsetCommitKey/Value and
// GroupMetadataKey/Value schemas.
import { defineMessage } from '../../protocol/codec.js';
import { Reader } from '../../protocol/primitives.js';
import { readVersioned, writeVersioned } from '../versioned-record.js';

/** A committed offset as the coordinator keeps it. */
export interface OffsetAndMetadata {
  offset: number;
  /** -1 when the client did not send one. */
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
  /** Only from OffsetCommit v2-v4 with an explicit retention time (value schema v1). */
  expireTimestamp: number | null;
}

export interface StoredMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeout: number;
  sessionTimeout: number;
  subscription: Buffer;
  assignment: Buffer;
}

/** A group's membership as written on every generation change. */
export interface StoredGroup {
  protocolType: string;
  generation: number;
  protocol: string | null;
  leader: string | null;
  /** -1 when unknown (value schema v0-v1). */
  currentStateTimestamp: number;
  members: StoredMember[];
}

interface OffsetCommitKey {
  group: string;
  topic: string;
  partition: number;
}

interface OffsetCommitValue {
  offset: number;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
  expireTimestamp: number;
}

// apiKey is meaningless for these records; -1 marks them as not being an API.
export const OffsetCommitKeySchema = defineMessage<OffsetCommitKey>({
  name: 'OffsetCommitKey',
  apiKey: -1,
  validVersions: '0-1',
  flexibleVersions: 'none',
  fields: [
    { name: 'group', type: 'string', versions: '0+' },
    { name: 'topic', type: 'string', versions: '0+' },
    { name: 'partition', type: 'int32', versions: '0+' },
  ],
});

export const GroupMetadataKeySchema = defineMessage<{ group: string }>({
  name: 'GroupMetadataKey',
  apiKey: -1,
  validVersions: '2',
  flexibleVersions: 'none',
  fields: [{ name: 'group', type: 'string', versions: '2' }],
});

export const OffsetCommitValueSchema = defineMessage<OffsetCommitValue>({
  name: 'OffsetCommitValue',
  apiKey: -1,
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: [
    { name: 'offset', type: 'int64', versions: '0+' },
    { name: 'leaderEpoch', type: 'int32', versions: '3+', default: -1 },
    { name: 'metadata', type: 'string', versions: '0+' },
    { name: 'commitTimestamp', type: 'int64', versions: '0+' },
    { name: 'expireTimestamp', type: 'int64', versions: '1', default: -1 },
  ],
});

export const GroupMetadataValueSchema = defineMessage<StoredGroup>({
  name: 'GroupMetadataValue',
  apiKey: -1,
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: [
    { name: 'protocolType', type: 'string', versions: '0+' },
    { name: 'generation', type: 'int32', versions: '0+' },
    { name: 'protocol', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'leader', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'currentStateTimestamp', type: 'int64', versions: '2+', default: -1 },
    {
      name: 'members',
      versions: '0+',
      type: {
        array: {
          struct: [
            { name: 'memberId', type: 'string', versions: '0+' },
            { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
            { name: 'clientId', type: 'string', versions: '0+' },
            { name: 'clientHost', type: 'string', versions: '0+' },
            { name: 'rebalanceTimeout', type: 'int32', versions: '1+', default: -1 },
            { name: 'sessionTimeout', type: 'int32', versions: '0+' },
            { name: 'subscription', type: 'bytes', versions: '0+' },
            { name: 'assignment', type: 'bytes', versions: '0+' },
          ],
        },
      },
    },
  ],
});

/** The versions Kafka 3.x writes. */
const OFFSET_KEY_VERSION = 1;
const GROUP_KEY_VERSION = 2;
const GROUP_VALUE_VERSION = 3;
const OFFSET_VALUE_VERSION = 3;
/** The only value version with an expire timestamp. */
const OFFSET_VALUE_VERSION_WITH_EXPIRY = 1;

export interface KeyValue {
  key: Buffer;
  value: Buffer | null;
}

export type OffsetsTopicRecord =
  | { kind: 'offset'; group: string; topic: string; partition: number; value: OffsetAndMetadata | null }
  | { kind: 'group'; group: string; value: StoredGroup | null }
  /** A record type this coordinator does not use (e.g. KIP-848 consumer groups): skipped. */
  | { kind: 'other'; keyVersion: number };

export function offsetCommitRecord(group: string, topic: string, partition: number, value: OffsetAndMetadata | null): KeyValue {
  const key = writeVersioned(OffsetCommitKeySchema, OFFSET_KEY_VERSION, { group, topic, partition });
  if (value === null) return { key, value: null };
  const version = value.expireTimestamp === null ? OFFSET_VALUE_VERSION : OFFSET_VALUE_VERSION_WITH_EXPIRY;
  return { key, value: writeVersioned(OffsetCommitValueSchema, version, { ...value, expireTimestamp: value.expireTimestamp ?? -1 }) };
}

export function groupMetadataRecord(group: string, value: StoredGroup | null): KeyValue {
  const key = writeVersioned(GroupMetadataKeySchema, GROUP_KEY_VERSION, { group });
  return { key, value: value === null ? null : writeVersioned(GroupMetadataValueSchema, GROUP_VALUE_VERSION, value) };
}

/** Decodes one record of __consumer_offsets; throws ProtocolError for a malformed one. */
export function parseOffsetsTopicRecord(key: Buffer, value: Buffer | null): OffsetsTopicRecord {
  const r = new Reader(key);
  const keyVersion = r.int16();
  if (keyVersion === 0 || keyVersion === 1) {
    const k = OffsetCommitKeySchema.decode(r, keyVersion);
    if (value === null) return { kind: 'offset', ...k, value: null };
    const v = readVersioned(OffsetCommitValueSchema, value);
    return {
      kind: 'offset',
      ...k,
      value: {
        offset: v.offset,
        leaderEpoch: v.leaderEpoch,
        metadata: v.metadata,
        commitTimestamp: v.commitTimestamp,
        expireTimestamp: v.expireTimestamp === -1 ? null : v.expireTimestamp,
      },
    };
  }
  if (keyVersion === GROUP_KEY_VERSION) {
    const { group } = GroupMetadataKeySchema.decode(r, keyVersion);
    return { kind: 'group', group, value: value === null ? null : readVersioned(GroupMetadataValueSchema, value) };
  }
  return { kind: 'other', keyVersion };
}
