// Kafka 2.x's znode formats. The KAFKA_* strings were read from the ZooKeeper of a
// real Kafka 2.4.1 broker (built from source, run by hand with broker.rack=rack-a and
// a chroot; a topic created with configs and grown to 4 partitions, broker configs
// set for the default and for broker 1, an idempotent producer started).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_ENTITY, PERSISTENT_PATHS, ZkDataError, decodeBrokerInfo, decodeClusterId, decodeConfigChange, decodeController,
  decodeControllerEpoch, decodeEntityConfig, decodeIsrChange, decodePartitionState, decodeProducerIdBlock,
  decodeTopicAssignment, encodeBrokerInfo, encodeClusterId, encodeConfigChange, encodeController, encodeControllerEpoch,
  encodeEntityConfig, encodeIsrChange, encodePartitionState, encodeProducerIdBlock, encodeTopicAssignment, zkPaths,
} from '../../src/cluster/zk-layout.js';

const KAFKA_BROKER = '{"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"endpoints":["PLAINTEXT://127.0.0.1:19093"],'
  + '"rack":"rack-a","jmx_port":-1,"host":"127.0.0.1","timestamp":"1796640952541","port":19093,"version":4}';
const KAFKA_TOPIC = '{"version":2,"partitions":{"2":[1],"1":[1],"0":[1],"3":[1]},"adding_replicas":{},"removing_replicas":{}}';
const KAFKA_STATE = '{"controller_epoch":1,"leader":1,"version":1,"leader_epoch":0,"isr":[1]}';
const KAFKA_CONTROLLER = '{"version":1,"brokerid":1,"timestamp":"1796640952648"}';
const KAFKA_CLUSTER_ID = '{"version":"1","id":"AfbJ7Om_Rh6VfXRqI8jBQA"}';
const KAFKA_TOPIC_CONFIG = '{"version":1,"config":{"cleanup.policy":"compact","max.message.bytes":"2000000","retention.ms":"86400000"}}';
const KAFKA_DEFAULT_BROKER_CONFIG = '{"version":1,"config":{"log.retention.ms":"3600000"}}';
const KAFKA_CONFIG_CHANGES = ['{"version":2,"entity_path":"brokers/<default>"}', '{"version":2,"entity_path":"topics/orders"}'];
const KAFKA_PRODUCER_ID_BLOCK = '{"version":1,"broker":1,"block_start":"0","block_end":"999"}';

const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');

test('paths as Kafka names them; the cluster default broker entity is <default>', () => {
  assert.equal(zkPaths.broker(3), '/brokers/ids/3');
  assert.equal(zkPaths.topic('orders'), '/brokers/topics/orders');
  assert.equal(zkPaths.partitionState('orders', 2), '/brokers/topics/orders/partitions/2/state');
  assert.equal(zkPaths.topicConfig('orders'), '/config/topics/orders');
  assert.equal(zkPaths.brokerConfig(''), `/config/brokers/${DEFAULT_ENTITY}`);
  assert.equal(zkPaths.brokerConfig('1'), '/config/brokers/1');
  assert.equal(zkPaths.deleteTopic('gone'), '/admin/delete_topics/gone');
  assert.equal(`${zkPaths.configChangePrefix}0000000002`, '/config/changes/config_change_0000000002');
  // the paths Kafka 2.4.1 had created in its chroot
  for (const p of ['/brokers/ids', '/brokers/topics', '/brokers/seqid', '/config/changes', '/admin/delete_topics',
    '/isr_change_notification', '/latest_producer_id_block', '/log_dir_event_notification', '/consumers',
    '/config/topics', '/config/brokers', '/config/clients', '/config/users']) {
    assert.ok(PERSISTENT_PATHS.includes(p), p);
  }
});

test('broker registration: Kafka\'s bytes read, and written identically', () => {
  const info = decodeBrokerInfo(1, bytes(KAFKA_BROKER));
  assert.deepEqual(info, {
    id: 1,
    endpoints: [{ listener: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port: 19093 }],
    rack: 'rack-a',
    jmxPort: -1,
    timestamp: 1796640952541,
  });
  assert.equal(encodeBrokerInfo(info).toString(), KAFKA_BROKER);
});

