// The schema interpreter on small hand-made schemas, against hand-computed bytes.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defineMessage, type Encodable, type MessageCodec, type Records } from '../../src/protocol/codec.js';
import { ProtocolError, Reader, Writer } from '../../src/protocol/primitives.js';
import type { MessageSchema } from '../../src/protocol/schema.js';

function encodeHex<T>(codec: MessageCodec<T>, version: number, value: Encodable<T>): string {
  const w = new Writer();
  codec.encode(w, version, value);
  return w.toBuffer().toString('hex');
}

function decodeHex<T>(codec: MessageCodec<T>, version: number, hex: string): T {
  const r = new Reader(Buffer.from(hex.replace(/\s/g, ''), 'hex'));
  const value = codec.decode(r, version);
  assert.equal(r.remaining, 0, 'trailing bytes');
  return value;
}

interface Sample {
  id: number;
  name: string | null;
  tags: string[] | null;
}

// v0-v1 classic, v2 flexible; name nullable from v1, tags nullable from v2.
const sampleSchema: MessageSchema = {
  name: 'Sample',
  apiKey: 1000,
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'id', type: 'int32', versions: '0+' },
    { name: 'name', type: 'string', versions: '0+', nullableVersions: '1+' },
    { name: 'tags', type: { array: 'string' }, versions: '1+', nullableVersions: '2+' },
  ],
};
const Sample = defineMessage<Sample>(sampleSchema);

test('codec: classic and compact encodings of strings and arrays', () => {
  const value = { id: 1, name: 'ab', tags: ['x'] };
  assert.equal(encodeHex(Sample, 0, { ...value, tags: [] }), '00000001' + '00026162');
  assert.equal(encodeHex(Sample, 1, value), '00000001' + '00026162' + '00000001' + '000178');
  // Flexible: compact string (length + 1), compact array (count + 1), empty tagged section.
  assert.equal(encodeHex(Sample, 2, value), '00000001' + '036162' + '02' + '0278' + '00');
  assert.equal(encodeHex(Sample, 1, { id: 1, name: null, tags: [] }), '00000001' + 'ffff' + '00000000');
  assert.equal(encodeHex(Sample, 2, { id: 1, name: null, tags: null }), '00000001' + '00' + '00' + '00');
  assert.deepEqual(decodeHex(Sample, 2, '00000001 00 00 00'), { id: 1, name: null, tags: null });
});

test('codec: null is refused where the version does not allow it', () => {
  assert.throws(() => encodeHex(Sample, 0, { id: 1, name: null, tags: [] }), ProtocolError);
  assert.throws(() => encodeHex(Sample, 1, { id: 1, name: 'a', tags: null }), ProtocolError);
  // ...and when reading: a null string in v0, a null array in v1.
  assert.throws(() => decodeHex(Sample, 0, '00000001 ffff'), ProtocolError);
  assert.throws(() => decodeHex(Sample, 1, '00000001 0000 ffffffff'), ProtocolError);
});

test('codec: fields absent in a version decode to fresh defaults and undefined encodes as the default', () => {
  const first = decodeHex(Sample, 0, '00000007 0000');
  assert.deepEqual(first, { id: 7, name: '', tags: [] });
  (first.tags as string[]).push('mutated');
  assert.deepEqual(decodeHex(Sample, 0, '00000007 0000').tags, []);
  assert.equal(encodeHex(Sample, 2, { id: 7 }), '00000007' + '01' + '01' + '00');
});

test('codec: unsupported versions are refused; flexible() answers beyond the range', () => {
  assert.throws(() => Sample.decode(new Reader(Buffer.alloc(8)), 3), ProtocolError);
  assert.throws(() => encodeHex(Sample, -1, { id: 1, name: '', tags: [] }), ProtocolError);
  assert.equal(Sample.flexible(1), false);
  assert.equal(Sample.flexible(2), true);
  assert.equal(Sample.flexible(99), true);
  assert.equal(defineMessage({ ...sampleSchema, flexibleVersions: 'none' }).flexible(5), false);
});

interface Tagged {
  id: number;
  later: number;
  note: string;
  leader: { leaderId: number; epoch: number };
}

const Tagged = defineMessage<Tagged>({
  name: 'Tagged',
  apiKey: 1001,
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'id', type: 'int32', versions: '0+' },
    // Declared before tag 0 on purpose: the tagged section is written in tag order.
    { name: 'later', type: 'int32', versions: '0+', tag: 1, taggedVersions: '0+' },
    { name: 'note', type: 'string', versions: '0+', tag: 0, taggedVersions: '0+' },
    {
      name: 'leader',
      versions: '0+',
      tag: 2,
      taggedVersions: '0+',
      type: {
        struct: [
          { name: 'leaderId', type: 'int32', versions: '0+', default: -1 },
          { name: 'epoch', type: 'int32', versions: '0+', default: -1 },
        ],
      },
    },
  ],
});
const noLeader = { leaderId: -1, epoch: -1 };

test('codec: tagged fields are written in tag order and omitted when default', () => {
  assert.equal(encodeHex(Tagged, 0, { id: 1, later: 0, note: '', leader: noLeader }), '00000001' + '00');
  const hex = '00000001' + '02' + '00' + '02' + '0278' + '01' + '04' + '00000005';
  assert.equal(encodeHex(Tagged, 0, { id: 1, later: 5, note: 'x', leader: noLeader }), hex);
  assert.deepEqual(decodeHex(Tagged, 0, hex), { id: 1, later: 5, note: 'x', leader: noLeader });
  const withLeader = encodeHex(Tagged, 0, { id: 1, later: 0, note: '', leader: { leaderId: 3, epoch: -1 } });
  assert.equal(withLeader, '00000001' + '01' + '02' + '09' + '00000003' + 'ffffffff' + '00');
});

