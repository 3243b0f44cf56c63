"""confluent-kafka workloads for cluster failure tests; each mode prints one JSON object.

usage: cluster_workload.py BOOTSTRAP MODE ARGS...
  produce TOPIC PREFIX COUNT [k=v...]  keyed records (key "key-<i mod 37>", value "PREFIX-<i>"), acks=all unless
                                       k=v (producer configs) say otherwise, partitioned by key:
                                       {"delivered": [[key, value, partition, offset]], "failed": [[value, error name]]}
  stream TOPIC PARTITIONS DIR [k=v...] an idempotent acks=all producer writing "p<partition>-<n>" to each of
                                       PARTITIONS (a comma-separated list) in turn (n counts up) until DIR/stop-producer
                                       exists; every acknowledgement is appended to DIR/acked as
                                       "partition offset value" as it comes (offset -1: acknowledged
                                       without one, see below); k=v are producer configs:
                                       {"delivered": [[partition, offset, value]], "failed": [[value, error name]],
                                       "errors": [[error name, fatal]]} (errors: the error callback's)
  member GROUP TOPIC DIR NAME          a consumer group member reading from the earliest offset (auto commit)
                                       until DIR/stop-members exists; every record is appended to DIR/NAME.records
                                       as "partition offset key value", every assignment to DIR/NAME.assigned as
                                       a line of partitions: {"errors": [[error name, fatal]]} (the error
                                       callback's and the poll's)

An idempotent producer's records can be acknowledged without an offset (offset None): when a
request's outcome was uncertain (its broker died) and a later batch of the partition succeeded,
librdkafka reports the earlier records delivered ("implicitly acked"), not knowing where they are.
"""
import json
import os
import sys
import time

from confluent_kafka import Consumer, Producer

bootstrap, mode, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
# Every loop ends by this bound even if the test never writes its stop file.
MAX_SECONDS = 300
# Brokers die in these tests: metadata is refreshed often so that new leaders are found quickly.
COMMON = {"bootstrap.servers": bootstrap, "topic.metadata.refresh.interval.ms": 1000}


def pairs(items):
    return dict(item.split("=", 1) for item in items)


def stop_requested(path, started):
    return os.path.exists(path) or time.time() - started > MAX_SECONDS


def offset_of(msg):
    return -1 if msg.offset() is None else msg.offset()


def error_logger(errors):
    def on_error(err):
        errors.append([err.name(), err.fatal()])
    return on_error


if mode == "produce":
    topic, prefix, count = rest[0], rest[1], int(rest[2])
    conf = dict(COMMON, **{"acks": "all", "linger.ms": 5, "message.timeout.ms": 120000})
    conf.update(pairs(rest[3:]))
    producer = Producer(conf)
    delivered, failed = [], []

    def report(err, msg):
        if err is None:
            delivered.append([msg.key().decode(), msg.value().decode(), msg.partition(), offset_of(msg)])
        else:
            failed.append([msg.value().decode(), err.name()])

    for i in range(count):
        producer.produce(topic, key=("key-%d" % (i % 37)).encode(), value=("%s-%d" % (prefix, i)).encode(),
                         on_delivery=report)
        producer.poll(0)
    producer.flush(150)
    print(json.dumps({"delivered": delivered, "failed": failed}))
elif mode == "stream":
    topic, partitions, directory = rest[0], [int(p) for p in rest[1].split(",")], rest[2]
    errors, delivered, failed = [], [], []
    conf = dict(COMMON, **{"acks": "all", "enable.idempotence": True, "linger.ms": 5,
                           "message.timeout.ms": 120000, "error_cb": error_logger(errors)})
    conf.update(pairs(rest[3:]))
    producer = Producer(conf)
    acked = open(os.path.join(directory, "acked"), "a")

    def report(err, msg):
        value = msg.value().decode()
        if err is None:
            delivered.append([msg.partition(), offset_of(msg), value])
            acked.write("%d %d %s\n" % (msg.partition(), offset_of(msg), value))
            acked.flush()
        else:
            failed.append([value, err.name()])

    started = time.time()
    stop = os.path.join(directory, "stop-producer")
    n = 0
    while not stop_requested(stop, started):
        for p in partitions:
            producer.produce(topic, value=("p%d-%d" % (p, n)).encode(), partition=p, on_delivery=report)
        n += 1
        # About 100 records a second per partition; while a leader is away they queue up in the producer.
        producer.poll(0.01)
    producer.flush(150)
    acked.close()
    print(json.dumps({"delivered": delivered, "failed": failed, "errors": errors}))
elif mode == "member":
    group, topic, directory, name = rest[0], rest[1], rest[2], rest[3]
    errors = []
    # A long session: a busy machine must not make the group rebalance (a rebalance may deliver records twice).
    consumer = Consumer(dict(COMMON, **{"group.id": group, "auto.offset.reset": "earliest",
                                        "session.timeout.ms": 30000, "error_cb": error_logger(errors)}))
    assigned = open(os.path.join(directory, name + ".assigned"), "a")

    def on_assign(c, tps):
        assigned.write(" ".join(str(tp.partition) for tp in sorted(tps, key=lambda tp: tp.partition)) + "\n")
        assigned.flush()

    consumer.subscribe([topic], on_assign=on_assign)
    out = open(os.path.join(directory, name + ".records"), "a")
    started = time.time()
    stop = os.path.join(directory, "stop-members")
    while not stop_requested(stop, started):
        m = consumer.poll(0.2)
        if m is None:
            continue
        if m.error():
            errors.append([m.error().name(), m.error().fatal()])
            continue
        key = m.key().decode() if m.key() is not None else "-"
        out.write("%d %d %s %s\n" % (m.partition(), m.offset(), key, m.value().decode()))
        out.flush()
    consumer.close()
    out.close()
    assigned.close()
    print(json.dumps({"errors": errors}))
else:
    raise SystemExit("unknown mode " + mode)
