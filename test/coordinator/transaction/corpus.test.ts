// Kafka's answers to real clients' transaction requests (shared/reference/
// wire-corpus, Kafka 2.4.1 with the Java client, librdkafka, KafkaJS and
// sarama): each request goes through Samsa's handler and coordinator in the
// state it found Kafka in, and the answer must equal Kafka's field by field,
// except the producer id a fresh producer is given.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { RequestContext } from '../../../src/broker/router.js';
import { HANDLERS } from '../../../src/broker/handlers/index.js';
import { offsetsPartitionFor } from '../../../src/coordinator/group/partition-for.js';
import { ApiKey } from '../../../src/protocol/api-keys.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { decodeRequestHeader, decodeResponseHeader } from '../../../src/protocol/header.js';
import { apiMessages } from '../../../src/protocol/messages/index.js';
import { Reader, Writer } from '../../../src/protocol/primitives.js';
import { type Harness, initTxn, openHarness } from './harness.js';

const corpusDir = new URL('../../../../../shared/reference/wire-corpus/', import.meta.url);
const FILES = ['java-kafka-clients', 'kcat', 'confluent-kafka-python', 'kafkajs', 'sarama-V2_0_0_0', 'broker-internal'];
const APIS = new Set<number>([ApiKey.InitProducerId, ApiKey.AddPartitionsToTxn, ApiKey.AddOffsetsToTxn, ApiKey.EndTxn, ApiKey.WriteTxnMarkers]);
/** The corpus broker's offsets.topic.num.partitions: AddOffsetsToTxn names the group's partition by it. */
const CORPUS_OFFSETS_PARTITIONS = 4;

interface Exchange {
  client: string;
  apiKey: number;
  version: number;
  note: string;
  request: Record<string, unknown>;
  response: Record<string, unknown>;
}

function decodeExchanges(file: string): Exchange[] {
  return readFileSync(new URL(`${file}.jsonl`, corpusDir), 'utf8').split('\n').filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { api_key: number; api_version: number; note: string; request_hex: string; response_hex: string | null })
    .filter((e) => APIS.has(e.api_key) && e.response_hex !== null)
    .map((e) => {
      const api = apiMessages.get(e.api_key)!;
      const req = new Reader(Buffer.from(e.request_hex, 'hex'));
      decodeRequestHeader(req);
      const resp = new Reader(Buffer.from(e.response_hex!, 'hex'));
      decodeResponseHeader(resp, e.api_key, e.api_version);
      return {
        client: file, apiKey: e.api_key, version: e.api_version, note: e.note,
        request: api.request.decode(req, e.api_version) as Record<string, unknown>,
        response: api.response.decode(resp, e.api_version) as Record<string, unknown>,
      };
    });
}

/** The transaction, producer id and epoch a request names, whatever its API and version. */
function named(e: Exchange): { transactionalId: string | null; producerId: number; producerEpoch: number } {
  const r = e.request;
  if (e.apiKey === ApiKey.AddPartitionsToTxn) {
    return { transactionalId: r.v3AndBelowTransactionalId as string, producerId: r.v3AndBelowProducerId as number, producerEpoch: r.v3AndBelowProducerEpoch as number };
  }
  return { transactionalId: r.transactionalId as string | null, producerId: r.producerId as number, producerEpoch: r.producerEpoch as number };
}

/** The same request with our producer id and epoch in place of Kafka's. */
function withProducer(e: Exchange, producerId: number, producerEpoch: number): Record<string, unknown> {
  if (e.apiKey === ApiKey.AddPartitionsToTxn) return { ...e.request, v3AndBelowProducerId: producerId, v3AndBelowProducerEpoch: producerEpoch };
  return { ...e.request, producerId, producerEpoch };
}

