// The inter-broker channel against a real Samsa broker: requests by broker id,
// pipelined on one connection, header v1 and v2, deadlines, reconnects, close.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BrokerChannel, BrokerChannelError } from '../../src/cluster/broker-channel.js';
import type { BrokerRegistration } from '../../src/cluster/metadata-store.js';
import { startBroker, type EmbeddedBroker } from '../../src/embedded.js';
import { ApiKey } from '../../src/protocol/api-keys.js';
import type { ApiVersionsResponse } from '../../src/protocol/messages/api-versions.js';
import type { MetadataRequest, MetadataResponse } from '../../src/protocol/messages/metadata.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

const REMOTE = 7;
/** ApiVersions v3+ needs a client software name. */
const SOFTWARE = { clientSoftwareName: 'samsa-broker', clientSoftwareVersion: '0.1.0' };
let broker: EmbeddedBroker;
let proxy: TcpProxy;
/** What the channel's directory (a metadata store in the broker) answers; tests move broker 7 around. */
let registered: BrokerRegistration[] = [];
const directory = { liveBrokers: () => registered };

before(async () => {
  broker = await startBroker({ topics: [{ name: 'events', partitions: 3 }] });
  proxy = await startTcpProxy(broker.port);
});
after(async () => {
  await proxy?.close();
  await broker?.stop();
});

const at = (port: number): BrokerRegistration[] => [{ nodeId: REMOTE, host: '127.0.0.1', port, rack: null }];
const metadataOf = (topic: string) => ({ topics: [{ topicId: Buffer.alloc(16), name: topic }], allowAutoTopicCreation: false });

test('ApiVersions and Metadata at the codecs\' highest versions (header v2) and at a classic version (header v1)', async () => {
  registered = at(broker.port);
  const channel = new BrokerChannel(directory, { clientId: 'broker-1-test', requestTimeoutMs: 5000 });
  try {
    const versions = await channel.request<ApiVersionsResponse>(REMOTE, ApiKey.ApiVersions, SOFTWARE);
    assert.equal(versions.errorCode, 0);
    assert.ok(versions.apiKeys.some((k) => k.apiKey === ApiKey.Fetch));
    const flexible = await channel.request<MetadataResponse, MetadataRequest>(REMOTE, ApiKey.Metadata, metadataOf('events'));
    assert.deepEqual(flexible.topics.map((t) => [t.name, t.partitions.length]), [['events', 3]]);
    const classic = await channel.request<MetadataResponse, MetadataRequest>(REMOTE, ApiKey.Metadata, metadataOf('events'), { version: 4 });
    assert.deepEqual(classic.topics.map((t) => [t.name, t.partitions.length]), [['events', 3]]);
    assert.equal(classic.brokers[0].port, broker.port);
  } finally {
    channel.close();
  }
});

test('pipelined requests on one connection each get their own answer', async () => {
  registered = at(broker.port);
  const channel = new BrokerChannel(directory, { clientId: 'broker-1-test', requestTimeoutMs: 5000 });
  try {
    const topics = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 'events' : `missing-${i}`));
    const answers = await Promise.all(topics.map((t) => channel.request<MetadataResponse, MetadataRequest>(REMOTE, ApiKey.Metadata, metadataOf(t))));
    assert.deepEqual(answers.map((a) => a.topics[0].name), topics);
    assert.deepEqual(answers.map((a) => a.topics[0].errorCode === 0), topics.map((t) => t === 'events'));
  } finally {
    channel.close();
  }
});

test('an unanswered request fails at its deadline, and the next one reconnects', async () => {
  registered = at(proxy.port);
  const channel = new BrokerChannel(directory, { clientId: 'broker-1-test', requestTimeoutMs: 300 });
  try {
    await channel.request(REMOTE, ApiKey.ApiVersions, SOFTWARE);
    proxy.cut();
    await assert.rejects(channel.request(REMOTE, ApiKey.ApiVersions, SOFTWARE), (e: Error) => e instanceof BrokerChannelError && /no response within 300 ms/.test(e.message));
    proxy.heal();
    const versions = await channel.request<ApiVersionsResponse>(REMOTE, ApiKey.ApiVersions, SOFTWARE);
    assert.equal(versions.errorCode, 0);
  } finally {
    proxy.heal();
    channel.close();
  }
});

test('a broker that re-registers at another address is reached there; an unknown broker is refused', async () => {
  registered = at(proxy.port);
  const channel = new BrokerChannel(directory, { clientId: 'broker-1-test', requestTimeoutMs: 5000 });
  try {
    await channel.request(REMOTE, ApiKey.ApiVersions, SOFTWARE);
    proxy.cut(); // a request still going to the old address would time out
    registered = at(broker.port);
    const versions = await channel.request<ApiVersionsResponse>(REMOTE, ApiKey.ApiVersions, SOFTWARE);
    assert.equal(versions.errorCode, 0);
    await assert.rejects(channel.request(REMOTE + 1, ApiKey.ApiVersions, SOFTWARE), /broker 8 is not alive/);
  } finally {
    proxy.heal();
    channel.close();
  }
});

test('close() fails requests in flight and refuses later ones', async () => {
  registered = at(proxy.port);
  const channel = new BrokerChannel(directory, { clientId: 'broker-1-test', requestTimeoutMs: 5000 });
  try {
    proxy.cut();
    const inFlight = channel.request(REMOTE, ApiKey.ApiVersions, SOFTWARE);
    channel.close();
    await assert.rejects(inFlight, BrokerChannelError);
    await assert.rejects(channel.request(REMOTE, ApiKey.ApiVersions, SOFTWARE), /closed/);
  } finally {
    proxy.heal();
  }
});

test('a refused connection fails the request at once', async () => {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve)); // nothing listens there now
  registered = at(port);
  const channel = new BrokerChannel(directory, { clientId: 'broker-1-test', requestTimeoutMs: 60_000 });
  try {
    await assert.rejects(channel.request(REMOTE, ApiKey.ApiVersions, SOFTWARE), /ECONNREFUSED/);
  } finally {
    channel.close();
  }
});
