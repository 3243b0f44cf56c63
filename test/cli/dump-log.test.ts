// `samsa dump-log` (Kafka's kafka-dump-log / DumpLogSegments) run as a child process: against
// the files a real Kafka 2.4.1 wrote and its own dumps of them, against a Samsa broker's files,
// and against index files corrupted in a temp copy.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { kcat, python, type RunResult } from '../helpers/clients.js';
import { startBrokerProcess } from '../helpers/broker-process.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const KAFKA_LOGDIR = '/work/shared/reference/kafka-2.4.1-logdir';
const PARTITION_DIRS = ['corpus-plain-0', 'corpus-plain-1', 'corpus-logappend-0', 'corpus-compact-0', 'corpus-txn-0'];

/** Runs `samsa dump-log` (in `cwd`, so relative paths print as Kafka's dumps show them). */
function dumpLog(args: string[], cwd?: string): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [MAIN, 'dump-log', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');

/** Kafka's stderr lines (DumpLogSegments' closing report); everything else it prints goes to stdout. */
const KAFKA_STDERR_LINE = /^(The following indexed offsets are not found in the log\.|Indexed offset: |Mismatches in :| {2}Index offset: |Found timestamp mismatch|Found out of order timestamp| {2}Index timestamp: |Non-consecutive offsets in | {2}\d+ is followed by )/;

/**
 * A Kafka 3.9 line in Kafka 2.4.1's words: the only differences between the two versions'
 * output for these files. Everything else (offsets, positions, sizes, CRCs, timestamps,
 * sequences, producer ids and epochs, keys, payloads, headers) must be equal as printed.
 */
function asKafka241(line: string): string | undefined {
  if (/ is empty\.$/.test(line)) return undefined; // 3.9 reports an empty offset index; 2.4.1 printed nothing
  return line
    .replace(/^Log starting offset: /, 'Starting offset: ')
    .replace(' deleteHorizonMs: OptionalLong.empty', '')
    .replace(/compresscodec: (\w+)/, (_, codec: string) => `compresscodec: ${codec.toUpperCase()}`)
    .replace(/^(\| offset: \d+ \w+: -?\d+) keySize: (-?\d+) valueSize: (-?\d+)/, '$1 keysize: $2 valuesize: $3')
    .replace(/^(producerId: .*currentTxnFirstOffset: )OptionalLong\.empty lastTimestamp: -?\d+ /, '$1None ');
}

test('dumps of every file Kafka 2.4.1 wrote match its own DumpLogSegments output, field by field', async () => {
  for (const dir of PARTITION_DIRS) {
    const files = readdirSync(join(KAFKA_LOGDIR, dir)).filter((f) => f.endsWith('.dump.txt')).sort().map((f) => `${dir}/${f.slice(0, -'.dump.txt'.length)}`);
    assert.ok(files.length >= 4, dir);
    const r = await dumpLog(['--files', files.join(','), '--deep-iteration', '--print-data-log'], KAFKA_LOGDIR);
    assert.equal(r.code, 0, r.stderr);
    const sections = r.stdout.split(/^(?=Dumping )/m);
    assert.equal(sections.length, files.length, dir);
    const expectedStderr: string[] = [];
    files.forEach((file, n) => {
      const kafka = lines(readFileSync(join(KAFKA_LOGDIR, `${file}.dump.txt`), 'utf8'));
      expectedStderr.push(...kafka.filter((l) => KAFKA_STDERR_LINE.test(l)));
      const ours = lines(sections[n]).map(asKafka241).filter((l) => l !== undefined);
      assert.deepEqual(ours, kafka.filter((l) => !KAFKA_STDERR_LINE.test(l)), file);
    });
    assert.deepEqual(lines(r.stderr), expectedStderr, dir);
  }
});

test('Kafka 3.9-only fields: deleteHorizonMs, lowercase codecs, keySize/valueSize, snapshot lastTimestamp, empty index', async () => {
  const r = await dumpLog(['--files', 'corpus-txn-0/00000000000000000015.snapshot,corpus-plain-0/00000000000000000036.log,corpus-compact-0/00000000000000000000.index', '--deep-iteration'], KAFKA_LOGDIR);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^producerId: 1 producerEpoch: 0 coordinatorEpoch: -1 currentTxnFirstOffset: OptionalLong.empty lastTimestamp: 1795435363149 firstSequence: 0 lastSequence: 2 lastOffset: 14 offsetDelta: 2 timestamp: 1795435363149$/m);
  assert.match(r.stdout, /^Log starting offset: 36$/m);
  assert.match(r.stdout, /^baseOffset: 36 lastOffset: 47 count: 12 .* isControl: false deleteHorizonMs: OptionalLong.empty position: 0 CreateTime: \d+ size: 370 magic: 2 compresscodec: lz4 crc: \d+ isvalid: true$/m);
  // --deep-iteration without --print-data-log: record metadata, no key or payload.
  assert.match(r.stdout, /^\| offset: 36 CreateTime: \d+ keySize: 15 valueSize: 48 sequence: -1 headerKeys: \[seq,codec\]$/m);
  assert.match(r.stdout, /^corpus-compact-0\/00000000000000000000.index is empty\.$/m);
});

