// Topic and broker configs through Kafka's admin APIs: describe, replace the whole
// set (AlterConfigs), or change it key by key (IncrementalAlterConfigs). Checks,
// error codes and messages follow Kafka 3.9 in ZooKeeper mode (ConfigHelper,
// ConfigAdminManager, ZkAdminManager); changes are persisted in the metadata
// store and applied to the partitions at once.
import { topicNameProblem } from '../cluster/topic-names.js';
import { ErrorCode } from '../protocol/errors.js';
import { ConfigError, type ConfigValue, formatConfigValue } from '../storage/config-def.js';
import { TOPIC_CONFIG_DEFS, parseTopicConfigs } from '../storage/topic-config.js';
import { brokerConfigEntries, topicConfigEntries, type ConfigEntryView, type DescribeOptions } from './config-view.js';
import { BROKER_CONFIG_DEFS, parseDynamicBrokerConfigs } from './config.js';
import type { BrokerContext } from './context.js';

/** Kafka's ConfigResource.Type ids. */
export const ResourceType = { TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8 } as const;

/** Kafka's AlterConfigOp.OpType ids. */
export const AlterOp = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

export interface ConfigResource {
  resourceType: number;
  resourceName: string;
}

export interface ResourceError {
  errorCode: number;
  errorMessage: string | null;
}

export interface DescribeResult extends ResourceError {
  configs: ConfigEntryView[];
}

export interface AlterOperation {
  name: string;
  configOperation: number;
  value: string | null;
}

const OK: ResourceError = { errorCode: ErrorCode.NONE, errorMessage: null };

/** A failure with Kafka's error code for one resource; the other resources of the request go on. */
class ResourceFailure extends Error {
  constructor(readonly errorCode: number, message: string) {
    super(message);
  }
}

const invalidRequest = (message: string): ResourceFailure => new ResourceFailure(ErrorCode.INVALID_REQUEST, message);
const invalidConfig = (message: string): ResourceFailure => new ResourceFailure(ErrorCode.INVALID_CONFIG, message);

function resourceLabel(r: ConfigResource): string {
  const type = r.resourceType === ResourceType.TOPIC ? 'TOPIC' : r.resourceType === ResourceType.BROKER ? 'BROKER' : String(r.resourceType);
  return `ConfigResource(type=${type}, name='${r.resourceName}')`;
}

function failure(e: unknown): ResourceError {
  if (e instanceof ResourceFailure) return { errorCode: e.errorCode, errorMessage: e.message };
  throw e;
}

export class ConfigAdmin {
  constructor(private readonly broker: BrokerContext) {}

  describe(resource: ConfigResource & { configurationKeys: string[] | null }, opts: DescribeOptions): DescribeResult {
    try {
      let configs = this.describeAll(resource, opts);
      const keys = resource.configurationKeys;
      if (keys && keys.length > 0) configs = configs.filter((c) => keys.includes(c.name));
      return { ...OK, configs };
    } catch (e) {
      return { ...failure(e), configs: [] };
    }
  }

  private describeAll(resource: ConfigResource, opts: DescribeOptions): ConfigEntryView[] {
    const { config, metadata } = this.broker;
    switch (resource.resourceType) {
      case ResourceType.TOPIC: {
        const problem = topicNameProblem(resource.resourceName);
        if (problem) throw new ResourceFailure(ErrorCode.INVALID_TOPIC_EXCEPTION, problem);
        const topic = metadata.topic(resource.resourceName);
        if (!topic) throw new ResourceFailure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${resource.resourceName}' does not exist.`);
        return topicConfigEntries(config, topic.configs, opts);
      }
      case ResourceType.BROKER: {
        if (resource.resourceName === '') return brokerConfigEntries(config, false, opts);
        if (brokerIdOf(resource.resourceName, 'Broker id') !== this.broker.nodeId) {
          throw invalidRequest(`Unexpected broker id, expected ${this.broker.nodeId} or empty string, but received ${resource.resourceName}`);
        }
        return brokerConfigEntries(config, true, opts);
      }
      default:
        throw invalidRequest(`Unsupported resource type: ${resource.resourceType}`);
    }
  }

