// `samsa get-offsets`: Kafka's kafka-get-offsets (GetOffsetShell): the offset
// of every matching partition at a point in time, printed `topic:partition:offset`.
import type { Admin, OffsetSpec } from '../client/admin.js';
import type { TopicPartition } from '../client/types.js';
import { defineCommand, UsageError } from './args.js';
import { BOOTSTRAP_SERVER_OPTION, COMMAND_CONFIG_OPTION, withAdmin } from './client-options.js';
import type { Command } from './command.js';
import { OUTPUT_OPTION, outputFormat, writeJson, writeLines } from './output.js';

const TOPIC_PARTITION_PATTERN = /^([^:,]*)(?::(?:([0-9]*)|(?:([0-9]*)-([0-9]*))))?$/;

const spec = defineCommand({
  name: 'get-offsets',
  summary: 'Print partitions\' offsets at a point in time (Kafka\'s kafka-get-offsets).',
  options: [
    { ...BOOTSTRAP_SERVER_OPTION, valueName: 'String: HOST1:PORT1,...,HOST3:PORT3', describe: 'REQUIRED. The server(s) to connect to in the form HOST1:PORT1,HOST2:PORT2.' },
    {
      name: 'topic-partitions', kind: 'string', valueName: 'String: topic1:1,topic2:0-3,topic3,topic4:5-,topic5:-3',
      describe: 'Comma separated list of topic-partition patterns: a topic regex (any topic if omitted), then after \':\' a partition number, '
        + 'a range NUMBER-NUMBER (upper exclusive), NUMBER- or -NUMBER, or nothing for all partitions.',
    },
    { name: 'topic', kind: 'string', valueName: 'String: topic', describe: 'The topic to get the offsets for. It also accepts a regular expression. If not present, all topics are queried. Cannot be used with --topic-partitions.' },
    { name: 'partitions', kind: 'string', valueName: 'String: partition ids', describe: 'Comma separated list of partition ids to get the offsets for. If not present, all partitions are queried. Cannot be used with --topic-partitions.' },
    {
      name: 'time', kind: 'string', default: 'latest', valueName: 'String: <timestamp> / -1 or latest / -2 or earliest / -3 or max-timestamp / -4 or earliest-local / -5 or latest-tiered',
      describe: 'timestamp of the offsets before that. [Note: No offset is returned, if the timestamp greater than recently committed record timestamp is given.]',
    },
    { ...COMMAND_CONFIG_OPTION, describe: 'Property file containing configs to be passed to Admin Client.' },
    { name: 'exclude-internal-topics', kind: 'flag', describe: 'By default, internal topics are included. If specified, internal topics are excluded.' },
    OUTPUT_OPTION,
  ],
});

/** A failure GetOffsetShell reports as `Error occurred: <message>` (its TerseException). */
class TerseError extends Error {}

/** Which topics and partitions to ask about. */
interface Filter {
  topicAllowed(topic: string): boolean;
  partitionAllowed(tp: TopicPartition): boolean;
}

/** ListOffsets' special timestamps by name and number; any other number is a timestamp. */
const NAMED_TIMES: Record<string, OffsetSpec['at']> = {
  latest: 'latest', '-1': 'latest', earliest: 'earliest', '-2': 'earliest',
  'max-timestamp': -3, '-3': -3, 'earliest-local': -4, '-4': -4, 'latest-tiered': -5, '-5': -5,
};

function parseTime(text: string): OffsetSpec['at'] {
  if (text in NAMED_TIMES) return NAMED_TIMES[text];
  if (!/^[+-]?\d+$/.test(text)) {
    throw new TerseError(`Malformed time argument ${text}. Please use -1 or latest / -2 or earliest / -3 or max-timestamp / -4 or earliest-local / -5 or latest-tiered, or a specified long format timestamp`);
  }
  return Number(text);
}

