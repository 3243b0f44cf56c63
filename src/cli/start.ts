// `samsa start`: runs one broker until SIGINT/SIGTERM, like kafka-server-start.sh.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { Broker } from '../broker/broker.js';
import { BrokerConfig } from '../broker/config.js';
import { consoleLogger } from '../broker/logger.js';
import { parseProperties } from '../cluster/properties.js';

const USAGE = `Usage: samsa start [--config server.properties] [--override key=value ...]

Runs a broker. Reads Kafka's server.properties format and key names; each
--override sets one key and wins over the file. With no options: one broker on
PLAINTEXT://:9092 with data in /tmp/kafka-logs (Kafka's defaults).
`;

export async function runStart(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        config: { type: 'string', short: 'c' },
        override: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
    });
  } catch (e) {
    process.stderr.write(`samsa start: ${(e as Error).message}\n\n${USAGE}`);
    return 1;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  // kafka-server-start.sh takes the properties file as its first argument.
  const configPath = values.config ?? positionals[0];
  if (positionals.length > (values.config ? 0 : 1)) {
    process.stderr.write(`samsa start: unexpected argument '${positionals.at(-1)}'\n\n${USAGE}`);
    return 1;
  }
  const props = configPath ? parseProperties(await readFile(configPath, 'utf8')) : new Map<string, string>();
  for (const o of values.override ?? []) {
    const eq = o.indexOf('=');
    if (eq <= 0) {
      process.stderr.write(`samsa start: --override '${o}' is not key=value\n`);
      return 1;
    }
    props.set(o.slice(0, eq).trim(), o.slice(eq + 1));
  }
  const log = consoleLogger();
  let config: BrokerConfig;
  try {
    config = BrokerConfig.parse(props);
  } catch (e) {
    process.stderr.write(`samsa start: ${(e as Error).message}\n`);
    return 1;
  }
  for (const w of config.warnings) log.warn(w);
  const broker = await Broker.start(config, log);
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string): void => {
      log.info(`${signal} received, shutting down`);
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      broker.stop().then(resolve, (e: unknown) => {
        log.error(`shutdown failed: ${(e as Error).message}`);
        resolve();
      });
    };
    const onInt = (): void => shutdown('SIGINT');
    const onTerm = (): void => shutdown('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
  log.info('broker stopped');
  return 0;
}
