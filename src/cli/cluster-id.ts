// `samsa cluster-id`: Kafka's `kafka-cluster cluster-id` (ClusterTool) — the
// cluster id from DescribeCluster (or Metadata from older brokers).
import { defineCommand } from './args.js';
import { BOOTSTRAP_SERVER_OPTION, COMMAND_CONFIG_OPTION, withAdmin } from './client-options.js';
import type { Command } from './command.js';
import { OUTPUT_OPTION, outputFormat, writeJson } from './output.js';

const spec = defineCommand({
  name: 'cluster-id',
  summary: 'Print the ID of the cluster (Kafka\'s kafka-cluster cluster-id).',
  options: [
    { ...BOOTSTRAP_SERVER_OPTION, describe: 'A list of host/port pairs to use for establishing the connection to the Kafka cluster.' },
    { name: 'config', kind: 'string', valueName: 'String: file', describe: 'A property file containing configurations for the Admin client (Kafka\'s name for --command-config here).' },
    COMMAND_CONFIG_OPTION,
    OUTPUT_OPTION,
  ],
});

export const command: Command = {
  spec,
  async run(args, io) {
    const format = outputFormat(args);
    const { clusterId } = await withAdmin(args, (admin) => admin.describeCluster(), {}, { files: ['config', 'command-config'] });
    if (format === 'json') writeJson(io, { clusterId });
    else io.stdout.write(clusterId !== null ? `Cluster ID: ${clusterId}\n` : 'No cluster ID found. The Kafka version is probably too old.\n');
    return 0;
  },
};
