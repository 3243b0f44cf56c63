// What startBroker and an embedded broker's createTopics/deleteTopics accept,
// checked whole before anything starts or changes, so a bad entry leaves
// neither a half-started broker nor half the topics behind.
import { badValue, checkConfigValues, checkLogger, describeValue, isPlainObject } from './arguments.js';
import { topicNameProblem } from './cluster/topic-names.js';
import type { StartBrokerOptions } from './embedded.js';

/** A checked createTopics entry; partitions -1 means the broker's num.partitions. */
export interface TopicSpec {
  name: string;
  partitions: number;
  configs: Record<string, string>;
}

const START_OPTIONS = ['port', 'host', 'dataDir', 'keepData', 'config', 'topics', 'logger'];
const TOPIC_KEYS = ['name', 'partitions', 'config'];
/** Come from host, port and dataDir; silently overriding what the caller wrote would mislead. */
const DERIVED_CONFIGS = ['listeners', 'log.dirs', 'log.dir'];

/** Throws unless `options` has startBroker's shape; its topics' entries are checked by topicSpecs. */
export function checkStartOptions(options: unknown): asserts options is StartBrokerOptions {
  if (!isPlainObject(options)) throw new TypeError(`startBroker: options must be an object, got ${describeValue(options)}`);
  const unknown = Object.keys(options).find((k) => !START_OPTIONS.includes(k));
  if (unknown !== undefined) throw new TypeError(`startBroker: unknown option '${unknown}' (the options are ${START_OPTIONS.join(', ')})`);
  const { port, host, dataDir, keepData, config, topics, logger } = options;
  if (port !== undefined && !(Number.isInteger(port) && (port as number) >= 0 && (port as number) <= 65535)) {
    throw badValue('number', port, `startBroker: port must be an integer from 0 to 65535, got ${describeValue(port)}`);
  }
  for (const [key, value] of [['host', host], ['dataDir', dataDir]] as const) {
    if (value !== undefined && (typeof value !== 'string' || value === '')) {
      throw badValue('string', value, `startBroker: ${key} must be a non-empty string, got ${describeValue(value)}`);
    }
  }
  if (keepData !== undefined && typeof keepData !== 'boolean') throw new TypeError(`startBroker: keepData must be a boolean, got ${describeValue(keepData)}`);
  if (config !== undefined) {
    checkConfigValues('startBroker: config', config);
    const derived = DERIVED_CONFIGS.find((k) => k in config);
    if (derived) throw new RangeError(`startBroker: config ${derived}: use the host, port and dataDir options instead`);
  }
  if (topics !== undefined && !Array.isArray(topics)) {
    throw new TypeError(`startBroker: topics must be an array of topic names or { name, partitions, config }, got ${describeValue(topics)}`);
  }
  if (logger !== undefined) checkLogger('startBroker: logger', logger);
}

/** createTopics' arguments (entries, or arrays of them) as checked specs; `fn` names the caller in errors. */
export function topicSpecs(fn: string, args: readonly unknown[]): TopicSpec[] {
  const specs = args.flat().map((entry, i) => topicSpec(`${fn}: topics[${i}]`, entry));
  checkDistinct(fn, 'topics', specs.map((s) => s.name));
  return specs;
}

/** deleteTopics' arguments (names, or arrays of them) as checked names. */
export function topicNames(fn: string, args: readonly unknown[]): string[] {
  const names = args.flat().map((name, i) => {
    if (typeof name !== 'string') throw new TypeError(`${fn}: names[${i}]: must be a topic name, got ${describeValue(name)}`);
    return checkName(`${fn}: names[${i}]`, name);
  });
  checkDistinct(fn, 'names', names);
  return names;
}

function topicSpec(where: string, entry: unknown): TopicSpec {
  if (typeof entry === 'string') return { name: checkName(where, entry), partitions: -1, configs: {} };
  if (!isPlainObject(entry)) throw new TypeError(`${where}: must be a topic name or { name, partitions, config }, got ${describeValue(entry)}`);
  const unknown = Object.keys(entry).find((k) => !TOPIC_KEYS.includes(k));
  if (unknown !== undefined) throw new TypeError(`${where}: unknown key '${unknown}' (a topic has ${TOPIC_KEYS.join(', ')})`);
  const { name, partitions, config } = entry;
  if (typeof name !== 'string') throw new TypeError(`${where}: name must be a string, got ${describeValue(name)}`);
  checkName(where, name);
  if (partitions !== undefined && !(Number.isInteger(partitions) && (partitions as number) > 0)) {
    throw badValue('number', partitions, `${where}: partitions must be a positive integer, got ${describeValue(partitions)}`);
  }
  const configs: Record<string, string> = {};
  if (config !== undefined) {
    checkConfigValues(`${where}: config`, config);
    for (const [k, v] of Object.entries(config)) configs[k] = String(v);
  }
  return { name, partitions: (partitions as number | undefined) ?? -1, configs };
}

function checkName(where: string, name: string): string {
  const problem = topicNameProblem(name);
  if (problem) throw new RangeError(`${where}: ${problem}`);
  return name;
}

/** One call naming a topic twice would fail half-way through: refuse it up front. */
function checkDistinct(fn: string, param: string, names: readonly string[]): void {
  const firstIndex = new Map<string, number>();
  for (const [i, name] of names.entries()) {
    const first = firstIndex.get(name);
    if (first !== undefined) throw new RangeError(`${fn}: ${param}[${i}]: '${name}' is also ${param}[${first}]`);
    firstIndex.set(name, i);
  }
}
