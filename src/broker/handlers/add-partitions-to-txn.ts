// AddPartitionsToTxn (24): adds partitions to a producer's transaction. v0-3
// come from clients and carry one transaction; v4+ come from brokers and batch
// several, each either adding or only verifying (verify_only). A partition
// that does not exist, or an internal topic from a client, fails the whole
// transaction's request: the others get OPERATION_NOT_ATTEMPTED, as in Kafka.
import { INTERNAL_TOPICS } from '../../cluster/topic-names.js';
import { type MaybePromise, andThen } from '../../coordinator/completion.js';
import { type TopicPartition, partitionKey } from '../../coordinator/transaction/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import type {
  AddPartitionsToTxnRequest, AddPartitionsToTxnResponse, AddPartitionsToTxnTopic, AddPartitionsToTxnTopicResult,
} from '../../protocol/messages/add-partitions-to-txn.js';
import type { BrokerContext } from '../context.js';
import type { RequestContext } from '../router.js';
import { fencedErrorFor } from './producer-fenced.js';

/** The first version sent by brokers rather than clients. */
const BROKER_VERSION = 4;

interface Transaction {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  verifyOnly: boolean;
  topics: AddPartitionsToTxnTopic[];
}

export async function handleAddPartitionsToTxn(ctx: RequestContext, req: AddPartitionsToTxnRequest): Promise<AddPartitionsToTxnResponse> {
  const { version, broker } = ctx;
  if (version < BROKER_VERSION) {
    const txn: Transaction = {
      transactionalId: req.v3AndBelowTransactionalId,
      producerId: req.v3AndBelowProducerId,
      producerEpoch: req.v3AndBelowProducerEpoch,
      verifyOnly: false,
      topics: req.v3AndBelowTopics,
    };
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction: [], resultsByTopicV3AndBelow: await addPartitions(broker, txn, version) };
  }
  const resultsByTransaction = await Promise.all(req.transactions.map(async (txn) => (
    { transactionalId: txn.transactionalId, topicResults: await addPartitions(broker, txn, version) })));
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction, resultsByTopicV3AndBelow: [] };
}

function addPartitions(broker: BrokerContext, txn: Transaction, version: number): MaybePromise<AddPartitionsToTxnTopicResult[]> {
  const partitions = uniquePartitions(txn.topics);
  const refused = new Map<string, number>();
  for (const tp of partitions) {
    // Clients may not add internal topics (Kafka's authorization skips them); brokers may.
    if (version < BROKER_VERSION && INTERNAL_TOPICS.has(tp.topic)) refused.set(partitionKey(tp), ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    else if (broker.metadata.topic(tp.topic)?.partitions[tp.partition] === undefined) refused.set(partitionKey(tp), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  }
  if (refused.size > 0) return resultsByTopic(partitions, (tp) => refused.get(partitionKey(tp)) ?? ErrorCode.OPERATION_NOT_ATTEMPTED);
  const { transactions } = broker;
  if (txn.verifyOnly) {
    const verified = transactions.verifyPartitionsInTransaction(txn.transactionalId, txn.producerId, txn.producerEpoch, partitions);
    return resultsByTopic(partitions, (tp) => (typeof verified === 'number' ? verified : verified.get(partitionKey(tp)) ?? ErrorCode.NONE));
  }
  const added = transactions.addPartitionsToTransaction(txn.transactionalId, txn.producerId, txn.producerEpoch, partitions);
  return andThen(added, (error) => resultsByTopic(partitions, () => fencedErrorFor(error, version, 2)));
}

/** The request's partitions, each once, in request order. */
function uniquePartitions(topics: readonly AddPartitionsToTxnTopic[]): TopicPartition[] {
  const seen = new Map<string, TopicPartition>();
  for (const t of topics) for (const partition of t.partitions) seen.set(partitionKey({ topic: t.name, partition }), { topic: t.name, partition });
  return [...seen.values()];
}

function resultsByTopic(partitions: readonly TopicPartition[], errorFor: (tp: TopicPartition) => number): AddPartitionsToTxnTopicResult[] {
  const byTopic = new Map<string, AddPartitionsToTxnTopicResult>();
  for (const tp of partitions) {
    let result = byTopic.get(tp.topic);
    if (!result) byTopic.set(tp.topic, (result = { name: tp.topic, resultsByPartition: [] }));
    result.resultsByPartition.push({ partitionIndex: tp.partition, partitionErrorCode: errorFor(tp) });
  }
  return [...byTopic.values()];
}
