// Kafka 2.x's znodes: their paths and the JSON in them, written as Kafka 2.4
// writes it (field names, versions, numbers as strings where Kafka has them so)
// and read back in every version Kafka 2.4 reads, so Samsa and Kafka tools share
// a ZooKeeper. Source: core/src/main/scala/kafka/zk/ZkData.scala at 2.4.1.

/** The entity name of the cluster-wide default in /config/<type>/ (ConfigEntityName.Default). */
export const DEFAULT_ENTITY = '<default>';

export const zkPaths = {
  brokerIds: '/brokers/ids',
  broker: (id: number) => `/brokers/ids/${id}`,
  brokerSequenceId: '/brokers/seqid',
  topics: '/brokers/topics',
  topic: (topic: string) => `/brokers/topics/${topic}`,
  partitions: (topic: string) => `/brokers/topics/${topic}/partitions`,
  partition: (topic: string, partition: number) => `/brokers/topics/${topic}/partitions/${partition}`,
  partitionState: (topic: string, partition: number) => `/brokers/topics/${topic}/partitions/${partition}/state`,
  controller: '/controller',
  controllerEpoch: '/controller_epoch',
  topicConfigs: '/config/topics',
  topicConfig: (topic: string) => `/config/topics/${topic}`,
  brokerConfigs: '/config/brokers',
  /** '' (as the MetadataStore names the cluster default) is Kafka's <default>. */
  brokerConfig: (entity: string) => `/config/brokers/${entity === '' ? DEFAULT_ENTITY : entity}`,
  configChanges: '/config/changes',
  /** Prefix of the persistent sequential notifications (config_change_0000000007). */
  configChangePrefix: '/config/changes/config_change_',
  deleteTopics: '/admin/delete_topics',
  deleteTopic: (topic: string) => `/admin/delete_topics/${topic}`,
  clusterId: '/cluster/id',
  producerIdBlock: '/latest_producer_id_block',
  isrChangeNotifications: '/isr_change_notification',
  isrChangePrefix: '/isr_change_notification/isr_change_',
  logDirEventNotifications: '/log_dir_event_notification',
} as const;

/** What every broker creates at start-up if missing (ZkData.PersistentZkPaths). */
export const PERSISTENT_PATHS: readonly string[] = [
  '/consumers',
  zkPaths.brokerIds,
  zkPaths.topics,
  zkPaths.configChanges,
  zkPaths.deleteTopics,
  zkPaths.brokerSequenceId,
  zkPaths.isrChangeNotifications,
  zkPaths.producerIdBlock,
  zkPaths.logDirEventNotifications,
  zkPaths.topicConfigs,
  '/config/clients',
  '/config/users',
  zkPaths.brokerConfigs,
];

export class ZkDataError extends Error {
  constructor(what: string, data: Buffer, reason: string) {
    super(`malformed ${what} in ZooKeeper (${reason}): ${data.toString('utf8')}`);
    this.name = 'ZkDataError';
  }
}

type Json = Record<string, unknown>;

function encode(json: Json): Buffer {
  return Buffer.from(JSON.stringify(json), 'utf8');
}

function parse(what: string, data: Buffer): Json {
  let json: unknown;
  try {
    json = JSON.parse(data.toString('utf8'));
  } catch {
    throw new ZkDataError(what, data, 'not JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ZkDataError(what, data, 'not an object');
  return json as Json;
}

/** Reads json[key] as an integer; Kafka writes some as decimal strings ("timestamp", "block_start"). */
function int(what: string, data: Buffer, json: Json, key: string): number {
  const value = json[key];
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new ZkDataError(what, data, `${key} is not an integer`);
  return n;
}

function ints(what: string, data: Buffer, value: unknown, key: string): number[] {
  if (!Array.isArray(value) || !value.every((v) => Number.isSafeInteger(v))) {
    throw new ZkDataError(what, data, `${key} is not a list of integers`);
  }
  return value as number[];
}

function str(what: string, data: Buffer, json: Json, key: string): string {
  const value = json[key];
  if (typeof value !== 'string') throw new ZkDataError(what, data, `${key} is not a string`);
  return value;
}

function stringMap(what: string, data: Buffer, value: unknown, key: string): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)
    || !Object.values(value).every((v) => typeof v === 'string')) {
    throw new ZkDataError(what, data, `${key} is not a map of strings`);
  }
  return { ...(value as Record<string, string>) };
}