test('a Samsa broker\'s segment and indexes dump cleanly; --verify-index-only and --index-sanity-check find nothing wrong', async () => {
  const broker = await startBrokerProcess({ overrides: { 'log.index.interval.bytes': 100 } });
  try {
    const input = Array.from({ length: 30 }, (_, i) => `k${i}:value ${i} ${'x'.repeat(40)}`).join('\n') + '\n';
    await kcat(['-b', broker.bootstrap, '-P', '-t', 'dumped', '-p', '0', '-K:', '-H', 'h1=a', '-X', 'batch.num.messages=3', '-z', 'gzip'], input);
    assert.equal(await broker.stop(), 0);
    const dir = join(broker.dataDir, 'dumped-0');
    const log = join(dir, '00000000000000000000.log');
    const index = join(dir, '00000000000000000000.index');
    const timeIndex = join(dir, '00000000000000000000.timeindex');

    const r = await dumpLog(['--files', `${log},${index},${timeIndex}`, '--print-data-log']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const out = lines(r.stdout);
    const batches = out.filter((l) => l.startsWith('baseOffset: '));
    assert.ok(batches.length >= 10, r.stdout);
    let position = 0;
    let nextOffset = 0;
    for (const b of batches) {
      const m = /^baseOffset: (\d+) lastOffset: (\d+) count: (\d+) .* position: (\d+) CreateTime: \d+ size: (\d+) magic: 2 compresscodec: gzip crc: \d+ isvalid: true$/.exec(b);
      assert.ok(m, b);
      assert.equal(Number(m[1]), nextOffset);
      assert.equal(Number(m[3]), Number(m[2]) - Number(m[1]) + 1);
      assert.equal(Number(m[4]), position);
      position += Number(m[5]);
      nextOffset = Number(m[2]) + 1;
    }
    assert.equal(nextOffset, 30);
    const records = out.filter((l) => l.startsWith('| offset: '));
    assert.equal(records.length, 30);
    records.forEach((l, i) => {
      assert.match(l, new RegExp(`^\\| offset: ${i} CreateTime: \\d+ keySize: ${`k${i}`.length} valueSize: ${`value ${i} `.length + 40} sequence: -?\\d+ headerKeys: \\[h1\\] key: k${i} payload: value ${i} x{40}$`));
    });
    const indexEntries = out.filter((l) => /^offset: \d+ position: \d+$/.test(l));
    assert.ok(indexEntries.length >= 2, r.stdout);
    // Each index entry points at the batch whose last offset it names.
    for (const e of indexEntries) {
      const [, offset, pos] = /^offset: (\d+) position: (\d+)$/.exec(e)!;
      assert.ok(batches.some((b) => b.includes(`lastOffset: ${offset} `) && b.includes(` position: ${pos} `)), e);
    }
    assert.ok(out.some((l) => /^timestamp: \d+ offset: \d+$/.test(l)), r.stdout);

    const verify = await dumpLog(['--files', `${index},${timeIndex}`, '--verify-index-only']);
    assert.equal(verify.code, 0, verify.stderr);
    assert.deepEqual(lines(verify.stdout), [`Dumping ${index}`, `Dumping ${timeIndex}`]);
    assert.equal(verify.stderr, '');

    const sanity = await dumpLog(['--files', `${index},${timeIndex}`, '--index-sanity-check']);
    assert.equal(sanity.code, 0, sanity.stderr);
    assert.deepEqual(lines(sanity.stdout), [`Dumping ${index}`, `${index} passed sanity check.`, `Dumping ${timeIndex}`, `${timeIndex} passed sanity check.`]);
  } finally {
    rmSync(broker.dataDir, { recursive: true, force: true });
  }
});

test('corrupted index copies: Kafka\'s mismatch reports, and a failed sanity check exits 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-dump-log-'));
  try {
    for (const suffix of ['.log', '.index', '.timeindex']) {
      copyFileSync(join(KAFKA_LOGDIR, 'corpus-plain-0', `00000000000000000036${suffix}`), join(dir, `00000000000000000036${suffix}`));
    }
    const index = join(dir, '00000000000000000036.index');
    const timeIndex = join(dir, '00000000000000000036.timeindex');
    // Entries: offset 71 at 638, offset 83 at 1682. Point the first at offset 70 instead.
    const indexBytes = readFileSync(index);
    indexBytes.writeInt32BE(70 - 36, 0);
    writeFileSync(index, indexBytes);
    // Time index entry 1 (timestamp, offset 83): a timestamp one less than the batch's max.
    const timeBytes = readFileSync(timeIndex);
    const timestamp = Number(timeBytes.readBigInt64BE(12));
    timeBytes.writeBigInt64BE(BigInt(timestamp - 1), 12);
    writeFileSync(timeIndex, timeBytes);

    const r = await dumpLog(['--files', `${index},${timeIndex}`, '--verify-index-only']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(lines(r.stdout), [`Dumping ${index}`, `Dumping ${timeIndex}`]);
    assert.deepEqual(lines(r.stderr), [
      `Mismatches in :${resolve(index)}`,
      '  Index offset: 70, log offset: 71',
      `Found timestamp mismatch in :${resolve(timeIndex)}`,
      `  Index timestamp: ${timestamp - 1}, log timestamp: ${timestamp}`,
      'The following indexed offsets are not found in the log.',
      'Indexed offset: 60, found log offset: 71',
    ]);

    // A torn entry: the sanity check broker start-up relies on fails, and the tool exits 1.
    writeFileSync(index, Buffer.concat([indexBytes, Buffer.from([0, 0, 0])]));
    const sanity = await dumpLog(['--files', index, '--index-sanity-check']);
    assert.equal(sanity.code, 1);
    assert.equal(sanity.stdout, `Dumping ${index}\n`);
    assert.equal(sanity.stderr, `Error: Index file ${resolve(index)} is corrupt, found 19 bytes which is neither positive nor a multiple of 8\n`);

    // Bytes after the last whole batch are reported (unless --max-bytes cuts the file short);
    // a snapshot failing its CRC is reported on stderr and the dump goes on.
    const log = join(dir, '00000000000000000036.log');
    writeFileSync(log, Buffer.concat([readFileSync(log), Buffer.alloc(5)]));
    const snapshot = join(dir, '00000000000000000015.snapshot');
    const snapshotBytes = readFileSync(join(KAFKA_LOGDIR, 'corpus-txn-0', '00000000000000000015.snapshot'));
    snapshotBytes[20] ^= 1;
    writeFileSync(snapshot, snapshotBytes);
    // A log with a gap in its offsets (batches 36-47 and 60-71), as compaction leaves them.
    const gapLog = join(dir, 'gap', '00000000000000000036.log');
    mkdirSync(dirname(gapLog));
    const logBytes = readFileSync(log);
    writeFileSync(gapLog, Buffer.concat([logBytes.subarray(0, 370), logBytes.subarray(638, 1682)]));
    const tail = await dumpLog(['--files', `${snapshot},${log},${gapLog}`, '--deep-iteration']);
    assert.equal(tail.code, 0, tail.stderr);
    assert.deepEqual(lines(tail.stderr), [
      ...lines(tail.stderr).slice(0, 1),
      `Non-consecutive offsets in ${resolve(gapLog)}`,
      '  47 is followed by 60',
    ]);
    assert.match(tail.stderr, /^Snapshot is corrupt \(CRC is no longer valid\)\. Stored crc: \d+\. Computed crc: \d+\n/);
    assert.equal(lines(tail.stdout).filter((l) => l.startsWith('baseOffset: ')).length, 4 + 2);
    assert.ok(lines(tail.stdout).includes('Found 5 invalid bytes at the end of 00000000000000000036.log'), tail.stdout);
    const limited = await dumpLog(['--files', log, '--max-bytes', '640', '--skip-record-metadata', '--print-data-log']);
    assert.equal(limited.code, 0, limited.stderr);
    const limitedLines = lines(limited.stdout);
    assert.deepEqual(limitedLines.filter((l) => l.startsWith('baseOffset: ')).map((l) => / position: (\d+) /.exec(l)![1]), ['0', '370']);
    assert.equal(limitedLines.at(-1), '| key: p0-r0-zstd-key-11 payload: p0-r0-zstd value 11 abcdefghijabcdefghijabcdefghij');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing file, a missing --files and an unknown file kind', async () => {
  const missing = await dumpLog(['--files', 'corpus-txn-0/00000000000000000099.log'], KAFKA_LOGDIR);
  assert.equal(missing.code, 1);
  assert.equal(missing.stdout, 'Dumping corpus-txn-0/00000000000000000099.log\nLog starting offset: 99\n');
  assert.equal(missing.stderr, 'Error: corpus-txn-0/00000000000000000099.log: no such file\n');

  const noLog = await dumpLog(['--files', '/nonexistent/00000000000000000000.index']);
  assert.equal(noLog.code, 1);
  assert.equal(noLog.stderr, 'Error: /nonexistent/00000000000000000000.log: no such file\n');

  const usage = await dumpLog(['--print-data-log']);
  assert.equal(usage.code, 1);
  assert.match(usage.stderr, /missing required option --files/);

  const unknown = await dumpLog(['--files', 'README.md,meta.properties'], KAFKA_LOGDIR);
  assert.equal(unknown.code, 0);
  assert.equal(unknown.stdout, 'Dumping README.md\nDumping meta.properties\n');
  assert.equal(unknown.stderr, 'Ignoring unknown file README.md\nIgnoring unknown file meta.properties\n');
});

