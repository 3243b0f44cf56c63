// A topic's effective configs as Kafka's admin APIs show them: every topic key
// with its value and where the value comes from.
import { formatConfigValue } from '../storage/config-def.js';
import { TOPIC_CONFIG_DEFS, type TopicConfigs } from '../storage/topic-config.js';
import type { BrokerConfig } from './config.js';

/** Kafka's ConfigSource values (DescribeConfigs v1+, CreateTopics v5+). */
export const ConfigSource = {
  DYNAMIC_TOPIC_CONFIG: 1,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;

export interface ConfigEntryView {
  name: string;
  value: string | null;
  readOnly: boolean;
  configSource: number;
  isSensitive: boolean;
}

export function topicConfigEntries(config: BrokerConfig, overrides: TopicConfigs): ConfigEntryView[] {
  const defaults = config.topicDefaults();
  const out: ConfigEntryView[] = [];
  for (const [name, def] of TOPIC_CONFIG_DEFS) {
    const overridden = name in overrides;
    const value = overridden ? overrides[name] : defaults[name];
    const fromBroker = !overridden && value !== def.default;
    out.push({
      name,
      value: formatConfigValue(value),
      readOnly: false,
      configSource: overridden ? ConfigSource.DYNAMIC_TOPIC_CONFIG : fromBroker ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG,
      isSensitive: false,
    });
  }
  return out;
}