// ---- /brokers/ids/<id> (ephemeral) -----------------------------------------

export interface ZkEndpoint {
  /** Listener name (PLAINTEXT, or a custom name mapped to a security protocol). */
  listener: string;
  securityProtocol: string;
  /** '' for a wildcard host (Kafka writes PLAINTEXT://:9092). */
  host: string;
  port: number;
}

export interface ZkBrokerInfo {
  id: number;
  endpoints: ZkEndpoint[];
  rack: string | null;
  /** -1 when JMX is off. */
  jmxPort: number;
  /** Registration time, ms since the epoch. */
  timestamp: number;
  /**
   * Samsa's own field ("software":"samsa"): Kafka does not write it and its decoder ignores it, so a
   * registration without it is an Apache Kafka broker's.
   */
  software?: string;
}

function endpointString(e: ZkEndpoint): string {
  const host = e.host.includes(':') ? `[${e.host}]` : e.host;
  return `${e.listener}://${host}:${e.port}`;
}

/** Version 4, as Kafka 2.4 registers (the top-level host/port: the first PLAINTEXT endpoint, for old clients). */
export function encodeBrokerInfo(broker: ZkBrokerInfo): Buffer {
  const plaintext = broker.endpoints.find((e) => e.securityProtocol === 'PLAINTEXT');
  // Kafka's key order (a hash map's), kept so the bytes match.
  return encode({
    listener_security_protocol_map: Object.fromEntries(broker.endpoints.map((e) => [e.listener, e.securityProtocol])),
    endpoints: broker.endpoints.map(endpointString),
    ...(broker.rack === null ? {} : { rack: broker.rack }),
    jmx_port: broker.jmxPort,
    host: plaintext ? plaintext.host : null,
    timestamp: String(broker.timestamp),
    port: plaintext ? plaintext.port : -1,
    version: 4,
    ...(broker.software === undefined ? {} : { software: broker.software }),
  });
}

/** Versions 1 to 4 (BrokerIdZNode.decode). */
export function decodeBrokerInfo(id: number, data: Buffer): ZkBrokerInfo {
  const what = `registration of broker ${id}`;
  const json = parse(what, data);
  const version = int(what, data, json, 'version');
  if (version < 1) throw new ZkDataError(what, data, `unsupported version ${version}`);
  let endpoints: ZkEndpoint[];
  if (version === 1) {
    const host = str(what, data, json, 'host');
    endpoints = [{ listener: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host, port: int(what, data, json, 'port') }];
  } else {
    const protocols = json.listener_security_protocol_map === undefined
      ? undefined
      : stringMap(what, data, json.listener_security_protocol_map, 'listener_security_protocol_map');
    const list = json.endpoints;
    if (!Array.isArray(list) || !list.every((e) => typeof e === 'string')) throw new ZkDataError(what, data, 'endpoints is not a list of strings');
    endpoints = list.map((s: string) => {
      const m = /^(.*):\/\/\[?([0-9a-zA-Z\-%._:]*)\]?:(-?\d+)$/.exec(s);
      if (!m) throw new ZkDataError(what, data, `bad endpoint ${s}`);
      // Without a map (versions 2 and 3) the listener name is the security protocol.
      const securityProtocol = protocols ? protocols[m[1]] : m[1];
      if (securityProtocol === undefined) throw new ZkDataError(what, data, `no security protocol for listener ${m[1]}`);
      return { listener: m[1], securityProtocol, host: m[2], port: Number(m[3]) };
    });
  }
  const rack = json.rack;
  return {
    id,
    endpoints,
    rack: typeof rack === 'string' ? rack : null,
    jmxPort: int(what, data, json, 'jmx_port'),
    timestamp: json.timestamp === undefined ? 0 : int(what, data, json, 'timestamp'),
    ...(typeof json.software === 'string' ? { software: json.software } : {}),
  };
}

// ---- /brokers/topics/<topic> -----------------------------------------------

export interface ZkReplicaAssignment {
  replicas: number[];
  /** Replicas being added by a reassignment (KIP-455), empty otherwise. */
  addingReplicas: number[];
  removingReplicas: number[];
}

/**
 * Version 2 (Kafka 2.4): partitions plus the reassignment state, partitions ascending; version 3
 * (Kafka 2.8) when a topic id is given, as base64url like Kafka's Uuid.toString. Kafka 2.4 reads
 * version 3 too (it looks at the partitions only).
 */