test('--offsets-decoder and --transaction-log-decoder decode a Samsa broker\'s __consumer_offsets and __transaction_state', async () => {
  const broker = await startBrokerProcess({ overrides: { 'offsets.topic.num.partitions': 1, 'transaction.state.log.num.partitions': 1 } });
  try {
    await python('txn_producer.py', ['commit_abort', broker.bootstrap, 'txn-dumped', 'dump-txn-id']);
    await kcat(['-b', broker.bootstrap, '-G', 'dump-group', '-e', '-o', 'beginning', 'txn-dumped']);
    assert.equal(await broker.stop(), 0);
    const offsetsLog = join(broker.dataDir, '__consumer_offsets-0', '00000000000000000000.log');
    const txnLog = join(broker.dataDir, '__transaction_state-0', '00000000000000000000.log');

    const offsets = await dumpLog(['--files', offsetsLog, '--offsets-decoder']);
    assert.equal(offsets.code, 0, offsets.stderr);
    assert.match(offsets.stdout, /^\| offset: \d+ CreateTime: \d+ keySize: \d+ valueSize: \d+ sequence: -1 headerKeys: \[\] key: \{"type":"1","data":\{"group":"dump-group","topic":"txn-dumped","partition":0\}\} payload: \{"version":"3","data":\{"offset":\d+,"leaderEpoch":-?\d+,"metadata":"","commitTimestamp":\d+\}\}$/m);
    assert.match(offsets.stdout, /key: \{"type":"2","data":\{"group":"dump-group"\}\} payload: \{"version":"3","data":\{"protocolType":"consumer","generation":\d+,"protocol":"\w+","leader":"[^"]+","currentStateTimestamp":\d+,"members":\[\{"memberId":"[^"]+","groupInstanceId":null,"clientId":"rdkafka","clientHost":"[^"]+","rebalanceTimeout":\d+,"sessionTimeout":\d+,"subscription":\{"topics":\["txn-dumped"\],"userData":"","ownedPartitions":\[\]\},"assignment":\{"assignedPartitions":\[\{"topic":"txn-dumped","partitions":\[0\]\}\],"userData":""\}\}\]\}\}$/m);
    // The group emptied when kcat left: a generation with no members.
    assert.match(offsets.stdout, /payload: \{"version":"3","data":\{"protocolType":"consumer","generation":\d+,"protocol":null,"leader":null,"currentStateTimestamp":\d+,"members":\[\]\}\}$/m);

    const txn = await dumpLog(['--files', txnLog, '--transaction-log-decoder']);
    assert.equal(txn.code, 0, txn.stderr);
    assert.match(txn.stdout, /key: transaction_metadata::transactionalId=dump-txn-id payload: producerId:\d+,producerEpoch:\d+,state=Ongoing,partitions=\[txn-dumped-0\],txnLastUpdateTimestamp=\d+,txnTimeoutMs=\d+$/m);
    assert.match(txn.stdout, /state=CompleteAbort,partitions=\[\],/);
    assert.match(txn.stdout, /state=PrepareCommit,partitions=\[txn-dumped-0\],/);
  } finally {
    rmSync(broker.dataDir, { recursive: true, force: true });
  }
});