test('codec: unknown tags are skipped; out-of-order tags are refused', () => {
  assert.deepEqual(decodeHex(Tagged, 0, '00000001 02 01 04 00000005 07 02 abcd'), {
    id: 1,
    later: 5,
    note: '',
    leader: noLeader,
  });
  assert.throws(() => decodeHex(Tagged, 0, '00000001 02 01 04 00000005 00 01 01'), ProtocolError);
});

test('codec: a non-ignorable field must hold its default in versions without it', () => {
  const Strict = defineMessage<{ a: number; b: number; c: number }>({
    name: 'Strict',
    apiKey: 1002,
    validVersions: '0-1',
    flexibleVersions: 'none',
    fields: [
      { name: 'a', type: 'int32', versions: '0+' },
      { name: 'b', type: 'int32', versions: '1+', default: -1, ignorable: false },
      { name: 'c', type: 'int32', versions: '1+' },
    ],
  });
  assert.equal(encodeHex(Strict, 0, { a: 1, b: -1, c: 9 }), '00000001');
  assert.throws(() => encodeHex(Strict, 0, { a: 1, b: 2, c: 0 }), ProtocolError);
  assert.equal(encodeHex(Strict, 1, { a: 1, b: 2, c: 9 }), '00000001' + '00000002' + '00000009');
});

interface WithRecords {
  records: Records;
}

const recordsSchema: MessageSchema = {
  name: 'WithRecords',
  apiKey: 1003,
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [{ name: 'records', type: 'records', versions: '0+', nullableVersions: '0+' }],
};
const WithRecords = defineMessage<WithRecords>(recordsSchema);

test('codec: records decode as a slice of the frame, without a copy', () => {
  const frame = Buffer.from('00000003aabbcc', 'hex');
  const { records } = WithRecords.decode(new Reader(frame), 0);
  assert.ok(Buffer.isBuffer(records));
  assert.equal(records.buffer, frame.buffer);
  assert.equal(records.byteOffset, frame.byteOffset + 4);
  assert.equal(records.toString('hex'), 'aabbcc');
  assert.equal(WithRecords.decode(new Reader(Buffer.from('ffffffff', 'hex')), 0).records, null);
});

test('codec: records encode from a Buffer list by reference', () => {
  const chunks = [Buffer.alloc(300, 1), Buffer.alloc(200, 2)];
  for (const version of [0, 1]) {
    const w = new Writer();
    WithRecords.encode(w, version, { records: chunks });
    const out = w.chunksOut();
    assert.ok(chunks.every((chunk) => out.includes(chunk)), 'chunks appended by reference');
    const single = new Writer();
    WithRecords.encode(single, version, { records: Buffer.concat(chunks) });
    assert.deepEqual(w.toBuffer(), single.toBuffer());
  }
  assert.equal(encodeHex(WithRecords, 1, { records: [Buffer.from('aabb', 'hex')] }), '03aabb00');
  assert.equal(encodeHex(WithRecords, 1, { records: null }), '0000');
});

test('codec: records that are not nullable refuse null', () => {
  const NotNullable = defineMessage<WithRecords>({ ...recordsSchema, fields: [{ name: 'records', type: 'records', versions: '0+' }] });
  assert.throws(() => encodeHex(NotNullable, 0, { records: null }), ProtocolError);
  assert.throws(() => decodeHex(NotNullable, 0, 'ffffffff'), ProtocolError);
});

test('codec: int64 as numbers, exact below 2^53, Long.MIN/MAX preserved', () => {
  const Long = defineMessage<{ v: number }>({
    name: 'Long',
    apiKey: 1004,
    validVersions: '0',
    flexibleVersions: 'none',
    fields: [{ name: 'v', type: 'int64', versions: '0+' }],
  });
  const cases: [number, string][] = [
    [0, '0000000000000000'],
    [-1, 'ffffffffffffffff'],
    [2 ** 32, '0000000100000000'],
    [-(2 ** 32) - 1, 'fffffffeffffffff'],
    [Number.MAX_SAFE_INTEGER, '001fffffffffffff'],
    [Number.MIN_SAFE_INTEGER, 'ffe0000000000001'],
    [Number(2n ** 63n - 1n), '7fffffffffffffff'],
    [Number(-(2n ** 63n)), '8000000000000000'],
  ];
  for (const [value, hex] of cases) {
    assert.equal(encodeHex(Long, 0, { v: value }), hex, `encode ${value}`);
    assert.equal(decodeHex(Long, 0, hex).v, value, `decode ${hex}`);
  }
  assert.throws(() => encodeHex(Long, 0, { v: 1.5 }), ProtocolError);
});

test('codec: uuids must be 16 bytes', () => {
  const WithId = defineMessage<{ id: Buffer }>({
    name: 'WithId',
    apiKey: 1005,
    validVersions: '0',
    flexibleVersions: 'none',
    fields: [{ name: 'id', type: 'uuid', versions: '0+' }],
  });
  assert.throws(() => encodeHex(WithId, 0, { id: Buffer.alloc(15) }), ProtocolError);
  const id = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
  assert.deepEqual(decodeHex(WithId, 0, encodeHex(WithId, 0, { id })), { id });
});