export function encodeTopicAssignment(assignment: ReadonlyMap<number, ZkReplicaAssignment>, topicId?: Buffer): Buffer {
  const sorted = [...assignment].sort(([a], [b]) => a - b);
  const pick = (f: (a: ZkReplicaAssignment) => number[], skipEmpty: boolean): Record<string, number[]> =>
    Object.fromEntries(sorted.filter(([, a]) => !skipEmpty || f(a).length > 0).map(([p, a]) => [String(p), f(a)]));
  return encode({
    version: topicId ? 3 : 2,
    ...(topicId ? { topic_id: topicId.toString('base64url') } : {}),
    partitions: pick((a) => a.replicas, false),
    adding_replicas: pick((a) => a.addingReplicas, true),
    removing_replicas: pick((a) => a.removingReplicas, true),
  });
}

/** The topic id of a version 3 assignment (Kafka 2.8+), undefined for older versions. */
export function decodeTopicId(topic: string, data: Buffer): Buffer | undefined {
  const what = `assignment of topic ${topic}`;
  const json = parse(what, data);
  if (json.topic_id === undefined) return undefined;
  const id = Buffer.from(str(what, data, json, 'topic_id'), 'base64url');
  if (id.length !== 16) throw new ZkDataError(what, data, 'topic_id is not a 16-byte id');
  return id;
}

/** Versions 1 to 3 (version 1 has no adding/removing replicas); TopicZNode.decode. */
export function decodeTopicAssignment(topic: string, data: Buffer): Map<number, ZkReplicaAssignment> {
  const what = `assignment of topic ${topic}`;
  const json = parse(what, data);
  const section = (key: string): Json => {
    const value = json[key];
    if (value === undefined) return {};
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ZkDataError(what, data, `${key} is not an object`);
    return value as Json;
  };
  const [partitions, adding, removing] = [section('partitions'), section('adding_replicas'), section('removing_replicas')];
  const result = new Map<number, ZkReplicaAssignment>();
  for (const [key, replicas] of Object.entries(partitions)) {
    if (!/^\d+$/.test(key)) throw new ZkDataError(what, data, `bad partition ${key}`);
    result.set(Number(key), {
      replicas: ints(what, data, replicas, `partitions.${key}`),
      addingReplicas: key in adding ? ints(what, data, adding[key], `adding_replicas.${key}`) : [],
      removingReplicas: key in removing ? ints(what, data, removing[key], `removing_replicas.${key}`) : [],
    });
  }
  return new Map([...result].sort(([a], [b]) => a - b));
}

// ---- /brokers/topics/<topic>/partitions/<p>/state --------------------------

export interface ZkPartitionState {
  leader: number;
  leaderEpoch: number;
  isr: number[];
  /** Epoch of the controller that wrote it. */
  controllerEpoch: number;
}

export function encodePartitionState(state: ZkPartitionState): Buffer {
  // Kafka's key order (a hash map's), kept so the bytes match.
  return encode({
    controller_epoch: state.controllerEpoch,
    leader: state.leader,
    version: 1,
    leader_epoch: state.leaderEpoch,
    isr: state.isr,
  });
}

export function decodePartitionState(topic: string, partition: number, data: Buffer): ZkPartitionState {
  const what = `state of ${topic}-${partition}`;
  const json = parse(what, data);
  return {
    leader: int(what, data, json, 'leader'),
    leaderEpoch: int(what, data, json, 'leader_epoch'),
    isr: ints(what, data, json.isr, 'isr'),
    controllerEpoch: int(what, data, json, 'controller_epoch'),
  };
}

// ---- /controller (ephemeral), /controller_epoch ----------------------------

export function encodeController(brokerId: number, timestamp: number): Buffer {
  return encode({ version: 1, brokerid: brokerId, timestamp: String(timestamp) });
}

export function decodeController(data: Buffer): { brokerId: number; timestamp: number } {
  const json = parse('controller', data);
  return {
    brokerId: int('controller', data, json, 'brokerid'),
    timestamp: json.timestamp === undefined ? 0 : int('controller', data, json, 'timestamp'),
  };
}

/** The epoch as a bare decimal number. */
export function encodeControllerEpoch(epoch: number): Buffer {
  return Buffer.from(String(epoch), 'utf8');
}

