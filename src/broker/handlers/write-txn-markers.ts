// WriteTxnMarkers (27): a transaction coordinator's COMMIT/ABORT markers for
// partitions this broker leads, written as the local coordinator writes its
// own; errors per producer id and partition.
import { partitionKey } from '../../coordinator/transaction/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { WriteTxnMarkersRequest, WriteTxnMarkersResponse } from '../../protocol/messages/write-txn-markers.js';
import type { RequestContext } from '../router.js';
import { LocalTxnMarkerWriter } from '../txn-markers.js';

type MarkerResult = WriteTxnMarkersResponse['markers'][number];

export async function handleWriteTxnMarkers(ctx: RequestContext, req: WriteTxnMarkersRequest): Promise<WriteTxnMarkersResponse> {
  const writer = new LocalTxnMarkerWriter(ctx.broker);
  // Kafka gathers the errors by producer id: two markers of one producer share an entry.
  const byProducer = new Map<number, Map<string, { partitionIndex: number; errorCode: number }[]>>();
  for (const m of req.markers) {
    const partitions = m.topics.flatMap((t) => t.partitionIndexes.map((partition) => ({ topic: t.name, partition })));
    const errors = await writer.write({
      producerId: m.producerId, producerEpoch: m.producerEpoch, coordinatorEpoch: m.coordinatorEpoch, commit: m.transactionResult, partitions,
    });
    let topics = byProducer.get(m.producerId);
    if (!topics) byProducer.set(m.producerId, (topics = new Map()));
    for (const { topic, partition } of partitions) {
      let results = topics.get(topic);
      if (!results) topics.set(topic, (results = []));
      results.push({ partitionIndex: partition, errorCode: errors.get(partitionKey({ topic, partition })) ?? ErrorCode.UNKNOWN_SERVER_ERROR });
    }
  }
  const markers: MarkerResult[] = [...byProducer].map(([producerId, topics]) => ({
    producerId,
    topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
  }));
  return { markers };
}
