"""confluent-kafka against the coordinators of a cluster; each mode prints one JSON object.

usage: cluster_coordinators.py BOOTSTRAP MODE ARGS...
  commit GROUP TOPIC PARTITIONS        consume every partition of TOPIC to its end in GROUP, commit
                                       synchronously: {"committed": {partition: offset}}
  committed GROUP TOPIC PARTITIONS     the offsets GROUP has committed: {"committed": {partition: offset}}
  txn TXN_ID TOPIC PARTITIONS DIR      transactions of one record per partition, "r<round>-p<partition>":
                                       round 0 committed, round 1 aborted, round 2 produced and flushed,
                                       then DIR/ready is written and the commit waits for DIR/go; round 3
                                       committed after it: {"rounds": {round: "committed" | "aborted"}}
  read TOPIC PARTITIONS ISOLATION      every value of TOPIC's partitions to their end: {"values": [...]}
"""
import json
import os
import sys
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition

bootstrap, mode, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
TIMEOUT = 60
# Brokers die in these tests: metadata is refreshed often so that new leaders are found quickly.
COMMON = {"bootstrap.servers": bootstrap, "topic.metadata.refresh.interval.ms": 1000}


def read_to_end(consumer, partitions):
    """Values of the assigned partitions up to their ends (read_committed: the last stable offsets)."""
    values, ended = [], set()
    end = time.time() + TIMEOUT
    while len(ended) < partitions and time.time() < end:
        m = consumer.poll(0.5)
        if m is None:
            continue
        if m.error():
            if m.error().code() == KafkaError._PARTITION_EOF:
                ended.add(m.partition())
                continue
            raise KafkaException(m.error())
        values.append(m.value().decode())
    if len(ended) < partitions:
        raise RuntimeError("partitions ended: %s of %d within %d s" % (sorted(ended), partitions, TIMEOUT))
    return values


def committed(consumer, topic, partitions):
    tps = consumer.committed([TopicPartition(topic, p) for p in range(partitions)], timeout=TIMEOUT)
    return {str(tp.partition): tp.offset for tp in tps}


def group_consumer(group, **extra):
    conf = dict(COMMON, **{"group.id": group, "enable.auto.commit": False, "enable.partition.eof": True,
                           "auto.offset.reset": "earliest"})
    conf.update(extra)
    return Consumer(conf)


def wait_for(path):
    end = time.time() + TIMEOUT
    while not os.path.exists(path):
        if time.time() > end:
            raise RuntimeError("%s did not appear within %d s" % (path, TIMEOUT))
        time.sleep(0.1)


if mode == "commit":
    group, topic, partitions = rest[0], rest[1], int(rest[2])
    consumer = group_consumer(group)
    consumer.subscribe([topic])
    read_to_end(consumer, partitions)
    consumer.commit(asynchronous=False)
    print(json.dumps({"committed": committed(consumer, topic, partitions)}))
    consumer.close()
elif mode == "committed":
    group, topic, partitions = rest[0], rest[1], int(rest[2])
    consumer = group_consumer(group)
    print(json.dumps({"committed": committed(consumer, topic, partitions)}))
    consumer.close()
elif mode == "txn":
    txn_id, topic, partitions, directory = rest[0], rest[1], int(rest[2]), rest[3]
    producer = Producer(dict(COMMON, **{"transactional.id": txn_id}))
    producer.init_transactions(TIMEOUT)
    rounds = {}

    def produce_round(n):
        producer.begin_transaction()
        for p in range(partitions):
            producer.produce(topic, ("r%d-p%d" % (n, p)).encode(), partition=p)
        producer.flush(TIMEOUT)

    produce_round(0)
    producer.commit_transaction(TIMEOUT)
    rounds[0] = "committed"
    produce_round(1)
    producer.abort_transaction(TIMEOUT)
    rounds[1] = "aborted"
    produce_round(2)
    open(os.path.join(directory, "ready"), "w").close()
    wait_for(os.path.join(directory, "go"))
    producer.commit_transaction(TIMEOUT)
    rounds[2] = "committed"
    produce_round(3)
    producer.commit_transaction(TIMEOUT)
    rounds[3] = "committed"
    print(json.dumps({"rounds": rounds}))
elif mode == "read":
    topic, partitions, isolation = rest[0], int(rest[1]), rest[2]
    consumer = Consumer(dict(COMMON, **{"group.id": "reader-" + isolation, "isolation.level": isolation,
                                        "enable.auto.commit": False, "enable.partition.eof": True}))
    consumer.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
    print(json.dumps({"values": sorted(read_to_end(consumer, partitions))}))
    consumer.close()
else:
    raise SystemExit("unknown mode " + mode)