export function decodeControllerEpoch(data: Buffer): number {
  const text = data.toString('utf8');
  if (!/^\d+$/.test(text)) throw new ZkDataError('controller epoch', data, 'not a number');
  return Number(text);
}

// ---- /config/topics/<topic>, /config/brokers/<id|<default>> ---------------

/** Overrides only, values as strings, keys sorted (Kafka writes a Properties, in no set order). */
export function encodeEntityConfig(config: Readonly<Record<string, string>>): Buffer {
  return encode({ version: 1, config: Object.fromEntries(Object.entries(config).sort(([a], [b]) => a.localeCompare(b))) });
}

export function decodeEntityConfig(what: string, data: Buffer): Record<string, string> {
  // Kafka reads an empty znode, or one without "config", as no overrides.
  if (data.length === 0) return {};
  const json = parse(what, data);
  return json.config === undefined ? {} : stringMap(what, data, json.config, 'config');
}

// ---- /config/changes/config_change_<seq> -----------------------------------

export interface ZkConfigChange {
  /** topics, brokers, clients, users. */
  entityType: string;
  /** A topic, a broker id or <default>. */
  entityName: string;
}

/** Version 2: {"entity_path":"topics/orders"}. */
export function encodeConfigChange(change: ZkConfigChange): Buffer {
  return encode({ version: 2, entity_path: `${change.entityType}/${change.entityName}` });
}

/** Versions 1 ({"entity_type","entity_name"}) and 2 (ConfigChangeNotificationHandler). */
export function decodeConfigChange(data: Buffer): ZkConfigChange {
  const what = 'config change notification';
  const json = parse(what, data);
  const version = int(what, data, json, 'version');
  if (version === 1) return { entityType: str(what, data, json, 'entity_type'), entityName: str(what, data, json, 'entity_name') };
  if (version !== 2) throw new ZkDataError(what, data, `unsupported version ${version}`);
  const path = str(what, data, json, 'entity_path');
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1) throw new ZkDataError(what, data, `bad entity_path ${path}`);
  return { entityType: path.slice(0, slash), entityName: path.slice(slash + 1) };
}

// ---- /isr_change_notification/isr_change_<seq> ----------------------------

export interface ZkTopicPartition {
  topic: string;
  partition: number;
}

export function encodeIsrChange(partitions: readonly ZkTopicPartition[]): Buffer {
  return encode({ version: 1, partitions: partitions.map((p) => ({ topic: p.topic, partition: p.partition })) });
}

export function decodeIsrChange(data: Buffer): ZkTopicPartition[] {
  const what = 'ISR change notification';
  const json = parse(what, data);
  if (!Array.isArray(json.partitions)) throw new ZkDataError(what, data, 'partitions is not a list');
  return json.partitions.map((p: unknown) => {
    if (typeof p !== 'object' || p === null) throw new ZkDataError(what, data, 'a partition is not an object');
    return { topic: str(what, data, p as Json, 'topic'), partition: int(what, data, p as Json, 'partition') };
  });
}

// ---- /cluster/id, /latest_producer_id_block --------------------------------

/** Kafka writes this version as a string. */
export function encodeClusterId(id: string): Buffer {
  return encode({ version: '1', id });
}

export function decodeClusterId(data: Buffer): string {
  return str('cluster id', data, parse('cluster id', data), 'id');
}

export interface ZkProducerIdBlock {
  /** The broker that claimed it. */
  brokerId: number;
  /** First and last id of the block, inclusive. */
  blockStart: bigint;
  blockEnd: bigint;
}

/** Block bounds as decimal strings (they are longs), ProducerIdManager.generateProducerIdBlockJson. */
export function encodeProducerIdBlock(block: ZkProducerIdBlock): Buffer {
  return encode({ version: 1, broker: block.brokerId, block_start: String(block.blockStart), block_end: String(block.blockEnd) });
}

export function decodeProducerIdBlock(data: Buffer): ZkProducerIdBlock {
  const what = 'producer id block';
  const json = parse(what, data);
  const long = (key: string): bigint => {
    const value = str(what, data, json, key);
    if (!/^-?\d+$/.test(value)) throw new ZkDataError(what, data, `${key} is not a number`);
    return BigInt(value);
  };
  return { brokerId: int(what, data, json, 'broker'), blockStart: long('block_start'), blockEnd: long('block_end') };
}
