// DescribeProducers (61): the active idempotent and transactional producers of
// each partition (its producer state), as the partition leader knows them.
import { topicNameProblem } from '../../cluster/topic-names.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { DescribeProducersRequest, DescribeProducersResponse } from '../../protocol/messages/describe-producers.js';
import type { RequestContext } from '../router.js';

type PartitionResponse = DescribeProducersResponse['topics'][number]['partitions'][number];

export function handleDescribeProducers(ctx: RequestContext, req: DescribeProducersRequest): DescribeProducersResponse {
  const { metadata, logs } = ctx.broker;
  const topics = req.topics.map(({ name, partitionIndexes }) => {
    const nameProblem = topicNameProblem(name);
    const topicError: [number, string | null] | null = nameProblem !== undefined
      ? [ErrorCode.INVALID_TOPIC_EXCEPTION, nameProblem]
      : metadata.topic(name) === undefined ? [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null] : null;
    const partitions = partitionIndexes.map((partitionIndex): PartitionResponse => {
      const failed = (errorCode: number, errorMessage: string | null = null): PartitionResponse => ({ partitionIndex, errorCode, errorMessage, activeProducers: [] });
      if (topicError) return failed(...topicError);
      if (metadata.topic(name)?.partitions[partitionIndex] === undefined) return failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      const log = logs.getLog(name, partitionIndex);
      if (!log) return failed(ErrorCode.NOT_LEADER_OR_FOLLOWER);
      return { partitionIndex, errorCode: ErrorCode.NONE, errorMessage: null, activeProducers: log.activeProducers() };
    });
    return { name, partitions };
  });
  return { throttleTimeMs: 0, topics };
}