test('broker registration: several listeners, no rack, IPv6, and the older versions Kafka reads', () => {
  const info = {
    id: 2,
    endpoints: [
      { listener: 'INTERNAL', securityProtocol: 'PLAINTEXT', host: '::1', port: 9094 },
      { listener: 'CLIENT', securityProtocol: 'SSL', host: '', port: 9095 },
    ],
    rack: null,
    jmxPort: 9999,
    timestamp: 5,
  };
  const json = JSON.parse(encodeBrokerInfo(info).toString());
  assert.deepEqual(json.endpoints, ['INTERNAL://[::1]:9094', 'CLIENT://:9095']);
  assert.deepEqual(json.listener_security_protocol_map, { INTERNAL: 'PLAINTEXT', CLIENT: 'SSL' });
  assert.equal(json.host, '::1');
  assert.equal(json.port, 9094);
  assert.equal('rack' in json, false);
  assert.deepEqual(decodeBrokerInfo(2, encodeBrokerInfo(info)), info);

  // examples of ZkData.scala's BrokerIdZNode.decode documentation
  assert.deepEqual(decodeBrokerInfo(7, bytes('{"version":1,"host":"localhost","port":9092,"jmx_port":9999,"timestamp":"2233345666"}')).endpoints,
    [{ listener: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: 'localhost', port: 9092 }]);
  const v3 = decodeBrokerInfo(7, bytes('{"version":3,"host":"localhost","port":9092,"jmx_port":9999,"timestamp":"2233345666",'
    + '"endpoints":["PLAINTEXT://host1:9092", "SSL://host1:9093"],"rack":"dc1"}'));
  assert.deepEqual(v3.endpoints.map((e) => `${e.listener}/${e.securityProtocol}`), ['PLAINTEXT/PLAINTEXT', 'SSL/SSL']);
  assert.equal(v3.rack, 'dc1');
  assert.throws(() => decodeBrokerInfo(7, bytes('{"version":0,"jmx_port":1}')), ZkDataError);
  assert.throws(() => decodeBrokerInfo(7, bytes('{"version":4,"endpoints":["X://h:1"],"listener_security_protocol_map":{},"jmx_port":1}')),
    /no security protocol for listener X/);
});

test('topic assignment: Kafka\'s bytes read; written as version 2 with the reassignment state', () => {
  const assignment = decodeTopicAssignment('orders', bytes(KAFKA_TOPIC));
  assert.deepEqual([...assignment.keys()], [0, 1, 2, 3]);
  assert.deepEqual(assignment.get(2), { replicas: [1], addingReplicas: [], removingReplicas: [] });
  assert.deepEqual(JSON.parse(encodeTopicAssignment(assignment).toString()), JSON.parse(KAFKA_TOPIC));

  const moving = new Map([
    [1, { replicas: [3, 1, 2], addingReplicas: [3], removingReplicas: [] }],
    [0, { replicas: [1, 2, 4], addingReplicas: [4], removingReplicas: [3] }],
  ]);
  assert.equal(encodeTopicAssignment(moving).toString(),
    '{"version":2,"partitions":{"0":[1,2,4],"1":[3,1,2]},"adding_replicas":{"0":[4],"1":[3]},"removing_replicas":{"0":[3]}}');
  assert.deepEqual(decodeTopicAssignment('t', encodeTopicAssignment(moving)), new Map([...moving].reverse()));
  // version 1 (before Kafka 2.4)
  assert.deepEqual(decodeTopicAssignment('t', bytes('{"version":1,"partitions":{"0":[1,2]}}')).get(0),
    { replicas: [1, 2], addingReplicas: [], removingReplicas: [] });
  assert.throws(() => decodeTopicAssignment('t', bytes('{"version":2,"partitions":{"0":"1"}}')), /partitions\.0 is not a list/);
});

