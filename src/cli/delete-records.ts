// `samsa delete-records`: Kafka's kafka-delete-records (DeleteRecordsCommand):
// moves partitions' log start offsets up to the offsets of a JSON file
// ({"partitions":[{"topic":"t","partition":0,"offset":3}],"version":1}; -1 = the high watermark).
import { readFile } from 'node:fs/promises';
import { KafkaError } from '../client/errors.js';
import type { TopicPartitionOffset } from '../client/types.js';
import { defineCommand, UsageError } from './args.js';
import { BOOTSTRAP_SERVER_OPTION, COMMAND_CONFIG_OPTION, withAdmin } from './client-options.js';
import type { Command } from './command.js';
import { OUTPUT_OPTION, outputFormat, writeJson, writeLines } from './output.js';

const spec = defineCommand({
  name: 'delete-records',
  summary: 'Delete the records of partitions below given offsets (Kafka\'s kafka-delete-records).',
  options: [
    { ...BOOTSTRAP_SERVER_OPTION, valueName: 'String: server(s) to use for bootstrapping', describe: 'REQUIRED: The server to connect to.' },
    {
      name: 'offset-json-file', kind: 'string', valueName: 'String: Offset json file path',
      describe: 'REQUIRED: The JSON file with offset per partition. The format to use is: {"partitions": [{"topic": "foo", "partition": 1, "offset": 1}], "version":1}',
    },
    { ...COMMAND_CONFIG_OPTION, valueName: 'String: command config property file path', describe: 'A property file containing configs to be passed to Admin Client.' },
    OUTPUT_OPTION,
  ],
});

/** The offsets of an offset JSON file (version 1, the only one), refusing a partition named twice as Kafka does. */
export function parseOffsetJson(text: string): TopicPartitionOffset[] {
  let js: unknown;
  try {
    js = JSON.parse(text);
  } catch {
    throw new Error('The input string is not a valid JSON');
  }
  if (typeof js !== 'object' || js === null || Array.isArray(js)) throw new Error('The input string is not a valid JSON object');
  const { version = 1, partitions } = js as { version?: unknown; partitions?: unknown };
  if (version !== 1) throw new Error(`Not supported version field value ${String(version)}`);
  if (partitions === undefined) throw new Error('Missing partitions field');
  if (!Array.isArray(partitions)) throw new Error('Expected JSON array for the partitions field');
  const offsets = partitions.map((p: Record<string, unknown>) => ({
    topic: field(p, 'topic', (v) => typeof v === 'string', 'a string') as string,
    partition: field(p, 'partition', (v) => Number.isInteger(v) && (v as number) >= -(2 ** 31) && (v as number) < 2 ** 31, 'an int') as number,
    offset: field(p, 'offset', Number.isSafeInteger, 'a long') as number,
  }));
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const o of offsets) {
    const name = `${o.topic}-${o.partition}`;
    if (seen.has(name)) duplicates.add(name);
    seen.add(name);
  }
  if (duplicates.size > 0) throw new Error(`Offset json file contains duplicate topic partitions: ${[...duplicates].join(',')}`);
  return offsets;
}

function field(entry: Record<string, unknown>, name: string, valid: (v: unknown) => boolean, type: string): unknown {
  if (typeof entry !== 'object' || entry === null || !(name in entry)) throw new Error(`No such field exists: \`${name}\``);
  if (!valid(entry[name])) throw new Error(`Expected ${type} for the ${name} field, got ${JSON.stringify(entry[name])}`);
  return entry[name];
}

export const command: Command = {
  spec,
  async run(args, io) {
    for (const required of ['bootstrap-server', 'offset-json-file']) {
      if (!args.has(required)) throw new UsageError(`Missing required argument "[${required}]"`);
    }
    const json = outputFormat(args) === 'json';
    const file = args.string('offset-json-file')!;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new Error(`cannot read the offset JSON file '${file}': ${(e as Error).message}`, { cause: e });
    }
    const offsets = parseOffsetJson(text);
    return withAdmin(args, async (admin) => {
      if (!json) writeLines(io, ['Executing records delete operation']);
      // One request per partition, so that each partition reports its own result or error.
      const results = await Promise.all(offsets.map((o) => admin.deleteRecords([o]).then(
        ([r]) => ({ topic: o.topic, partition: o.partition, lowWatermark: r.lowWatermark, error: null }),
        (e: unknown) => {
          if (!(e instanceof KafkaError)) throw e;
          return { topic: o.topic, partition: o.partition, lowWatermark: null, error: e.message };
        },
      )));
      if (json) {
        writeJson(io, results);
      } else {
        writeLines(io, ['Records delete operation completed:', ...results.map((r) => (r.error === null
          ? `partition: ${r.topic}-${r.partition}\tlow_watermark: ${r.lowWatermark}`
          : `partition: ${r.topic}-${r.partition}\terror: ${r.error}`))]);
      }
      return results.some((r) => r.error !== null) ? 1 : 0;
    });
  },
};
