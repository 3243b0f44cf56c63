"""confluent-kafka scenarios, one per mode; each prints one JSON object.

usage: confluent_misc.py BOOTSTRAP MODE TOPIC
  too-large   produce a 2 MB record (client limit raised) then a small one on the same producer
  times       produce records with set timestamps, then offsets_for_times
  admin       create a topic with 3 partitions and a config, list it, create again, delete it
  acked       produce COUNT (argv[4]) records with acks=all, print delivered offsets as they arrive
"""
import json
import sys

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

bootstrap, mode, topic = sys.argv[1], sys.argv[2], sys.argv[3]


def produce(producer, **kw):
    result = {}

    def cb(err, msg):
        result["error"] = None if err is None else err.name()
        result["offset"] = None if err is not None else msg.offset()

    producer.produce(topic, on_delivery=cb, **kw)
    producer.flush(30)
    return result


if mode == "too-large":
    p = Producer({"bootstrap.servers": bootstrap, "message.max.bytes": 4000000, "retries": 0,
                  "compression.type": "none"})
    big = produce(p, value=b"x" * (2 * 1024 * 1024))
    small = produce(p, value=b"small")
    print(json.dumps({"big": big, "small": small}))
elif mode == "times":
    p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 0})
    base = 1_700_000_000_000
    for i in range(10):
        produce(p, value=("t%d" % i).encode(), timestamp=base + i * 1000)
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "times-" + topic})
    queries = [base - 1, base + 3500, base + 9000, base + 20000]
    found = []
    for ts in queries:
        r = c.offsets_for_times([TopicPartition(topic, 0, ts)], timeout=10)
        found.append(r[0].offset)
    lo, hi = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)
    c.close()
    print(json.dumps({"found": found, "low": lo, "high": hi}))
elif mode == "admin":
    a = AdminClient({"bootstrap.servers": bootstrap})
    fs = a.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1, config={"retention.ms": "3600000"})])
    fs[topic].result(30)
    md = a.list_topics(topic, timeout=10)
    partitions = len(md.topics[topic].partitions)
    again = a.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
    try:
        again[topic].result(30)
        again_error = None
    except Exception as e:  # KafkaException wrapping TOPIC_ALREADY_EXISTS
        again_error = e.args[0].name()
    bad_rf = a.create_topics([NewTopic(topic + "-rf", num_partitions=1, replication_factor=3)])
    try:
        bad_rf[topic + "-rf"].result(30)
        bad_rf_error = None
    except Exception as e:
        bad_rf_error = e.args[0].name()
    a.delete_topics([topic])[topic].result(30)
    after = a.list_topics(timeout=10)
    print(json.dumps({"partitions": partitions, "again": again_error, "badRf": bad_rf_error,
                      "stillListed": topic in after.topics}))
elif mode == "acked":
    count = int(sys.argv[4])
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 1, "message.timeout.ms": 5000})

    def cb(err, msg):
        if err is None:
            sys.stdout.write("%d\n" % msg.offset())
            sys.stdout.flush()

    for i in range(count):
        p.produce(topic, value=("r%d" % i).encode(), on_delivery=cb)
        p.poll(0)
    p.flush(60)
else:
    raise SystemExit("unknown mode " + mode)