  /** AlterConfigs: the given keys become the resource's whole set of dynamic configs. */
  alter(resources: (ConfigResource & { configs: { name: string; value: string | null }[] })[], validateOnly: boolean): Promise<ResourceError[]> {
    return this.alterEach(resources, validateOnly, (r) => {
      const nulls = r.configs.filter((c) => c.value === null).map((c) => c.name);
      if (nulls.length > 0) throw invalidRequest(`Null value not supported for : ${nulls.join(', ')}`);
      return Object.fromEntries(r.configs.map((c) => [c.name, c.value as string]));
    });
  }

  /** IncrementalAlterConfigs: SET, DELETE, APPEND and SUBTRACT applied to the current dynamic configs. */
  incrementalAlter(resources: (ConfigResource & { configs: AlterOperation[] })[], validateOnly: boolean): Promise<ResourceError[]> {
    return this.alterEach(resources, validateOnly, (r) => {
      const nulls = r.configs.filter((c) => c.configOperation !== AlterOp.DELETE && c.value === null).map((c) => c.name);
      if (nulls.length > 0) throw invalidRequest(`Null value not supported for : ${nulls.join(', ')}`);
      return applyOperations(this.currentDynamic(r), r.configs, r.resourceType === ResourceType.TOPIC);
    });
  }

  /** Checks shared by both APIs (Kafka's ConfigAdminManager.preprocess), then each resource's new set replaces its old one. */
  private async alterEach<R extends ConfigResource & { configs: { name: string }[] }>(
    resources: R[], validateOnly: boolean, newConfigs: (r: R) => Record<string, string>,
  ): Promise<ResourceError[]> {
    const duplicates = duplicateResources(resources);
    const results: ResourceError[] = [];
    for (const r of resources) {
      try {
        if (duplicates.has(r)) throw invalidRequest('Each resource must appear at most once.');
        checkKeys(r.configs.map((c) => c.name));
        await this.replace(r, newConfigs(r), validateOnly);
        results.push(OK);
      } catch (e) {
        results.push(failure(e));
      }
    }
    return results;
  }

  /** The resource's dynamic configs as strings (a topic's overrides, or a broker entity's values). */
  private currentDynamic(r: ConfigResource): Record<string, string> {
    if (r.resourceType === ResourceType.TOPIC) {
      const topic = this.broker.metadata.topic(r.resourceName);
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(topic?.configs ?? {})) out[k] = formatConfigValue(v) ?? '';
      return out;
    }
    if (r.resourceType === ResourceType.BROKER) return { ...this.broker.metadata.brokerConfigs(this.brokerEntity(r)) };
    return {};
  }

  private async replace(r: ConfigResource, props: Record<string, string>, validateOnly: boolean): Promise<void> {
    switch (r.resourceType) {
      case ResourceType.TOPIC: return this.replaceTopic(r, props, validateOnly);
      case ResourceType.BROKER: return this.replaceBroker(r, props, validateOnly);
      default: throw invalidRequest(`Unknown resource type ${r.resourceType}`);
    }
  }

  private async replaceTopic(r: ConfigResource, props: Record<string, string>, validateOnly: boolean): Promise<void> {
    if (r.resourceName === '') throw invalidRequest('Default topic resources are not allowed.');
    if (!this.broker.metadata.topic(r.resourceName)) {
      throw new ResourceFailure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${r.resourceName}' does not exist.`);
    }
    const unknown = Object.keys(props).find((k) => !TOPIC_CONFIG_DEFS.has(k));
    if (unknown !== undefined) throw invalidConfig(`Unknown topic config name: ${unknown}`);
    let configs;
    try {
      configs = parseTopicConfigs(props);
    } catch (e) {
      if (e instanceof ConfigError) throw invalidConfig(`Invalid config value for resource ${resourceLabel(r)}: ${e.message}`);
      throw e;
    }
    if (!validateOnly) await this.broker.topics.setConfigs(r.resourceName, configs);
  }

  private async replaceBroker(r: ConfigResource, props: Record<string, string>, validateOnly: boolean): Promise<void> {
    const entity = this.brokerEntity(r);
    let parsed;
    try {
      parsed = parseDynamicBrokerConfigs(props);
    } catch (e) {
      // Kafka answers INVALID_REQUEST here, not INVALID_CONFIG (KAFKA-13609).
      if (e instanceof ConfigError) throw invalidRequest(e.message);
      throw e;
    }
    if (validateOnly) return;
    await this.broker.metadata.setBrokerConfigs(entity, props);
    this.broker.config.setDynamic(entity === '' ? 'default' : 'broker', parsed);
    this.broker.topics.refreshLogConfigs();
    this.broker.log.info(`dynamic broker configs${entity === '' ? ' (cluster default)' : ` of broker ${entity}`} are now ${JSON.stringify(props)}`);
  }

  /** '' for the cluster-wide default, else this broker's id (another broker's is refused). */
  private brokerEntity(r: ConfigResource): string {
    if (r.resourceName === '') return '';
    const id = brokerIdOf(r.resourceName, 'Node id');
    if (id !== this.broker.nodeId) throw invalidRequest(`Unexpected broker id, expected ${this.broker.nodeId}, but received ${r.resourceName}`);
    return String(id);
  }
}