test('partition state, controller and controller epoch: Kafka\'s bytes read and written identically', () => {
  const state = decodePartitionState('orders', 0, bytes(KAFKA_STATE));
  assert.deepEqual(state, { leader: 1, leaderEpoch: 0, isr: [1], controllerEpoch: 1 });
  assert.equal(encodePartitionState(state).toString(), KAFKA_STATE);
  const leaderless = { leader: -1, leaderEpoch: 7, isr: [3], controllerEpoch: 4 };
  assert.deepEqual(decodePartitionState('t', 1, encodePartitionState(leaderless)), leaderless);

  assert.deepEqual(decodeController(bytes(KAFKA_CONTROLLER)), { brokerId: 1, timestamp: 1796640952648 });
  assert.equal(encodeController(1, 1796640952648).toString(), KAFKA_CONTROLLER);
  assert.equal(decodeControllerEpoch(bytes('1')), 1);
  assert.equal(encodeControllerEpoch(12).toString(), '12');
  assert.throws(() => decodeControllerEpoch(bytes('x')), ZkDataError);
});

test('entity configs and their change notifications as Kafka writes them', () => {
  const topicConfig = decodeEntityConfig('config of topic orders', bytes(KAFKA_TOPIC_CONFIG));
  assert.deepEqual(topicConfig, { 'cleanup.policy': 'compact', 'max.message.bytes': '2000000', 'retention.ms': '86400000' });
  assert.equal(encodeEntityConfig(topicConfig).toString(), KAFKA_TOPIC_CONFIG);
  assert.equal(encodeEntityConfig({ 'log.retention.ms': '3600000' }).toString(), KAFKA_DEFAULT_BROKER_CONFIG);
  assert.deepEqual(decodeEntityConfig('x', Buffer.alloc(0)), {});
  assert.deepEqual(decodeEntityConfig('x', bytes('{"version":1}')), {});
  assert.throws(() => decodeEntityConfig('config of topic t', bytes('{"version":1,"config":{"a":1}}')),
    /malformed config of topic t in ZooKeeper \(config is not a map of strings\)/);

  assert.deepEqual(KAFKA_CONFIG_CHANGES.map((s) => decodeConfigChange(bytes(s))), [
    { entityType: 'brokers', entityName: DEFAULT_ENTITY },
    { entityType: 'topics', entityName: 'orders' },
  ]);
  assert.equal(encodeConfigChange({ entityType: 'topics', entityName: 'orders' }).toString(), KAFKA_CONFIG_CHANGES[1]);
  assert.deepEqual(decodeConfigChange(bytes('{"version":1,"entity_type":"topics","entity_name":"a"}')), { entityType: 'topics', entityName: 'a' });
  assert.throws(() => decodeConfigChange(bytes('{"version":2,"entity_path":"topics"}')), /bad entity_path/);
});

test('cluster id, producer id block and ISR change notifications', () => {
  assert.equal(decodeClusterId(bytes(KAFKA_CLUSTER_ID)), 'AfbJ7Om_Rh6VfXRqI8jBQA');
  assert.equal(encodeClusterId('AfbJ7Om_Rh6VfXRqI8jBQA').toString(), KAFKA_CLUSTER_ID);

  const block = decodeProducerIdBlock(bytes(KAFKA_PRODUCER_ID_BLOCK));
  assert.deepEqual(block, { brokerId: 1, blockStart: 0n, blockEnd: 999n });
  assert.equal(encodeProducerIdBlock(block).toString(), KAFKA_PRODUCER_ID_BLOCK);
  const far = { brokerId: 2, blockStart: 9007199254741000n, blockEnd: 9007199254741999n };
  assert.deepEqual(decodeProducerIdBlock(encodeProducerIdBlock(far)), far);

  const isr = [{ topic: 'orders', partition: 3 }, { topic: 'x', partition: 0 }];
  assert.equal(encodeIsrChange(isr).toString(), '{"version":1,"partitions":[{"topic":"orders","partition":3},{"topic":"x","partition":0}]}');
  assert.deepEqual(decodeIsrChange(encodeIsrChange(isr)), isr);
  assert.throws(() => decodeIsrChange(bytes('not json')), /malformed ISR change notification in ZooKeeper \(not JSON\)/);
});
