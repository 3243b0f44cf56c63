// Config documentation (DescribeConfigs v3+): every key Samsa defines has a doc,
// and the docs are ordered topic keys first, then broker keys, each by name.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONFIG_DOCS, configDoc } from '../../src/broker/config-docs.js';
import { BROKER_CONFIG_DEFS } from '../../src/broker/config.js';
import { TOPIC_CONFIG_DEFS } from '../../src/storage/topic-config.js';

const topicKeys = [...TOPIC_CONFIG_DEFS.keys()];
const brokerOnlyKeys = [...BROKER_CONFIG_DEFS.keys()].filter((k) => !TOPIC_CONFIG_DEFS.has(k));

test('every topic and broker config key has a doc', () => {
  const missing = [...topicKeys, ...brokerOnlyKeys].filter((k) => configDoc(k) === null);
  assert.deepEqual(missing, []);
});

test('every doc is a non-empty text ending in a full stop', () => {
  for (const [key, doc] of CONFIG_DOCS) {
    assert.ok(doc.trim().length > 0, `${key} has an empty doc`);
    assert.ok(doc.endsWith('.'), `${key}'s doc does not end with a full stop`);
  }
});

test('docs are only for defined keys, topic keys first, each group by name', () => {
  const byName = (keys: string[]): string[] => [...keys].sort();
  assert.deepEqual([...CONFIG_DOCS.keys()], [...byName(topicKeys), ...byName(brokerOnlyKeys)]);
});

test('an unknown key has no doc', () => {
  assert.equal(configDoc('no.such.key'), null);
});
