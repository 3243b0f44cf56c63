// Test helper: the shared reference data (Kafka 2.4.1 log dir, wire corpus) and
// a minimal by-hand parse of the Produce requests (v0-v8) and Fetch responses
// (v0-v11) in the corpus, enough to pull out their record sets.
import { readFileSync, readdirSync } from 'node:fs';
import { Reader } from '../../../src/protocol/primitives.js';

// From dist/test/protocol/records/*.js up to the directory holding main/ and shared/.
export const SHARED = new URL('../../../../../shared/', import.meta.url);
export const LOGDIR = new URL('reference/kafka-2.4.1-logdir/', SHARED);
const WIRE = new URL('reference/wire-corpus/', SHARED);

export interface Exchange {
  client: string;
  api_key: number;
  api_name: string;
  api_version: number;
  request_hex: string;
  response_hex: string | null;
  note: string;
}

export interface PartitionRecords {
  exchange: Exchange;
  topic: string;
  partition: number;
  records: Buffer;
}

export function exchanges(): Exchange[] {
  return readdirSync(WIRE)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => readFileSync(new URL(f, WIRE), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Exchange));
}

/** Record sets of every Produce request in the corpus (none is flexible: all ≤ v8). */
export function produceRecordSets(): PartitionRecords[] {
  const out: PartitionRecords[] = [];
  for (const ex of exchanges().filter((e) => e.api_key === 0)) {
    const r = new Reader(Buffer.from(ex.request_hex, 'hex'));
    r.int16(); r.int16(); r.int32(); r.nullableString(); // request header v1
    if (ex.api_version >= 3) r.nullableString(); // transactional id
    r.int16(); r.int32(); // acks, timeout
    for (let t = r.int32(); t > 0; t--) {
      const topic = r.string();
      for (let p = r.int32(); p > 0; p--) {
        const partition = r.int32();
        const records = r.nullableBytes();
        if (records) out.push({ exchange: ex, topic, partition, records });
      }
    }
  }
  return out;
}

/** Non-empty record sets of every Fetch response in the corpus (all ≤ v11). */
export function fetchRecordSets(): PartitionRecords[] {
  const out: PartitionRecords[] = [];
  for (const ex of exchanges().filter((e) => e.api_key === 1 && e.response_hex)) {
    const v = ex.api_version;
    const r = new Reader(Buffer.from(ex.response_hex as string, 'hex'));
    r.int32(); // correlation id (response header v0)
    if (v >= 1) r.int32(); // throttle
    if (v >= 7) { r.int16(); r.int32(); } // error, session id
    for (let t = r.int32(); t > 0; t--) {
      const topic = r.string();
      for (let p = r.int32(); p > 0; p--) {
        const partition = r.int32();
        r.int16(); r.int64(); // error, high watermark
        if (v >= 4) {
          r.int64(); // last stable offset
          if (v >= 5) r.int64(); // log start offset
          for (let a = r.int32(); a > 0; a--) { r.int64(); r.int64(); }
        }
        if (v >= 11) r.int32(); // preferred read replica
        const records = r.nullableBytes();
        if (records?.length) out.push({ exchange: ex, topic, partition, records });
      }
    }
  }
  return out;
}

export const describe = (s: PartitionRecords): string => `${s.exchange.client} ${s.exchange.api_name} v${s.exchange.api_version} ${s.topic}-${s.partition}`;
