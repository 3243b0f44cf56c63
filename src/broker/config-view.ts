// Configs as Kafka's admin APIs show them (DescribeConfigs, CreateTopics v5+):
// each key with its value in force, where that value comes from, and its
// synonyms, computed as Kafka's ConfigHelper does.
import { type ConfigType, type ConfigValue, formatConfigValue } from '../storage/config-def.js';
import { TOPIC_CONFIG_DEFS, type TopicConfigs } from '../storage/topic-config.js';
import { configDoc } from './config-docs.js';
import { BROKER_CONFIG_DEFS, DYNAMIC_BROKER_KEYS, type BrokerConfig, type BrokerConfigLayer } from './config.js';

/** Kafka's DescribeConfigsResponse.ConfigSource ids. */
export const ConfigSource = {
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;

const LAYER_SOURCE: Record<BrokerConfigLayer, number> = {
  'dynamic-broker': ConfigSource.DYNAMIC_BROKER_CONFIG,
  'dynamic-default': ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
  static: ConfigSource.STATIC_BROKER_CONFIG,
  default: ConfigSource.DEFAULT_CONFIG,
};

/** Kafka's DescribeConfigsResponse.ConfigType ids. */
const CONFIG_TYPE: Record<ConfigType, number> = {
  boolean: 1, string: 2, int: 3, short: 4, long: 5, double: 6, list: 7, password: 9,
};

export interface ConfigSynonymView {
  name: string;
  value: string | null;
  source: number;
}

export interface ConfigEntryView {
  name: string;
  value: string | null;
  readOnly: boolean;
  configSource: number;
  isSensitive: boolean;
  /** Every source of the value, highest precedence first; the first one is configSource. */
  synonyms: ConfigSynonymView[];
  configType: number;
  documentation: string | null;
}

export interface DescribeOptions {
  includeSynonyms: boolean;
  includeDocumentation: boolean;
}

const ALL: DescribeOptions = { includeSynonyms: false, includeDocumentation: false };

/**
 * Broker keys standing for the same setting in other units (Kafka's
 * DynamicBrokerConfig.brokerConfigSynonyms): log.retention.hours has
 * log.retention.ms and log.retention.minutes above it.
 */
function brokerSynonyms(key: string): string[] {
  for (const def of TOPIC_CONFIG_DEFS.values()) {
    const keys = def.synonyms.map((s) => s.key);
    if (keys.length > 1 && keys.includes(key)) return keys;
  }
  return [key];
}

/**
 * Kafka's ConfigHelper.configSynonyms: for each layer in precedence order, every synonym
 * set there; then everything before `name` itself is dropped.
 */
function synonymsOf(config: BrokerConfig, name: string, sensitive: boolean): ConfigSynonymView[] {
  const keys = brokerSynonyms(name);
  const found: ConfigSynonymView[] = [];
  for (const layer of ['dynamic-broker', 'dynamic-default', 'static', 'default'] as const) {
    for (const key of keys) {
      const hit = config.layers(key).find((l) => l.source === layer);
      if (hit) found.push({ name: key, value: sensitive ? null : formatConfigValue(hit.value), source: LAYER_SOURCE[layer] });
    }
  }
  const at = found.findIndex((s) => s.name === name);
  return at < 0 ? [] : found.slice(at);
}

/** Every topic config of a topic with `overrides`, as DescribeConfigs shows it. */
export function topicConfigEntries(config: BrokerConfig, overrides: TopicConfigs, opts: DescribeOptions = ALL): ConfigEntryView[] {
  const defaults = config.topicDefaults();
  const out: ConfigEntryView[] = [];
  for (const [name, def] of TOPIC_CONFIG_DEFS) {
    const sensitive = def.type === 'password';
    const value = name in overrides ? overrides[name] : defaults[name];
    const shown = sensitive ? null : formatConfigValue(value);
    // Keys without a broker synonym (the throttled replica lists) have only the topic's own value.
    const synonyms = def.synonyms.length > 0 ? synonymsOf(config, def.synonyms[0].key, sensitive) : [];
    if (name in overrides) synonyms.unshift({ name, value: shown, source: ConfigSource.TOPIC_CONFIG });
    out.push(entry(name, shown, false, sensitive, synonyms, def.type, opts));
  }
  return out;
}

/**
 * A broker's configs: every key with its value in force for the broker itself (`perBroker`),
 * or only the cluster-wide dynamic defaults for the default resource (an empty name).
 */
export function brokerConfigEntries(config: BrokerConfig, perBroker: boolean, opts: DescribeOptions = ALL): ConfigEntryView[] {
  const out: ConfigEntryView[] = [];
  for (const name of config.keys()) {
    const def = BROKER_CONFIG_DEFS.get(name)!;
    const sensitive = def.type === 'password';
    let synonyms = synonymsOf(config, name, sensitive);
    let value: ConfigValue = config.get(name);
    if (!perBroker) {
      synonyms = synonyms.filter((s) => s.source === ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
      const own = config.layers(name).find((l) => l.source === 'dynamic-default');
      if (!own) continue;
      value = own.value;
    }
    out.push(entry(name, sensitive ? null : formatConfigValue(value), !DYNAMIC_BROKER_KEYS.has(name), sensitive, synonyms, def.type, opts));
  }
  return out;
}

function entry(
  name: string, value: string | null, readOnly: boolean, isSensitive: boolean, synonyms: ConfigSynonymView[], type: ConfigType, opts: DescribeOptions,
): ConfigEntryView {
  return {
    name,
    value,
    readOnly,
    configSource: synonyms.length === 0 ? ConfigSource.DEFAULT_CONFIG : synonyms[0].source,
    isSensitive,
    synonyms: opts.includeSynonyms ? synonyms : [],
    configType: CONFIG_TYPE[type],
    documentation: opts.includeDocumentation ? configDoc(name) : null,
  };
}
