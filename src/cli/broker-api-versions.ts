// `samsa broker-api-versions`: Kafka's kafka-broker-api-versions — each
// broker's ApiVersions answer, one line per API with the version this client
// would use, in NodeApiVersions.toString(true)'s shape.
import type { BrokerApiVersions } from '../client/admin.js';
import { clientVersionRange } from '../client/connection.js';
import { apiKeyName } from '../protocol/api-keys.js';
import { apiMessages } from '../protocol/messages/index.js';
import { defineCommand } from './args.js';
import { BOOTSTRAP_SERVER_OPTION, COMMAND_CONFIG_OPTION, withAdmin } from './client-options.js';
import type { Command } from './command.js';
import { OUTPUT_OPTION, outputFormat, writeJson } from './output.js';

const spec = defineCommand({
  name: 'broker-api-versions',
  summary: 'Print the API versions each broker supports (Kafka\'s kafka-broker-api-versions).',
  options: [
    { ...BOOTSTRAP_SERVER_OPTION, describe: 'REQUIRED: The server to connect to.' },
    { ...COMMAND_CONFIG_OPTION, describe: 'A property file containing configs to be passed to Admin Client.' },
    OUTPUT_OPTION,
  ],
});

type Api = NonNullable<BrokerApiVersions['apis']>[number];

/** `Produce(0): 0 to 11 [usable: 11]`, as NodeApiVersions.apiVersionToText. */
function apiText(api: Api): string {
  const name = apiKeyName(api.apiKey);
  const range = api.minVersion === api.maxVersion ? `${api.minVersion}` : `${api.minVersion} to ${api.maxVersion}`;
  const head = `${name ?? 'UNKNOWN'}(${api.apiKey}): ${range}`;
  const client = clientVersionRange(api.apiKey);
  // Kafka adds the bracket for every API its client knows; an API this client has no codec for gets none.
  if (!name || !client) return head;
  if (api.usable !== null) return `${head} [usable: ${api.usable}]`;
  return `${head} [unusable: ${client.maxVersion < api.minVersion ? 'node too new' : 'node too old'}]`;
}

/** One broker's block: `host:port (id: N rack: r) -> (` then the APIs, and those the client speaks but the broker lacks as UNSUPPORTED. */
function brokerText(b: BrokerApiVersions): string {
  const node = `${b.broker.host}:${b.broker.port} (id: ${b.broker.nodeId} rack: ${b.broker.rack ?? 'null'})`;
  if (!b.apis) return `${node} -> ERROR: ${b.error}\n`;
  const lines = new Map(b.apis.map((a) => [a.apiKey, apiText(a)]));
  for (const key of apiMessages.keys()) {
    if (!lines.has(key)) lines.set(key, `${apiKeyName(key) ?? 'UNKNOWN'}(${key}): UNSUPPORTED`);
  }
  const sorted = [...lines].sort(([a], [b2]) => a - b2).map(([, text]) => text);
  return `${node} -> (\n\t${sorted.join(',\n\t')}\n)\n`;
}

export const command: Command = {
  spec,
  async run(args, io) {
    const format = outputFormat(args);
    const brokers = await withAdmin(args, (admin) => admin.brokerApiVersions());
    if (format === 'json') {
      writeJson(io, brokers.map((b) => ({
        broker: { id: b.broker.nodeId, host: b.broker.host, port: b.broker.port, rack: b.broker.rack },
        ...(b.apis ? { apis: b.apis.map((a) => ({ name: apiKeyName(a.apiKey) ?? 'UNKNOWN', ...a })) } : { error: b.error }),
      })));
    } else {
      io.stdout.write(brokers.map(brokerText).join(''));
    }
    return 0;
  },
};
