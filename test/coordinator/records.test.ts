// __consumer_offsets record layouts and the group → partition mapping, against
// bytes and hash values worked out from Kafka's schemas and Java's String.hashCode.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { javaStringHashCode, offsetsPartitionFor } from '../../src/coordinator/group/partition-for.js';
import { groupMetadataRecord, offsetCommitRecord, parseOffsetsTopicRecord } from '../../src/coordinator/group/records.js';

test('Java String.hashCode and Kafka partitionFor', () => {
  assert.equal(javaStringHashCode(''), 0);
  assert.equal(javaStringHashCode('hello'), 99162322);
  // Overflows to a negative hash.
  assert.equal(javaStringHashCode('my-group'), -1906497762);
  assert.equal(offsetsPartitionFor('my-group', 50), 12);
  assert.equal(offsetsPartitionFor('consumer-group-12345', 50), 44);
  // Its hash is Integer.MIN_VALUE: Kafka's Utils.abs maps it to 0.
  assert.equal(javaStringHashCode('polygenelubricants'), -2147483648);
  assert.equal(offsetsPartitionFor('polygenelubricants', 50), 0);
  assert.equal(offsetsPartitionFor('hello', 50), 22);
  // UTF-16 code units, as Java counts them.
  assert.equal(javaStringHashCode('\u{1F600}'), javaStringHashCodeSlow('\u{1F600}'));
});

/** The definition: s[0]*31^(n-1) + ... + s[n-1], in 32-bit two's complement. */
function javaStringHashCodeSlow(s: string): number {
  let h = 0n;
  for (let i = 0; i < s.length; i++) h = (h * 31n + BigInt(s.charCodeAt(i))) & 0xffffffffn;
  return Number(BigInt.asIntN(32, h));
}

test('offset commit key v1 and value v3 bytes', () => {
  const { key, value } = offsetCommitRecord('g', 'tp', 3, { offset: 42, leaderEpoch: 7, metadata: 'm', commitTimestamp: 1000, expireTimestamp: null });
  assert.deepEqual(key, Buffer.from([0, 1, 0, 1, 0x67, 0, 2, 0x74, 0x70, 0, 0, 0, 3]));
  assert.deepEqual(value, Buffer.from([
    0, 3, // version
    0, 0, 0, 0, 0, 0, 0, 42, // offset
    0, 0, 0, 7, // leader epoch
    0, 1, 0x6d, // metadata
    0, 0, 0, 0, 0, 0, 0x03, 0xe8, // commit timestamp
  ]));
  const parsed = parseOffsetsTopicRecord(key, value);
  assert.deepEqual(parsed, {
    kind: 'offset', group: 'g', topic: 'tp', partition: 3,
    value: { offset: 42, leaderEpoch: 7, metadata: 'm', commitTimestamp: 1000, expireTimestamp: null },
  });
});

test('a commit with a retention time is written as value v1 with its expire timestamp', () => {
  const { key, value } = offsetCommitRecord('g', 't', 0, { offset: 1, leaderEpoch: -1, metadata: '', commitTimestamp: 10, expireTimestamp: 99 });
  assert.equal(value!.readInt16BE(0), 1);
  const parsed = parseOffsetsTopicRecord(key, value);
  assert.equal(parsed.kind, 'offset');
  assert.deepEqual(parsed.kind === 'offset' && parsed.value, { offset: 1, leaderEpoch: -1, metadata: '', commitTimestamp: 10, expireTimestamp: 99 });
});

test('value v0 (no leader epoch, no expiry) as older brokers wrote it', () => {
  const key = Buffer.from([0, 0, 0, 1, 0x67, 0, 1, 0x74, 0, 0, 0, 0]);
  const value = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9]);
  assert.deepEqual(parseOffsetsTopicRecord(key, value), {
    kind: 'offset', group: 'g', topic: 't', partition: 0,
    value: { offset: 5, leaderEpoch: -1, metadata: '', commitTimestamp: 9, expireTimestamp: null },
  });
});

test('group metadata key v2 and value v3, and tombstones', () => {
  const stored = {
    protocolType: 'consumer', generation: 4, protocol: 'range', leader: 'm1', currentStateTimestamp: 1234,
    members: [{
      memberId: 'm1', groupInstanceId: 'i1', clientId: 'c', clientHost: '/1.2.3.4', rebalanceTimeout: 300000, sessionTimeout: 10000,
      subscription: Buffer.from([1, 2]), assignment: Buffer.from([3]),
    }],
  };
  const { key, value } = groupMetadataRecord('grp', stored);
  assert.deepEqual(key, Buffer.from([0, 2, 0, 3, 0x67, 0x72, 0x70]));
  assert.equal(value!.readInt16BE(0), 3);
  assert.deepEqual(parseOffsetsTopicRecord(key, value), { kind: 'group', group: 'grp', value: stored });
  assert.deepEqual(parseOffsetsTopicRecord(key, null), { kind: 'group', group: 'grp', value: null });
  const tombstone = offsetCommitRecord('g', 't', 1, null);
  assert.equal(tombstone.value, null);
  assert.deepEqual(parseOffsetsTopicRecord(tombstone.key, null), { kind: 'offset', group: 'g', topic: 't', partition: 1, value: null });
});

test('record types of newer coordinators are recognised and skipped', () => {
  assert.deepEqual(parseOffsetsTopicRecord(Buffer.from([0, 3, 0, 1, 0x67]), Buffer.from([0, 0])), { kind: 'other', keyVersion: 3 });
});
