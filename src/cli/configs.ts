// `samsa configs`: Kafka's kafka-configs (ConfigCommand) for topics and
// brokers — describe dynamic (or, with --all, every) config with its
// synonyms, and alter them with --add-config / --delete-config.
import { readFile } from 'node:fs/promises';
import type { Admin, ConfigEntry, ConfigResource } from '../client/admin.js';
import { KafkaClientError } from '../client/errors.js';
import { parseProperties } from '../cluster/properties.js';
import { defineCommand, UsageError, type ParsedArgs } from './args.js';
import { BOOTSTRAP_SERVER_OPTION, COMMAND_CONFIG_OPTION, withAdmin } from './client-options.js';
import type { CliIo, Command } from './command.js';
import { OUTPUT_OPTION, outputFormat, writeJson, writeLines } from './output.js';

const ENTITY_TYPES = ['topics', 'brokers'] as const;
type EntityType = (typeof ENTITY_TYPES)[number];

const spec = defineCommand({
  name: 'configs',
  summary: 'Describe or change topic and broker configs (Kafka\'s kafka-configs).',
  options: [
    BOOTSTRAP_SERVER_OPTION,
    { ...COMMAND_CONFIG_OPTION, describe: 'Property file containing configs to be passed to the admin client.' },
    { name: 'describe', kind: 'flag', describe: 'List configs for the given entity.' },
    { name: 'alter', kind: 'flag', describe: 'Alter the configuration for the entity.' },
    { name: 'all', kind: 'flag', describe: 'List all configs for the given topic or broker entity (includes static configuration when the entity type is brokers)' },
    { name: 'entity-type', kind: 'string', valueName: 'String: topics|brokers', describe: 'Type of entity (topics/brokers)' },
    { name: 'entity-name', kind: 'string', valueName: 'String: topic name/broker id', describe: 'Name of entity (topic name/broker id)' },
    { name: 'entity-default', kind: 'flag', describe: 'Default entity name for brokers (the cluster-wide default)' },
    { name: 'topic', kind: 'string', valueName: 'String: topic', describe: 'The topic\'s name (same as --entity-type topics --entity-name <topic>).' },
    { name: 'broker', kind: 'string', valueName: 'String: broker id', describe: 'The broker\'s ID (same as --entity-type brokers --entity-name <id>).' },
    { name: 'broker-defaults', kind: 'flag', describe: 'The config defaults for all brokers (same as --entity-type brokers --entity-default).' },
    { name: 'add-config', kind: 'string', valueName: 'String: k1=v1,k2=[v1,v2]', describe: 'Key Value pairs of configs to add. Square brackets can be used to group values which contain commas: \'k1=v1,k2=[v1,v2,v2],k3=v3\'.' },
    { name: 'add-config-file', kind: 'string', valueName: 'String: file', describe: 'Path to a properties file with configs to add.' },
    { name: 'delete-config', kind: 'list', valueName: 'String: k1,k2', describe: 'config keys to remove \'k1,k2\'' },
    OUTPUT_OPTION,
  ],
});

/** One entity: a topic, a broker by id, or the brokers' cluster-wide default (name ''). */
interface Entity {
  type: EntityType;
  /** undefined: every entity of the type (describe only). */
  name: string | undefined;
}

/** ConfigCommandOptions.checkArgs for topics and brokers. */
function checkArgs(args: ParsedArgs): Entity {
  const actions = ['alter', 'describe'].filter((a) => args.flag(a));
  if (actions.length !== 1) throw new UsageError('Command must include exactly one action: --describe, --alter');
  if (args.flag('describe')) {
    for (const option of ['add-config', 'add-config-file', 'delete-config']) {
      if (args.has(option)) throw new UsageError(`Option "[describe]" can't be used with option "[${option}]"`);
    }
  }
  const generic = ['entity-type', 'entity-name', 'entity-default'].some((o) => args.has(o));
  const specific = ['topic', 'broker', 'broker-defaults'].filter((o) => args.has(o));
  if (generic && specific.length > 0) throw new UsageError('--entity-{type,name,default} should not be used in conjunction with specific entity flags');
  if (specific.length > 1) throw new UsageError(`Only one entity type may be specified, got --${specific.join(', --')}`);
  if (args.has('entity-name') && args.flag('entity-default')) throw new UsageError('Only one of --entity-name or --entity-default may be specified');
  const entity: Entity = args.has('topic') ? { type: 'topics', name: args.string('topic') }
    : args.has('broker') ? { type: 'brokers', name: args.string('broker') }
      : args.flag('broker-defaults') ? { type: 'brokers', name: '' }
        : { type: entityType(args.string('entity-type')), name: args.flag('entity-default') ? '' : args.string('entity-name') };
  if (entity.type === 'topics' && entity.name === '') throw new UsageError('--entity-default applies to brokers, not topics');
  if (entity.type === 'brokers' && entity.name && !/^-?\d+$/.test(entity.name)) {
    throw new UsageError(`The entity name for brokers must be a valid integer broker id, but it is: ${entity.name}`);
  }
  if (args.flag('alter')) {
    if (entity.name === undefined) {
      throw new UsageError(entity.type === 'topics' ? 'an entity name must be specified with --alter of topics' : 'an entity-name or default entity must be specified with --alter of users, clients, brokers or ips');
    }
    if (args.has('add-config') && args.has('add-config-file')) throw new UsageError('Only one of --add-config or --add-config-file must be specified');
    if (!args.has('add-config') && !args.has('add-config-file') && !args.has('delete-config')) {
      throw new UsageError('At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter');
    }
  }
  outputFormat(args);
  return entity;
}

