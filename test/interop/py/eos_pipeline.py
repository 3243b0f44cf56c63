"""An exactly-once consume-transform-produce pipeline with confluent-kafka (librdkafka).

usage: eos_pipeline.py BOOTSTRAP INPUT OUTPUT GROUP TRANSACTIONAL_ID BATCH
                       [--abort-after N] [--pause-after N ...]

A group consumer (read_committed, no auto commit) reads INPUT; each transaction produces up to
BATCH records, transformed (value upper-cased, same partition), to OUTPUT and commits the
consumed positions with send_offsets_to_transaction(consumer.position(...),
consumer.consumer_group_metadata()). After an abort the consumer seeks back to the committed
offsets, as librdkafka's transactions example does, so the batch is redone. Errors are handled as
librdkafka documents them: retriable ones retried, abortable ones aborted and redone, fatal ones
end the process.

--abort-after N   the first transaction begun once N records are committed is aborted on purpose
                  (after its records are written), then redone
--pause-after N   the first transaction begun once N records are committed stops before its
                  commit, records written and offsets sent: prints "paused" and waits for a line
                  "go" on stdin (the test kills the broker or this process meanwhile)

Prints JSON lines: {"event": "committed"|"aborted"|"paused", "records": COMMITTED_SO_FAR, ...},
{"event": "assigned"|"revoked", "partitions": [...]}, {"event": "retry", ...} and, once the
group's committed offsets reach the end of every INPUT partition, {"event": "done"}.
"""
import argparse
import json
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, Producer, TopicPartition

parser = argparse.ArgumentParser()
for name in ("bootstrap", "input", "output", "group", "transactional_id"):
    parser.add_argument(name)
parser.add_argument("batch", type=int)
parser.add_argument("--abort-after", type=int)
parser.add_argument("--pause-after", type=int, action="append", default=[])
args = parser.parse_args()

TIMEOUT = 30
# The whole run is bounded; the test bounds it again from outside.
DEADLINE = time.time() + 300
# Short back-offs: the broker is killed and restarted on the same port meanwhile.
RECONNECT = {"reconnect.backoff.ms": 50, "reconnect.backoff.max.ms": 500}


def say(obj):
    print(json.dumps(obj), flush=True)


producer = Producer({"bootstrap.servers": args.bootstrap, "transactional.id": args.transactional_id, **RECONNECT})
consumer = Consumer({"bootstrap.servers": args.bootstrap, "group.id": args.group, "enable.auto.commit": False,
                     "auto.offset.reset": "earliest", "isolation.level": "read_committed",
                     "session.timeout.ms": 6000, "heartbeat.interval.ms": 500, **RECONNECT})
# Consumed records not yet in a transaction: a rebalance drops them (the partitions restart from
# their committed offsets wherever they are assigned next).
pending = []


def on_rebalance(kind):
    def callback(_consumer, partitions):
        pending.clear()
        say({"event": kind, "partitions": sorted(p.partition for p in partitions)})
    return callback


def retrying(what, call):
    """Runs call(), again while it fails with a retriable error (bounded by DEADLINE)."""
    while True:
        try:
            return call()
        except KafkaException as e:
            err = e.args[0]
            if not err.retriable() or time.time() > DEADLINE:
                raise
            say({"event": "retry", "call": what, "error": err.name()})


def consume_batch():
    """Up to BATCH records; fewer once nothing more arrives for a second."""
    idle_since = time.time()
    while len(pending) < args.batch and time.time() - idle_since < 1:
        m = consumer.poll(0.2)
        if m is None or m.error():
            continue
        pending.append(m)
        idle_since = time.time()
    batch = list(pending)
    pending.clear()
    return batch


def rewind(records):
    """Seeks the partitions of an aborted batch back to their committed offsets."""
    tps = sorted({(m.topic(), m.partition()) for m in records})
    committed = retrying("committed", lambda: consumer.committed([TopicPartition(t, p) for t, p in tps], TIMEOUT))
    for tp in committed:
        if tp.offset < 0:
            tp.offset = OFFSET_BEGINNING
        try:
            consumer.seek(tp)
        except KafkaException as e:
            # No longer assigned (a rebalance is under way): its next owner starts from the committed offset.
            say({"event": "seek-skipped", "partition": tp.partition, "error": e.args[0].name()})


def abort(records, reason):
    retrying("abort_transaction", lambda: producer.abort_transaction(TIMEOUT))
    rewind(records)
    say({"event": "aborted", "records": committed_records, "reason": reason})


def transaction(records, on_purpose_abort, pause):
    """One consume-transform-produce transaction; True once committed."""
    producer.begin_transaction()
    try:
        for m in records:
            producer.produce(args.output, m.value().upper(), partition=m.partition())
        positions = consumer.position(sorted({TopicPartition(m.topic(), m.partition()) for m in records},
                                             key=lambda tp: tp.partition))
        producer.send_offsets_to_transaction(positions, consumer.consumer_group_metadata(), TIMEOUT)
        producer.flush(TIMEOUT)
        if pause:
            say({"event": "paused", "records": committed_records})
            if sys.stdin.readline().strip() != "go":
                raise SystemExit("expected go")
        if on_purpose_abort:
            abort(records, "on purpose")
            return False
        retrying("commit_transaction", lambda: producer.commit_transaction(TIMEOUT))
        return True
    except KafkaException as e:
        err = e.args[0]
        if not err.txn_requires_abort():
            raise
        abort(records, err.name())
        return False


def all_committed():
    """True once the group's committed offsets are the end offsets of every input partition."""
    partitions = consumer.list_topics(args.input, TIMEOUT).topics[args.input].partitions
    tps = [TopicPartition(args.input, p) for p in sorted(partitions)]
    committed = retrying("committed", lambda: consumer.committed(tps, TIMEOUT))
    return all(tp.offset == consumer.get_watermark_offsets(tp, TIMEOUT)[1] for tp in committed)


retrying("init_transactions", lambda: producer.init_transactions(TIMEOUT))
consumer.subscribe([args.input], on_assign=on_rebalance("assigned"), on_revoke=on_rebalance("revoked"))
committed_records = 0
aborted_on_purpose = args.abort_after is None
pauses = sorted(args.pause_after)
while True:
    if time.time() > DEADLINE:
        raise SystemExit("pipeline did not finish in time")
    records = consume_batch()
    if not records:
        if all_committed():
            break
        continue
    abort_now = not aborted_on_purpose and committed_records >= args.abort_after
    aborted_on_purpose = aborted_on_purpose or abort_now
    pause = bool(pauses) and committed_records >= pauses[0]
    if pause:
        pauses.pop(0)
    if transaction(records, abort_now, pause):
        committed_records += len(records)
        say({"event": "committed", "records": committed_records})
consumer.close()
say({"event": "done", "records": committed_records})