/** Topics the corpus requests name: they exist in the harness. */
function topicsOf(exchanges: readonly Exchange[]): string[] {
  const topics = new Set<string>();
  for (const e of exchanges) {
    if (e.apiKey === ApiKey.AddPartitionsToTxn) for (const t of e.request.v3AndBelowTopics as { name: string }[]) topics.add(t.name);
    if (e.apiKey === ApiKey.WriteTxnMarkers) {
      for (const m of e.request.markers as { topics: { name: string }[] }[]) for (const t of m.topics) topics.add(t.name);
    }
  }
  return [...topics];
}

/** A broker as the handlers see it: the harness's coordinator and logs, metadata for its topics. */
function context(h: Harness, topics: readonly string[], version: number): RequestContext {
  const broker = {
    transactions: h.coordinator,
    logs: h.logs,
    replicas: {
      leaderLog: (t: string, p: number) => h.logs.getLog(t, p) ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      leaderEpoch: () => 0,
      afterLeaderAppend: () => {},
    },
    delayedProduces: { await: () => ErrorCode.NONE },
    config: { int: () => 30_000 },
    groups: {
      partitionFor: (groupId: string) => offsetsPartitionFor(groupId, CORPUS_OFFSETS_PARTITIONS),
      completeTransactionalOffsets: () => {},
    },
    log: { error: (m: string) => { throw new Error(m); } },
    metadata: { topic: (name: string) => (topics.includes(name) ? { partitions: [{}, {}] } : undefined) },
  };
  return { version, broker } as unknown as RequestContext;
}

/** Puts the coordinator where Kafka was when it gave this answer; returns our producer id and epoch for the request. */
async function arrange(h: Harness, e: Exchange): Promise<{ producerId: number; producerEpoch: number }> {
  const { transactionalId } = named(e);
  if (e.apiKey === ApiKey.InitProducerId || e.apiKey === ApiKey.WriteTxnMarkers || transactionalId === null) return named(e);
  const { producerId, producerEpoch } = initTxn(h, transactionalId);
  const expected = JSON.stringify(e.response);
  if (e.apiKey === ApiKey.EndTxn) {
    h.coordinator.addPartitionsToTransaction(transactionalId, producerId, producerEpoch, [{ topic: topicsOf([e])[0] ?? 'corpus', partition: 0 }]);
  } else if (expected.includes(`"partitionErrorCode":${ErrorCode.CONCURRENT_TRANSACTIONS}`)) {
    // Kafka was still writing the markers of the transaction just committed.
    h.coordinator.addPartitionsToTransaction(transactionalId, producerId, producerEpoch, [{ topic: 'corpus', partition: 0 }]);
    h.markers.held = true;
    assert.equal(h.coordinator.endTxn(transactionalId, producerId, producerEpoch, true), ErrorCode.NONE);
  }
  return { producerId, producerEpoch };
}

/** Encodes and decodes our answer, so that both sides carry the same defaults. */
function normalized(apiKey: number, version: number, body: unknown): Record<string, unknown> {
  const codec = apiMessages.get(apiKey)!.response;
  const w = new Writer();
  codec.encode(w, version, body);
  return codec.decode(new Reader(w.toBuffer()), version) as Record<string, unknown>;
}

for (const file of FILES) {
  const exchanges = decodeExchanges(file);
  test(`wire corpus ${file}: Samsa answers the transaction requests as Kafka did`, async (t) => {
    for (const e of exchanges) {
      await t.test(`${apiMessages.get(e.apiKey)!.name} v${e.version}: ${e.note.slice(0, 70)}`, async () => {
        const topics = [...topicsOf(exchanges), 'corpus'];
        const h = await openHarness({}, { topics });
        try {
          const { producerId, producerEpoch } = await arrange(h, e);
          const handler = HANDLERS.get(e.apiKey)!;
          const ours = normalized(e.apiKey, e.version, await handler(context(h, topics, e.version), withProducer(e, producerId, producerEpoch)));
          // A fresh producer's id is whatever the broker's id block gives; everything else must match.
          const kafka = e.apiKey === ApiKey.InitProducerId ? { ...e.response, producerId: ours.producerId } : e.response;
          assert.deepEqual(ours, kafka);
        } finally {
          await h.markers.release();
          await h.close();
        }
      });
    }
  });
}