function entityType(value: string | undefined): EntityType {
  if (value === undefined) throw new UsageError('At least one entity type must be specified');
  if (!(ENTITY_TYPES as readonly string[]).includes(value)) throw new UsageError(`Invalid entity type ${value}, the entity type must be one of ${ENTITY_TYPES.join(', ')}`);
  return value as EntityType;
}

// A comma or '=' outside square brackets (ConfigCommand's lookahead: no ']' before the next '[' or the end).
const OUTSIDE_BRACKETS = '(?=[^\\]]*(?:\\[|$))';

/** --add-config 'k1=v1,k2=[a,b]' → { k1: 'v1', k2: 'a,b' }, as ConfigCommand.parseConfigsToBeAdded. */
export function parseAddConfig(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of text.split(new RegExp(`,${OUTSIDE_BRACKETS}`))) {
    const parts = pair.split(new RegExp(`\\s*=\\s*${OUTSIDE_BRACKETS}`));
    if (parts.length !== 2) throw new UsageError('requirement failed: Invalid entity config: all configs to be added must be in the format "key=val".');
    out[parts[0].trim()] = parts[1].replace(/\[|\]/g, '').trim();
  }
  return out;
}

async function configsToAdd(args: ParsedArgs): Promise<Record<string, string>> {
  const file = args.string('add-config-file');
  const added = file === undefined ? {} : Object.fromEntries(parseProperties(await readFile(file, 'utf8')));
  const inline = args.string('add-config');
  if (inline !== undefined) Object.assign(added, parseAddConfig(inline));
  for (const key of Object.keys(added)) {
    if (!/^[a-zA-Z0-9._-]*$/.test(key)) throw new UsageError(`Invalid character found for config key: ${key}`);
  }
  return added;
}

function resource(entity: Entity, name: string): ConfigResource {
  return { type: entity.type === 'topics' ? 'topic' : 'broker', name };
}

async function alter(admin: Admin, entity: Entity, added: Record<string, string>, args: ParsedArgs, io: CliIo): Promise<void> {
  const name = entity.name!;
  const deleted = args.list('delete-config').flatMap((v) => v.split(',')).map((k) => k.trim());
  const [current] = await admin.describeConfigs([resource(entity, name)]);
  const known = new Set(current.configs.map((c) => c.name));
  const invalid = deleted.filter((k) => !known.has(k));
  if (invalid.length > 0) throw new Error(`Invalid config(s): ${invalid.join(',')}`);
  await admin.alterConfigs([{ ...resource(entity, name), configs: { ...added, ...Object.fromEntries(deleted.map((k) => [k, null])) } }]);
  io.stdout.write(name === '' ? `Completed updating default config for ${entity.type} in the cluster.\n` : `Completed updating config for ${entity.type.slice(0, -1)} ${name}.\n`);
}

/** The entry sources --describe shows without --all: the entity's own dynamic layer. */
function dynamicSource(entity: Entity, name: string): string {
  if (entity.type === 'topics') return 'DYNAMIC_TOPIC_CONFIG';
  return name === '' ? 'DYNAMIC_DEFAULT_BROKER_CONFIG' : 'DYNAMIC_BROKER_CONFIG';
}

async function describe(admin: Admin, entity: Entity, args: ParsedArgs, io: CliIo): Promise<void> {
  const all = args.flag('all');
  const names = entity.name !== undefined ? [entity.name]
    : entity.type === 'topics' ? await admin.listTopics({ includeInternal: true })
      : [...(await admin.describeCluster()).brokers.map((b) => String(b.nodeId)).sort((a, b) => Number(a) - Number(b)), ''];
  const described: { name: string; configs: ConfigEntry[] }[] = [];
  for (const name of names) {
    const [result] = await admin.describeConfigs([resource(entity, name)], { includeSynonyms: true });
    const source = dynamicSource(entity, name);
    const configs = result.configs.filter((c) => all || c.source === source).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    described.push({ name, configs });
  }
  if (outputFormat(args) === 'json') {
    writeJson(io, described.map(({ name, configs }) => ({
      entityType: entity.type,
      entityName: name === '' ? null : name,
      configs: configs.map((c) => ({ name: c.name, value: c.value, sensitive: c.isSensitive, source: c.source, synonyms: c.synonyms ?? [] })),
    })));
    return;
  }
  writeLines(io, described.flatMap(({ name, configs }) => [
    name === '' ? `Default configs for ${entity.type} in the cluster are:` : `${all ? 'All' : 'Dynamic'} configs for ${entity.type.slice(0, -1)} ${name} are:`,
    ...configs.map((c) => {
      const synonyms = (c.synonyms ?? []).map((s) => `${s.source}:${s.name}=${s.value}`).join(', ');
      return `  ${c.name}=${c.value} sensitive=${c.isSensitive} synonyms={${synonyms}}`;
    }),
  ]));
}

export const command: Command = {
  spec,
  async run(args, io) {
    const entity = checkArgs(args);
    const added = args.flag('alter') ? await configsToAdd(args) : {};
    return withAdmin(args, async (admin) => {
      try {
        if (args.flag('alter')) await alter(admin, entity, added, args, io);
        else await describe(admin, entity, args, io);
        return 0;
      } catch (e) {
        if (e instanceof UsageError) throw e;
        // Kafka prints its own checks' messages bare and the broker's refusals after this line.
        if (e instanceof KafkaClientError) io.stderr.write('Error while executing config command\n');
        io.stderr.write(`${(e as Error).message}\n`);
        return 1;
      }
    });
  },
};
