// Broker configuration: Kafka's keys and defaults, clear errors naming the key.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BrokerConfig, parseListener } from '../../src/broker/config.js';
import { parseProperties } from '../../src/cluster/properties.js';

test('defaults are Kafka\'s', () => {
  const c = BrokerConfig.parse({});
  assert.equal(c.nodeId, 0);
  assert.deepEqual(c.listeners, [{ name: 'PLAINTEXT', host: '', port: 9092 }]);
  assert.deepEqual(c.logDirs, ['/tmp/kafka-logs']);
  assert.equal(c.int('num.partitions'), 1);
  assert.equal(c.int('message.max.bytes'), 1048588);
  assert.equal(c.int('log.segment.bytes'), 1073741824);
  assert.equal(c.int('socket.request.max.bytes'), 104857600);
  assert.equal(c.bool('auto.create.topics.enable'), true);
  const topic = c.topicDefaults();
  assert.equal(topic['segment.ms'], 168 * 3_600_000);
  assert.equal(topic['retention.ms'], 168 * 3_600_000);
  assert.equal(topic['flush.messages'], Number.MAX_SAFE_INTEGER);
});

test('server.properties values are parsed and derived keys follow Kafka\'s precedence', () => {
  const props = parseProperties([
    '# comment', '! also a comment', 'broker.id = 3', 'log.dirs=/a,/b', 'listeners: PLAINTEXT://127.0.0.1:9093',
    'log.roll.hours=2', 'log.retention.minutes=5', 'log.flush.interval.messages=9223372036854775807',
    'advertised.listeners=PLAINTEXT://example.com:19093', 'log.message.timestamp.type \\', '  LogAppendTime',
  ].join('\n'));
  const c = BrokerConfig.parse(props);
  assert.equal(c.nodeId, 3);
  assert.deepEqual(c.logDirs, ['/a', '/b']);
  assert.deepEqual(c.advertisedListeners, [{ name: 'PLAINTEXT', host: 'example.com', port: 19093 }]);
  assert.equal(c.topicDefaults()['segment.ms'], 2 * 3_600_000);
  assert.equal(c.topicDefaults()['retention.ms'], 5 * 60_000);
  assert.equal(c.topicDefaults()['message.timestamp.type'], 'LogAppendTime');
  assert.equal(c.int('log.flush.interval.messages'), Number.MAX_SAFE_INTEGER);
});

test('a malformed value stops start-up naming the key', () => {
  assert.throws(() => BrokerConfig.parse({ 'num.partitions': 'many' }), /num\.partitions.*not an integer/);
  assert.throws(() => BrokerConfig.parse({ 'num.partitions': '0' }), /num\.partitions.*at least 1/);
  assert.throws(() => BrokerConfig.parse({ 'auto.create.topics.enable': 'yes' }), /auto\.create\.topics\.enable.*true or false/);
  assert.throws(() => BrokerConfig.parse({ listeners: 'localhost:9092' }), /listeners.*PLAINTEXT:\/\/host:port/);
  assert.throws(() => BrokerConfig.parse({ 'log.message.timestamp.type': 'Now' }), /log\.message\.timestamp\.type.*one of/);
  assert.throws(() => BrokerConfig.parse({ 'message.max.bytes': '99999999999' }), /message\.max\.bytes.*out of range/);
  assert.throws(() => BrokerConfig.parse({ 'node.id': '1', 'broker.id': '2' }), /node\.id/);
});

test('an unknown key stops start-up; a Kafka key Samsa does not use gets one warning', () => {
  assert.throws(() => BrokerConfig.parse({ 'num.partitons': '3' }), /num\.partitons: unknown config key/);
  const c = BrokerConfig.parse({ 'num.network.threads': '3', 'num.io.threads': '8' });
  assert.equal(c.warnings.length, 2);
  assert.match(c.warnings[0], /num\.network\.threads/);
});

test('listeners: IPv6, empty host, bad port', () => {
  assert.deepEqual(parseListener('PLAINTEXT://[::1]:9092'), { name: 'PLAINTEXT', host: '::1', port: 9092 });
  assert.deepEqual(parseListener('PLAINTEXT://:9092'), { name: 'PLAINTEXT', host: '', port: 9092 });
  assert.throws(() => parseListener('PLAINTEXT://h:70000'), /above 65535/);
});
