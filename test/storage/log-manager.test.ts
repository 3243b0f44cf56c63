import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LogClosedError } from '../../src/storage/errors.js';
import { parsePartitionDirName } from '../../src/storage/file-names.js';
import { logConfig } from '../../src/storage/log-config.js';
import { LogManager } from '../../src/storage/log-manager.js';
import { makeTempDir, valueBatch } from './helpers.js';

const APPEND = { leaderEpoch: 0, timestampType: 'CreateTime', now: 1_700_000_000_000 } as const;
const ALL = { minOneBatch: true, maxOffset: Number.MAX_SAFE_INTEGER };

let tmp: ReturnType<typeof makeTempDir>;
let dirs = 0;
before(() => (tmp = makeTempDir()));
after(() => tmp.remove());
const freshDir = (): string => join(tmp.path, `m${dirs++}`);

describe('LogManager', () => {
  test('checkpoint files, leader epochs and the clean-shutdown marker use Kafka formats', async () => {
    const dir = freshDir();
    let manager = await LogManager.open({ logDirs: [dir] });
    const a = manager.createLog('orders', 0, logConfig());
    const b = manager.createLog('orders', 1, logConfig());
    a.append(valueBatch(3, 10), APPEND);
    a.append(valueBatch(2, 10), { ...APPEND, leaderEpoch: 2 });
    b.append(valueBatch(4, 10), APPEND);
    a.updateHighWatermark(3);
    b.updateHighWatermark(4);
    await manager.close();
    const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
    const entries = (name: string): string[] => read(name).split('\n').slice(2, -1).sort();
    assert.match(read('recovery-point-offset-checkpoint'), /^0\n2\n/);
    assert.deepEqual(entries('recovery-point-offset-checkpoint'), ['orders 0 5', 'orders 1 4']);
    assert.deepEqual(entries('replication-offset-checkpoint'), ['orders 0 3', 'orders 1 4']);
    assert.equal(read('log-start-offset-checkpoint'), '0\n0\n');
    assert.equal(readFileSync(join(dir, 'orders-0', 'leader-epoch-checkpoint'), 'utf8'), '0\n2\n0 0\n2 3\n');
    assert.equal(read('.kafka_cleanshutdown'), '');
    assert.ok(!existsSync(join(dir, '.lock')));
    assert.deepEqual(readdirSync(join(dir, 'orders-0')).sort(), [
      '00000000000000000000.index',
      '00000000000000000000.log',
      '00000000000000000000.timeindex',
      '00000000000000000005.snapshot',
      'leader-epoch-checkpoint',
    ]);

    manager = await LogManager.open({ logDirs: [dir] });
    assert.ok(!existsSync(join(dir, '.kafka_cleanshutdown')), 'marker removed once loaded');
    assert.ok(existsSync(join(dir, '.lock')));
    const reopened = manager.getLog('orders', 0)!;
    assert.deepEqual([reopened.logEndOffset, reopened.highWatermark, reopened.recoveryPoint], [5, 3, 5]);
    assert.equal(manager.getLog('orders', 1)!.logEndOffset, 4);
    await manager.close();
  });

  test('topics with dashes and dots; other entries of the log dir are ignored', async () => {
    assert.deepEqual(parsePartitionDirName('my-topic.v1-12'), { topic: 'my-topic.v1', partition: 12 });
    assert.deepEqual(parsePartitionDirName('a-b-c-0'), { topic: 'a-b-c', partition: 0 });
    for (const name of ['lost+found', 'topic', 'topic-', '-1', 'topic-x', 'orders-1.0123456789abcdef0123456789abcdef-delete', 'orders-0-future']) {
      assert.equal(parsePartitionDirName(name), undefined, name);
    }
    const dir = freshDir();
    let manager = await LogManager.open({ logDirs: [dir] });
    manager.createLog('my-topic.v1', 12, logConfig()).append(valueBatch(1, 5), APPEND);
    manager.createLog('a-b-c', 0, logConfig());
    assert.throws(() => manager.createLog('../x', 0, logConfig()), /invalid topic/);
    await manager.close();
    writeFileSync(join(dir, 'meta.properties'), 'version=0\nbroker.id=0\n');
    mkdirSync(join(dir, 'lost+found'));
    mkdirSync(join(dir, 'orders-0-future'));
    manager = await LogManager.open({ logDirs: [dir] });
    assert.deepEqual([...manager.allLogs()].map((l) => `${l.topic}/${l.partition}`).sort(), ['a-b-c/0', 'my-topic.v1/12']);
    assert.equal(manager.getLog('my-topic.v1', 12)!.logEndOffset, 1);
    await manager.close();
  });

  test('new partitions go to the log dir with the fewest partitions', async () => {
    const [d1, d2] = [freshDir(), freshDir()];
    let manager = await LogManager.open({ logDirs: [d1] });
    manager.createLog('x', 0, logConfig());
    manager.createLog('x', 1, logConfig());
    await manager.close();
    manager = await LogManager.open({ logDirs: [d1, d2] });
    for (let p = 2; p < 6; p++) manager.createLog('x', p, logConfig());
    assert.deepEqual(readdirSync(d1).filter((n) => n.startsWith('x-')).sort(), ['x-0', 'x-1', 'x-4']);
    assert.deepEqual(readdirSync(d2).filter((n) => n.startsWith('x-')).sort(), ['x-2', 'x-3', 'x-5']);
    assert.equal(manager.createLog('x', 2, logConfig()), manager.getLog('x', 2), 'create returns an existing log');
    await manager.close();
  });

  test('deleteLog renames the directory at once and removes it asynchronously', async () => {
    const dir = freshDir();
    const manager = await LogManager.open({ logDirs: [dir] });
    const log = manager.createLog('gone', 3, logConfig());
    log.append(valueBatch(10, 100), APPEND);
    const deletion = manager.deleteLog('gone', 3);
    assert.equal(manager.getLog('gone', 3), undefined);
    assert.ok(!existsSync(join(dir, 'gone-3')));
    assert.match(readdirSync(dir).join(' '), /gone-3\.[0-9a-f]{32}-delete/);
    await assert.rejects(log.read(0, 100, ALL), LogClosedError);
    await deletion;
    assert.ok(!readdirSync(dir).some((n) => n.startsWith('gone-3')));
    // a -delete directory left by a crash is removed at the next start
    mkdirSync(join(dir, 'old-0.0123456789abcdef0123456789abcdef-delete'));
    writeFileSync(join(dir, 'old-0.0123456789abcdef0123456789abcdef-delete', '00000000000000000000.log'), 'x');
    await manager.close();
    const again = await LogManager.open({ logDirs: [dir] });
    await again.close();
    assert.deepEqual(readdirSync(dir).filter((n) => n.includes('-delete')), []);
    assert.equal(readFileSync(join(dir, 'recovery-point-offset-checkpoint'), 'utf8'), '0\n0\n');
  });

  test('a log dir is locked while open; a stale lock is taken over', async () => {
    const dir = freshDir();
    const manager = await LogManager.open({ logDirs: [dir] });
    await assert.rejects(LogManager.open({ logDirs: [dir] }), /locked by process/);
    await manager.close();
    writeFileSync(join(dir, '.lock'), ''); // Kafka's own (empty) lock file
    await (await LogManager.open({ logDirs: [dir] })).close();
    writeFileSync(join(dir, '.lock'), '999999999\n'); // a process that no longer exists
    await (await LogManager.open({ logDirs: [dir] })).close();
  });

  test('periodic checkpoints and flush.ms run on their own timers', async () => {
    const dir = freshDir();
    const manager = await LogManager.open({
      logDirs: [dir],
      highWatermarkCheckpointIntervalMs: 10,
      recoveryCheckpointIntervalMs: 10,
      flushCheckIntervalMs: 10,
    });
    const log = manager.createLog('timed', 0, logConfig({ flushIntervalMs: 5 }));
    log.append(valueBatch(7, 10), APPEND);
    log.updateHighWatermark(7);
    const deadline = Date.now() + 5000;
    const checkpoint = (name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8') : '');
    while (Date.now() < deadline && !(checkpoint('replication-offset-checkpoint').includes('timed 0 7') && checkpoint('recovery-point-offset-checkpoint').includes('timed 0 7'))) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(log.recoveryPoint, 7);
    assert.match(checkpoint('replication-offset-checkpoint'), /timed 0 7/);
    assert.match(checkpoint('recovery-point-offset-checkpoint'), /timed 0 7/);
    await manager.close();
  });

  test('nothing keeps the process alive, closed or not', () => {
    const url = new URL('../../src/storage/log-manager.js', import.meta.url).href;
    for (const close of [true, false]) {
      const script = `
        const { LogManager } = await import(${JSON.stringify(url)});
        const m = await LogManager.open({ logDirs: [${JSON.stringify(freshDir())}] });
        m.createLog('t', 0, (await import(${JSON.stringify(new URL('../../src/storage/log-config.js', import.meta.url).href)})).logConfig());
        ${close ? 'await m.close();' : ''}`;
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 10_000 });
    }
  });
});