/** Kafka's TopicFilter.IncludeList: a regex matching the whole name, ',' meaning '|', quotes and spaces dropped. */
function topicRegex(raw: string): RegExp {
  const regex = raw.trim().replaceAll(',', '|').replaceAll(' ', '').replace(/^["']+/, '').replace(/["']+$/, '');
  try {
    return new RegExp(`^(?:${regex})$`);
  } catch {
    throw new TerseError(`${regex} is an invalid regex.`);
  }
}

function patternListFilter(list: string): Filter {
  const rules = list.split(',').map((ruleSpec) => {
    const m = TOPIC_PARTITION_PATTERN.exec(ruleSpec);
    if (!m) throw new TerseError(`Invalid rule specification: ${ruleSpec}`);
    const topic = topicRegex(m[1] || '.*');
    let partitionAllowed: (p: number) => boolean;
    if (m[2]) {
      const only = Number(m[2]);
      partitionAllowed = (p) => p === only;
    } else {
      const lower = m[3] ? Number(m[3]) : 0;
      const upper = m[4] ? Number(m[4]) : Number.MAX_SAFE_INTEGER;
      partitionAllowed = (p) => p >= lower && p < upper;
    }
    return { topic, partitionAllowed };
  });
  return {
    topicAllowed: (t) => rules.some((r) => r.topic.test(t)),
    partitionAllowed: (tp) => rules.some((r) => r.topic.test(tp.topic) && r.partitionAllowed(tp.partition)),
  };
}

function topicAndPartitionsFilter(topic: string | undefined, partitions: string | undefined): Filter {
  const regex = topicRegex(topic ?? '.*');
  let ids: Set<number> | null = null;
  if (partitions) {
    const parts = partitions.split(',');
    if (parts.some((p) => !/^[+-]?\d+$/.test(p))) {
      throw new TerseError(`--partitions expects a comma separated list of numeric partition ids, but received: ${partitions}`);
    }
    ids = new Set(parts.map(Number));
  }
  return { topicAllowed: (t) => regex.test(t), partitionAllowed: (tp) => regex.test(tp.topic) && (ids === null || ids.has(tp.partition)) };
}

async function fetchOffsets(admin: Admin, filter: Filter, at: OffsetSpec['at'], excludeInternal: boolean): Promise<{ topic: string; partition: number; offset: number }[]> {
  const topics = (await admin.listTopics({ includeInternal: !excludeInternal })).filter((t) => filter.topicAllowed(t));
  const partitions = topics.length === 0 ? [] : (await admin.describeTopics(topics))
    .flatMap((d) => d.partitions.map((p) => ({ topic: d.name, partition: p.partition })))
    .filter((tp) => filter.partitionAllowed(tp));
  if (partitions.length === 0) throw new TerseError('Could not match any topic-partitions with the specified filters');
  const offsets = await admin.listOffsets(partitions.map((p) => ({ ...p, at })));
  // Kafka sorts by TopicPartition.toString(), so t-10 comes before t-2; partitions without an answer are left out.
  return offsets
    .filter((o) => o.offset !== -1)
    .map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset }))
    .sort((a, b) => {
      const x = `${a.topic}-${a.partition}`;
      const y = `${b.topic}-${b.partition}`;
      return x < y ? -1 : x > y ? 1 : 0;
    });
}

export const command: Command = {
  spec,
  async run(args, io) {
    const bootstrap = args.string('bootstrap-server');
    if (bootstrap === undefined) throw new UsageError('Missing required argument "[bootstrap-server]"');
    if (bootstrap.split(',').some((hp) => !/^.+:\d+$/.test(hp.trim()))) throw new UsageError('Please provide valid host:port like host1:9091,host2:9092');
    const json = outputFormat(args) === 'json';
    try {
      if (args.has('topic-partitions') && (args.has('topic') || args.has('partitions'))) {
        throw new TerseError('--topic-partitions cannot be used with --topic or --partitions');
      }
      const at = parseTime(args.string('time')!);
      const filter = args.has('topic-partitions') ? patternListFilter(args.string('topic-partitions')!) : topicAndPartitionsFilter(args.string('topic'), args.string('partitions'));
      const offsets = await withAdmin(args, (admin) => fetchOffsets(admin, filter, at, args.has('exclude-internal-topics')), { clientId: 'GetOffsetShell' });
      if (json) writeJson(io, offsets);
      else writeLines(io, offsets.map((o) => `${o.topic}:${o.partition}:${o.offset}`));
      return 0;
    } catch (e) {
      if (!(e instanceof TerseError)) throw e;
      io.stderr.write(`Error occurred: ${e.message}\n`);
      return 1;
    }
  },
};