/**
 * Loads the dynamic broker configs kept in the metadata store into the broker's config at
 * start-up. A value that no longer validates is skipped with a warning, as Kafka does.
 */
export function loadDynamicBrokerConfigs(broker: Pick<BrokerContext, 'config' | 'metadata' | 'nodeId' | 'log'>): void {
  for (const [level, entity] of [['default', ''], ['broker', String(broker.nodeId)]] as const) {
    const valid = new Map<string, ConfigValue>();
    for (const [k, v] of Object.entries(broker.metadata.brokerConfigs(entity))) {
      try {
        for (const [key, value] of parseDynamicBrokerConfigs({ [k]: v })) valid.set(key, value);
      } catch (e) {
        broker.log.warn(`ignoring stored dynamic broker config: ${(e as Error).message}`);
      }
    }
    broker.config.setDynamic(level, valid);
  }
}

function brokerIdOf(name: string, what: string): number {
  if (!/^-?\d+$/.test(name)) throw invalidRequest(`${what} must be an integer, but it is: ${name}`);
  return Number(name);
}

function duplicateResources<T extends ConfigResource>(resources: T[]): Set<T> {
  const seen = new Map<string, T>();
  const dup = new Set<T>();
  for (const r of resources) {
    const key = `${r.resourceType}:${r.resourceName}`;
    const first = seen.get(key);
    if (first) dup.add(first).add(r);
    else seen.set(key, r);
  }
  return dup;
}

function checkKeys(names: string[]): void {
  if (new Set(names).size !== names.length) throw invalidRequest('Error due to duplicate config keys');
}

/** Kafka's ConfigAdminManager.prepareIncrementalConfigs. */
function applyOperations(props: Record<string, string>, ops: AlterOperation[], topic: boolean): Record<string, string> {
  const out = { ...props };
  for (const op of ops) {
    const listDefault = (): string[] => {
      const def = topic ? TOPIC_CONFIG_DEFS.get(op.name) : BROKER_CONFIG_DEFS.get(op.name);
      if (!def) throw invalidConfig(`Unknown config name: ${op.name}`);
      if (def.type !== 'list') {
        throw invalidConfig(`Config value ${op.configOperation === AlterOp.APPEND ? 'append' : 'subtract'} is not allowed for config key: ${op.name}`);
      }
      return Array.isArray(def.default) ? def.default : [];
    };
    const current = (): string[] => {
      const text = op.name in out ? out[op.name] : listDefault().join(',');
      return text === '' ? [] : text.split(',');
    };
    switch (op.configOperation) {
      case AlterOp.SET: out[op.name] = op.value as string; break;
      case AlterOp.DELETE: delete out[op.name]; break;
      case AlterOp.APPEND: {
        listDefault();
        const old = current();
        out[op.name] = [...old, ...(op.value as string).split(',').filter((v) => !old.includes(v))].join(',');
        break;
      }
      case AlterOp.SUBTRACT: {
        listDefault();
        const removed = (op.value as string).split(',');
        out[op.name] = current().filter((v) => !removed.includes(v)).join(',');
        break;
      }
      default: throw invalidRequest(`Unknown operations type ${op.configOperation}`);
    }
  }
  return out;
}
