// `transactions find-hanging`: open transactions on partitions (of --topic
// [--partition], or of every partition --broker-id holds) that have run
// longer than --max-transaction-timeout and that their coordinator does not
// know about: their markers will never come without an abort.
import type { ProducerState } from '../../client/admin.js';
import { KafkaError } from '../../client/errors.js';
import { partitionKey, type TopicPartition } from '../../client/types.js';
import { ErrorCode } from '../../protocol/errors.js';
import { failedBecause, printTable, TxnCommandError, type TxnContext } from './context.js';

/** Partitions per DescribeProducers request, as Kafka batches them. */
const MAX_BATCH_SIZE = 500;

interface OpenTransaction {
  partition: TopicPartition;
  producer: ProducerState;
}

export async function findHanging(ctx: TxnContext): Promise<void> {
  const { args } = ctx;
  const brokerId = args.int('broker-id');
  if (!args.has('topic') && brokerId === undefined) {
    throw new TxnCommandError('The `find-hanging` command requires either --topic or --broker-id to limit the scope of the search');
  }
  if (args.has('partition') && !args.has('topic')) throw new TxnCommandError('The --partition argument requires --topic to be provided');
  const maxTimeoutMs = args.int('max-transaction-timeout')! * 60_000;
  const partitions = await partitionsToSearch(ctx, brokerId);
  const candidates = await openTransactions(ctx, partitions, brokerId, maxTimeoutMs);
  const hanging = candidates.length === 0 ? [] : await unknownToCoordinators(ctx, candidates);
  const now = Date.now();
  printTable(ctx, ['Topic', 'Partition', 'ProducerId', 'ProducerEpoch', 'CoordinatorEpoch', 'StartOffset', 'LastTimestamp', 'Duration(min)'],
    hanging.map(({ partition, producer }) => [
      partition.topic, String(partition.partition), String(producer.producerId), String(producer.producerEpoch), String(producer.coordinatorEpoch),
      String(producer.currentTransactionStartOffset), String(producer.lastTimestamp), String(Math.floor((now - producer.lastTimestamp) / 60_000)),
    ]));
}

/** --topic --partition, else the partitions of --topic (or of every topic) that have a replica on --broker-id if given. */
async function partitionsToSearch(ctx: TxnContext, brokerId: number | undefined): Promise<TopicPartition[]> {
  const topic = ctx.args.string('topic');
  if (topic !== undefined && ctx.args.has('partition')) return [{ topic, partition: ctx.args.int('partition')! }];
  let topics: string[];
  try {
    topics = topic !== undefined ? [topic] : await ctx.admin.listTopics({ includeInternal: true });
  } catch (e) {
    throw failedBecause('Failed to list topics', e);
  }
  try {
    const described = topics.length === 0 ? [] : await ctx.admin.describeTopics(topics);
    return described.flatMap((d) => d.partitions
      .filter((p) => brokerId === undefined || p.replicas.includes(brokerId))
      .map((p) => ({ topic: d.name, partition: p.partition })));
  } catch (e) {
    throw failedBecause(`Failed to describe ${topics.length} topics`, e);
  }
}

/** Producers with a transaction open on a partition for longer than the longest transaction timeout allows. */
async function openTransactions(ctx: TxnContext, partitions: TopicPartition[], brokerId: number | undefined, maxTimeoutMs: number): Promise<OpenTransaction[]> {
  const open: OpenTransaction[] = [];
  for (let i = 0; i < partitions.length; i += MAX_BATCH_SIZE) {
    const batch = partitions.slice(i, i + MAX_BATCH_SIZE);
    let described;
    try {
      described = await ctx.admin.describeProducers(batch, { brokerId });
    } catch (e) {
      throw failedBecause(`Failed to describe producers for ${batch.length} partitions on ${brokerId === undefined ? 'their leaders' : `broker ${brokerId}`}`, e);
    }
    const now = Date.now();
    for (const { producers, ...partition } of described) {
      for (const producer of producers) {
        if (producer.currentTransactionStartOffset >= 0 && now - producer.lastTimestamp > maxTimeoutMs) open.push({ partition, producer });
      }
    }
  }
  return open;
}

/**
 * The open transactions whose producer id has no transactional id, whose transactional id is gone,
 * or whose coordinator does not list the partition (so it will never write the partition's marker).
 */
async function unknownToCoordinators(ctx: TxnContext, candidates: OpenTransaction[]): Promise<OpenTransaction[]> {
  const producerIds = [...new Set(candidates.map((c) => c.producer.producerId))];
  let transactionalIds: Map<number, string>;
  try {
    const listings = await ctx.admin.listTransactions({ producerIds });
    transactionalIds = new Map(listings.filter((l) => producerIds.includes(l.producerId)).map((l) => [l.producerId, l.transactionalId]));
  } catch (e) {
    throw failedBecause(`Failed to list transactions for ${producerIds.length} producers`, e);
  }
  const coordinatorKnows = new Map<string, Set<string> | null>();
  for (const id of new Set(transactionalIds.values())) {
    try {
      const [d] = await ctx.admin.describeTransactions([id]);
      coordinatorKnows.set(id, new Set(d.partitions.map((p) => partitionKey(p.topic, p.partition))));
    } catch (e) {
      if (!(e instanceof KafkaError) || e.code !== ErrorCode.TRANSACTIONAL_ID_NOT_FOUND) throw failedBecause(`Failed to describe ${transactionalIds.size} transactions`, e);
      coordinatorKnows.set(id, null);
    }
  }
  return candidates.filter(({ partition, producer }) => {
    const id = transactionalIds.get(producer.producerId);
    const known = id === undefined ? null : coordinatorKnows.get(id);
    return !known || !known.has(partitionKey(partition.topic, partition.partition));
  });
}
