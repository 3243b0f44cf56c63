"""confluent-kafka (librdkafka) transactional producers against Samsa.

usage: txn_producer.py MODE BOOTSTRAP TOPIC TRANSACTIONAL_ID [TIMEOUT_MS]
modes (each prints one JSON object):
  commit_abort  commit c-0..c-2, abort a-0..a-2, commit d-0..d-1; then read the topic from the
                start read_committed and read_uncommitted:
                {"committed": [...], "uncommitted": [...]}
  zombie        producer 1 begins a transaction and produces z-0; producer 2 with the same
                transactional id initializes (fencing 1), commits p-0; producer 1's commit fails:
                {"error": NAME, "fatal": BOOL, "committed": [...]}
  abandon       begins a transaction with transaction.timeout.ms = TIMEOUT_MS, produces h-0 and
                exits without ending it: {"produced": true}
"""
import json
import os
import sys
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition

mode, bootstrap, topic, transactional_id = sys.argv[1:5]
TIMEOUT = 30


def producer(**extra):
    conf = {"bootstrap.servers": bootstrap, "transactional.id": transactional_id}
    conf.update(extra)
    return Producer(conf)


def read_all(isolation):
    """Every value of partition 0 up to its end for this isolation level."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "reader-" + isolation,
                         "isolation.level": isolation, "enable.auto.commit": False,
                         "enable.partition.eof": True})
    consumer.assign([TopicPartition(topic, 0, 0)])
    values = []
    end = time.time() + TIMEOUT
    while time.time() < end:
        m = consumer.poll(0.5)
        if m is None:
            continue
        if m.error():
            if m.error().code() == KafkaError._PARTITION_EOF:
                break
            raise KafkaException(m.error())
        values.append(m.value().decode())
    else:
        raise RuntimeError("no end of partition within %d s" % TIMEOUT)
    consumer.close()
    return values


def produce(p, values):
    for v in values:
        p.produce(topic, v.encode(), partition=0)
    p.flush(TIMEOUT)


if mode == "commit_abort":
    p = producer()
    p.init_transactions(TIMEOUT)
    for prefix, n, commit in (("c", 3, True), ("a", 3, False), ("d", 2, True)):
        p.begin_transaction()
        produce(p, ["%s-%d" % (prefix, i) for i in range(n)])
        if commit:
            p.commit_transaction(TIMEOUT)
        else:
            p.abort_transaction(TIMEOUT)
    print(json.dumps({"committed": read_all("read_committed"), "uncommitted": read_all("read_uncommitted")}))
elif mode == "zombie":
    p1 = producer()
    p1.init_transactions(TIMEOUT)
    p1.begin_transaction()
    produce(p1, ["z-0"])
    p2 = producer()
    p2.init_transactions(TIMEOUT)
    p2.begin_transaction()
    produce(p2, ["p-0"])
    p2.commit_transaction(TIMEOUT)
    try:
        p1.commit_transaction(TIMEOUT)
        result = {"error": None, "fatal": False}
    except KafkaException as e:
        err = e.args[0]
        result = {"error": err.name(), "fatal": err.fatal()}
    result["committed"] = read_all("read_committed")
    print(json.dumps(result))
elif mode == "abandon":
    p = producer(**{"transaction.timeout.ms": int(sys.argv[5])})
    p.init_transactions(TIMEOUT)
    p.begin_transaction()
    produce(p, ["h-0"])
    print(json.dumps({"produced": True}), flush=True)
    # No abort, no clean shutdown: the transaction is left to the coordinator's timeout.
    os._exit(0)
else:
    raise SystemExit("unknown mode " + mode)
