"""Produces values PREFIX-0 .. PREFIX-(COUNT-1) to partition 0 of TOPIC with confluent-kafka; prints one JSON object.

usage: cluster_produce.py BOOTSTRAP TOPIC ACKS PREFIX COUNT [OPTION ...]
  one-by-one: each value in its own produce request (flushed before the next is sent).
  idempotent: enable.idempotence.
  paced: about 500 values a second, so that the produce spans what the test does meanwhile.
  large: value i is PREFIX-i repeated to 1-60 KiB (1 + (i * 7919) % 60 KiB); reported as PREFIX-i.
Prints {"delivered": [[value, offset], ...], "failed": [[value, error name], ...]}; an idempotent
producer's offset is null for records acknowledged without one (librdkafka's implicit ack: an
earlier request's outcome was uncertain, a later batch of the partition succeeded).
"""
import json
import sys
import time

from confluent_kafka import Producer

bootstrap, topic, acks, prefix, count = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
options = set(sys.argv[6:])
one_by_one = "one-by-one" in options
producer = Producer({
    "enable.idempotence": "idempotent" in options,
    "bootstrap.servers": bootstrap,
    "acks": acks,
    "linger.ms": 0 if one_by_one else 5,
    "queue.buffering.max.kbytes": 65536,
    "message.timeout.ms": 90000,
    "request.timeout.ms": 60000,
    "topic.metadata.refresh.interval.ms": 1000,
})
delivered, failed = [], []


def report(err, msg):
    value = msg.value().decode().split("|")[0]
    if err is None:
        delivered.append([value, msg.offset()])
    else:
        failed.append([value, err.name()])


for i in range(count):
    value = f"{prefix}-{i}"
    if "large" in options:
        size = 1024 * (1 + (i * 7919) % 60)
        value = (f"{value}|" * (size // (len(value) + 1) + 1))[:size]
    producer.produce(topic, value=value.encode(), partition=0, on_delivery=report)
    if one_by_one:
        producer.flush(30)
    elif "paced" in options and i % 10 == 9:
        producer.poll(0)
        time.sleep(0.02)
producer.flush(120)
print(json.dumps({"delivered": delivered, "failed": failed}))
