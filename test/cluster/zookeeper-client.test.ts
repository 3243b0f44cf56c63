// The ZooKeeper client against a real ZooKeeper 3.8: the happy paths, and what
// the cluster depends on when things fail: conditional writes, ephemeral znodes
// that go with their session, sessions that survive a server restart or pause,
// expiry noticed by a client that was cut off, watches.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ZooKeeperClient, ZooKeeperError, type ZkWatchEvent } from '../../src/cluster/zookeeper-client.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { nextEvent, waitUntil, within } from '../helpers/wait.js';
import { startZooKeeper, type ZooKeeperServer } from '../helpers/zookeeper.js';

const CONNECT_TIMEOUT_MS = 10_000;
/** Bound for anything that waits on a reconnection or an expiry. */
const WAIT_MS = 30_000;

let zk: ZooKeeperServer;
before(async () => { zk = await startZooKeeper(); });
after(async () => { await zk.stop(); });

function open(connect = zk.connectString, sessionTimeoutMs = 4_000): Promise<ZooKeeperClient> {
  return ZooKeeperClient.connect({ connect, sessionTimeoutMs, connectionTimeoutMs: CONNECT_TIMEOUT_MS });
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<ZooKeeperError> {
  const error = await promise.then(() => assert.fail(`expected ${code}`), (e: unknown) => e);
  assert.ok(error instanceof ZooKeeperError, String(error));
  assert.equal(error.code, code, error.message);
  return error;
}

describe('ZooKeeperClient', { timeout: 180_000 }, () => {
  test('connects under a chroot it creates, and keeps everything below it', async () => {
    const client = await open(`${zk.connectString}/samsa/c1`);
    const root = await open();
    try {
      await client.create('/a', Buffer.from('x'));
      assert.deepEqual(await root.getChildren('/samsa/c1'), ['a']);
      assert.equal((await root.getData('/samsa/c1/a')).data.toString(), 'x');
      assert.deepEqual(await client.getChildren('/'), ['a']);
    } finally {
      await client.close();
      await root.close();
    }
  });

  test('create, get, set, exists, children, delete; errors name the code, operation and path', async () => {
    const client = await open(`${zk.connectString}/happy`);
    try {
      assert.equal(await client.create('/t', Buffer.from('{"v":1}')), '/t');
      assert.equal(await client.exists('/missing'), null);
      const { data, stat } = await client.getData('/t');
      assert.equal(data.toString(), '{"v":1}');
      assert.equal(stat.version, 0);
      assert.equal(stat.ephemeralOwner, 0n);
      assert.equal((await client.setData('/t', Buffer.from('2'))).version, 1);
      assert.equal((await client.exists('/t'))?.dataLength, 1);

      await client.createParents('/t/p/q');
      await client.create('/t/b', null);
      assert.deepEqual(await client.getChildren('/t'), ['b', 'p']);
      assert.equal((await client.getData('/t/b')).data.length, 0);

      const seq = await client.create('/t/seq_', null, 'persistent_sequential');
      assert.match(seq, /^\/t\/seq_\d{10}$/);

      const exists = await rejectsWith(client.create('/t', null), 'NODE_EXISTS');
      assert.equal(exists.message, 'ZooKeeper create /t: NODE_EXISTS');
      await rejectsWith(client.getData('/nope'), 'NO_NODE');
      await rejectsWith(client.create('/nope/child', null), 'NO_NODE');
      await rejectsWith(client.delete('/t'), 'NOT_EMPTY');
      await client.delete('/t/b');
      assert.equal(await client.exists('/t/b'), null);
    } finally {
      await client.close();
    }
  });

  test('conditional set and delete with a stale version fail with BAD_VERSION and change nothing', async () => {
    const a = await open(`${zk.connectString}/cas`);
    const b = await open(`${zk.connectString}/cas`);
    try {
      await a.create('/state', Buffer.from('v0'));
      const { stat } = await a.getData('/state');
      assert.equal((await b.setData('/state', Buffer.from('b'), stat.version)).version, 1);
      // a still holds version 0: its write must not overwrite b's
      await rejectsWith(a.setData('/state', Buffer.from('a'), stat.version), 'BAD_VERSION');
      await rejectsWith(a.delete('/state', stat.version), 'BAD_VERSION');
      assert.equal((await a.getData('/state')).data.toString(), 'b');
      await a.delete('/state', 1);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('multi applies all operations or none, a check of version 0 included', async () => {
    const client = await open(`${zk.connectString}/multi`);
    try {
      await client.create('/epoch', Buffer.from('1'));
      const results = await client.multi([
        { op: 'check', path: '/epoch', version: 0 },
        { op: 'create', path: '/x', data: Buffer.from('x') },
        { op: 'create', path: '/seq-', data: null, mode: 'persistent_sequential' },
        { op: 'setData', path: '/epoch', data: Buffer.from('2'), version: 0 },
      ]);
      assert.equal(results[1].path, '/x');
      assert.match(results[2].path ?? '', /^\/seq-\d{10}$/);
      assert.equal(results[3].stat?.version, 1);

      // /epoch is at version 1 now: a check of version 0 must fail the whole multi
      const error = await rejectsWith(client.multi([
        { op: 'create', path: '/y', data: null },
        { op: 'check', path: '/epoch', version: 0 },
        { op: 'delete', path: '/x', version: -1 },
      ]), 'BAD_VERSION');
      assert.equal(error.failedOp, 1);
      assert.equal(error.path, '/epoch');
      assert.equal(await client.exists('/y'), null);
      assert.notEqual(await client.exists('/x'), null);

      // and a conditional write of version 0 on a newer znode as well
      await client.create('/fresh', Buffer.from('0'));
      await client.setData('/fresh', Buffer.from('1'));
      await rejectsWith(client.multi([{ op: 'setData', path: '/fresh', data: Buffer.from('z'), version: 0 }]), 'BAD_VERSION');
      await rejectsWith(client.multi([{ op: 'delete', path: '/fresh', version: 0 }]), 'BAD_VERSION');
      assert.equal((await client.getData('/fresh')).data.toString(), '1');
    } finally {
      await client.close();
    }
  });

  test('watches fire once for data changes, children and creation; the caller re-arms them', async () => {
    const client = await open(`${zk.connectString}/watch`);
    const other = await open(`${zk.connectString}/watch`);
    try {
      await client.create('/w', Buffer.from('0'));
      const events: ZkWatchEvent[] = [];
      await client.getData('/w', (e) => events.push(e));
      await client.getChildren('/w', (e) => events.push(e));
      await client.exists('/w/later', (e) => events.push(e));
      await other.setData('/w', Buffer.from('1'));
      await other.setData('/w', Buffer.from('2')); // the data watch was used up by the first change
      await other.create('/w/later', null);
      await waitUntil('three watch events', WAIT_MS, () => events.length >= 3);
      await other.delete('/w/later');
      // a getData round trip orders anything still due before it
      await client.getData('/w');
      assert.deepEqual(events.sort((x, y) => x.type.localeCompare(y.type)), [
        { type: 'childrenChanged', path: '/w' },
        { type: 'created', path: '/w/later' },
        { type: 'dataChanged', path: '/w' },
      ]);
    } finally {
      await client.close();
      await other.close();
    }
  });

  test('an ephemeral znode goes when its session is closed; a closed client refuses requests', async () => {
    const owner = await open(`${zk.connectString}/eph`);
    const observer = await open(`${zk.connectString}/eph`);
    try {
      await owner.create('/brokers', null);
      await owner.create('/brokers/1', Buffer.from('{}'), 'ephemeral');
      const stat = await observer.exists('/brokers/1');
      assert.equal(stat?.ephemeralOwner, BigInt(`0x${owner.sessionId}`));
      let onGone!: (e: ZkWatchEvent) => void;
      const gone = new Promise<ZkWatchEvent>((resolve) => { onGone = resolve; });
      // The watch is set once the answer is back: only then may the owner's session end.
      assert.ok(await observer.exists('/brokers/1', onGone));
      await owner.close();
      assert.deepEqual(await within('the ephemeral znode to go', WAIT_MS, gone), { type: 'deleted', path: '/brokers/1' });
      assert.equal(owner.state, 'closed');
      await rejectsWith(owner.getData('/brokers'), 'CLOSED');
      await rejectsWith(owner.create('/brokers/x', null, 'ephemeral_sequential'), 'CLOSED');
    } finally {
      await owner.close();
      await observer.close();
    }
  });

  test('a server restart within the session timeout keeps the session, its ephemeral znodes and watches', async () => {
    const client = await open(`${zk.connectString}/restart`, 10_000);
    try {
      await client.create('/eph', Buffer.from('me'), 'ephemeral');
      await client.create('/watched', Buffer.from('0'));
      const session = client.sessionId;
      let changed!: Promise<ZkWatchEvent>;
      await new Promise<void>((armed) => {
        changed = new Promise((resolve) => { void client.getData('/watched', resolve).then(() => armed()); });
      });
      const disconnected = nextEvent(client, 'disconnected', WAIT_MS);
      await zk.kill9();
      await disconnected;
      assert.equal(client.state, 'disconnected');
      const reconnected = nextEvent(client, 'connected', WAIT_MS);
      await zk.restart();
      await reconnected;
      assert.equal(client.sessionId, session);
      assert.equal((await client.getData('/eph')).data.toString(), 'me');
      // the watch was registered again on the new connection
      await client.setData('/watched', Buffer.from('1'));
      assert.deepEqual(await within('the data watch', WAIT_MS, changed), { type: 'dataChanged', path: '/watched' });
    } finally {
      await client.close();
    }
  });

  test('a paused server: requests wait, the session survives a pause shorter than its timeout', async () => {
    const client = await open(`${zk.connectString}/pause`, 6_000);
    try {
      await client.create('/eph', Buffer.from('me'), 'ephemeral');
      const session = client.sessionId;
      zk.pause();
      // longer than the 2/3 of the session timeout after which the connection is given up
      const reply = client.getData('/eph').then((r) => r.data.toString(), (e: ZooKeeperError) => e.code);
      await nextEvent(client, 'disconnected', WAIT_MS);
      zk.resume();
      assert.ok(['me', 'CONNECTION_LOSS'].includes(await reply));
      await waitUntil('reconnection', WAIT_MS, () => client.state === 'connected');
      assert.equal(client.sessionId, session);
      assert.equal((await client.getData('/eph')).data.toString(), 'me');
    } finally {
      zk.resume();
      await client.close();
    }
  });

  test('a client cut off beyond its session timeout loses its ephemeral znodes and learns of the expiry', async () => {
    const proxy = await startTcpProxy(zk.port);
    const client = await open(`127.0.0.1:${proxy.port}/expiry`, 1_500);
    const observer = await open(`${zk.connectString}/expiry`);
    try {
      await client.create('/eph', null, 'ephemeral');
      const expired = nextEvent(client, 'expired', WAIT_MS);
      proxy.cut();
      // a request in flight fails when the dead connection is given up
      const inFlight = client.getData('/eph').then(() => 'answered', (e: ZooKeeperError) => e.code);
      await waitUntil('the ephemeral znode to go', WAIT_MS, async () => (await observer.exists('/eph')) === null);
      proxy.heal();
      await expired;
      assert.equal(client.state, 'expired');
      assert.ok(['CONNECTION_LOSS', 'SESSION_EXPIRED'].includes(await inFlight), await inFlight);
      await rejectsWith(client.create('/eph', null, 'ephemeral'), 'SESSION_EXPIRED');
      // a new session is a new client
      const next = await open(`127.0.0.1:${proxy.port}/expiry`, 1_500);
      assert.notEqual(next.sessionId, client.sessionId);
      await next.create('/eph', null, 'ephemeral');
      await next.close();
    } finally {
      await client.close();
      await observer.close();
      await proxy.close();
    }
  });

  test('connecting to a server that is not there fails with a clear error', async () => {
    const proxy = await startTcpProxy(zk.port);
    proxy.cut(); // accepts connections, never answers
    try {
      await assert.rejects(
        ZooKeeperClient.connect({ connect: `127.0.0.1:${proxy.port}`, sessionTimeoutMs: 2_000, connectionTimeoutMs: 1_000 }),
        { message: `could not connect to ZooKeeper at 127.0.0.1:${proxy.port} within 1000 ms` },
      );
    } finally {
      await proxy.close();
    }
  });
});
